import { defineObject } from '@crm/plugin-sdk';

/**
 * The reward catalog, declared once: `loyaltyRewards(filter, orderBy, search)` with aggregates,
 * `loyaltyRewardsGroupBy`, `loyaltyReward(id)` and the one-statement read engine come from this declaration
 * (docs/architecture.md). `rewards(activeOnly)` stays the catalog as a shop shows it.
 */
export const LoyaltyReward = defineObject({
  name: 'LoyaltyReward',
  plural: 'loyaltyRewards',
  single: 'loyaltyReward',
  description: 'A reward of the catalog, bought with points (`redeemReward`).',
  fields: {
    id: { kind: 'id', sort: true },
    name: { kind: 'string', sort: true, search: 'A' },
    costPoints: { kind: 'int', sort: true, group: true },
    active: { kind: 'boolean', group: true },
    createdAt: { kind: 'datetime', sort: true, group: true },
    updatedAt: { kind: 'datetime', sort: true },
  },
  defaultOrder: [
    { field: 'costPoints', direction: 'asc' },
    { field: 'name', direction: 'asc' },
  ],
});
