import { defineObject } from '@crm/plugin-sdk';

/**
 * The offers made to customers, declared once: `crossSellOffers(filter, orderBy)` with aggregates,
 * `crossSellOffersGroupBy` (offers per SKU, per month) and the one-statement read engine come from this declaration
 * (docs/architecture.md). Written by `markSuggestionOffered`.
 */
export const CrossSellOffer = defineObject({
  name: 'CrossSellOffer',
  plural: 'crossSellOffers',
  description: 'A product offered to a customer as a cross-sell suggestion.',
  fields: {
    id: { kind: 'id', sort: true },
    customerId: { kind: 'reference', references: 'Customer' },
    sku: { kind: 'string', sort: true, group: true },
    antecedentSku: { kind: 'string', nullable: true, sort: true, group: true },
    offeredAt: { kind: 'datetime', sort: true, group: true },
  },
  defaultOrder: [{ field: 'offeredAt', direction: 'desc' }],
});
