// Demo data: the core's demo orders follow product affinity groups (demoAffinityGroups), so mining them gives the
// demo workspace sensible suggestions; a few offers and answers so the figures are not empty.
import type { SeedContext } from '@crm/plugin-sdk';
import { rebuildRules } from './rules.js';
import type { CrossSellSettings } from './settings.js';
import { suggestionsFor } from './suggestions.js';

export async function seedCrossSell({ db, sql, workspaceId, settings, random }: SeedContext<CrossSellSettings>) {
  await rebuildRules(db, sql, workspaceId);
  const customers = await db.crossSellPurchase.findMany({ distinct: ['customerId'], select: { customerId: true }, orderBy: { customerId: 'asc' }, take: 20 });
  const ranked = await suggestionsFor(sql, customers.map((c) => c.customerId), 1, settings);
  for (const [customerId, [top]] of ranked) {
    if (!top) continue;
    await db.crossSellOffer.create({ data: { workspaceId, customerId, sku: top.product.sku, antecedentSku: top.antecedentSku } });
    const roll = random();
    if (roll < 0.6) {
      await db.crossSellResponse.create({
        data: { workspaceId, customerId, sku: top.product.sku, antecedentSku: top.antecedentSku, response: roll < 0.3 ? 'ACCEPTED' : 'DISMISSED' },
      });
    }
  }
}
