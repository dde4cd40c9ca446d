// Cross-sell's part in a person's data (docs/data.md): purchases seen (the earliest per SKU), offers and responses
// follow the person on a merge, are exported, and erased. Rule counts are workspace aggregates without personal data;
// `rebuildCrossSellRules` recounts them.
import type { PersonalDataHandlers } from '@crm/plugin-sdk';
import type { CrossSellSettings } from './settings.js';

export const crossSellPersonalData: PersonalDataHandlers<CrossSellSettings> = {
  async merge({ keepId, mergedIds }, { tx, session }) {
    const purchases = await tx.$executeRawUnsafe(
      `INSERT INTO "CrossSellPurchase" ("workspaceId", "customerId", sku, "firstPurchaseAt")
       SELECT "workspaceId", $1::uuid, sku, min("firstPurchaseAt") FROM "CrossSellPurchase"
        WHERE "workspaceId" = $2::uuid AND "customerId" = ANY($3::uuid[]) GROUP BY "workspaceId", sku
       ON CONFLICT ("workspaceId", "customerId", sku) DO UPDATE SET "firstPurchaseAt" = least("CrossSellPurchase"."firstPurchaseAt", EXCLUDED."firstPurchaseAt")`,
      keepId,
      session.workspaceId,
      [...mergedIds],
    );
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
