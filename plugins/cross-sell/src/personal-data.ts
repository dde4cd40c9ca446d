// Cross-sell's part in a person's data (docs/data.md): purchases seen (the earliest per SKU), offers and responses
// follow the person on a merge, are exported, and erased. Rule counts are workspace aggregates without personal data;
// `rebuildCrossSellRules` recounts them.
import type { PersonalDataHandlers } from '@crm/plugin-sdk';
import type { CrossSellSettings } from './settings.js';

export const crossSellPersonalData: PersonalDataHandlers<CrossSellSettings> = {
  async merge({ keepId, mergedIds }, { tx, session }) {
    // The earliest purchase per SKU across the merged customers and the kept one (the scoped client keeps it in the
    // workspace): a few rows per customer, so row by row is fine.
    const earliest = await tx.crossSellPurchase.groupBy({ by: ['sku'], where: { customerId: { in: [keepId, ...mergedIds] } }, _min: { firstPurchaseAt: true } });
    let purchases = 0;
    for (const row of earliest) {
      const firstPurchaseAt = row._min.firstPurchaseAt!;
      const kept = await tx.crossSellPurchase.updateMany({ where: { customerId: keepId, sku: row.sku }, data: { firstPurchaseAt } });
      if (!kept.count) await tx.crossSellPurchase.create({ data: { workspaceId: session.workspaceId, customerId: keepId, sku: row.sku, firstPurchaseAt } });
      purchases++;
    }
    const from = { customerId: { in: [...mergedIds] } };
    await tx.crossSellPurchase.deleteMany({ where: from });
    return {
      CrossSellPurchase: purchases,
      CrossSellOffer: (await tx.crossSellOffer.updateMany({ where: from, data: { customerId: keepId } })).count,
      CrossSellResponse: (await tx.crossSellResponse.updateMany({ where: from, data: { customerId: keepId } })).count,
    };
  },
  async export(customerId, { tx }) {
    return {
      purchases: await tx.crossSellPurchase.findMany({ where: { customerId } }),
      offers: await tx.crossSellOffer.findMany({ where: { customerId } }),
      responses: await tx.crossSellResponse.findMany({ where: { customerId } }),
    };
  },
  async erase(customerId, { tx }) {
    await tx.crossSellPurchase.deleteMany({ where: { customerId } });
    await tx.crossSellOffer.deleteMany({ where: { customerId } });
    await tx.crossSellResponse.deleteMany({ where: { customerId } });
  },
};
