// Keeping the rules' counts: incrementally per recorded order (only SKUs new to the customer change anything, so a
// redelivered event is a no-op even without the SDK's processed mark), and a full rebuild for imports.
import type { ScopedPrisma, ScopedTransaction } from '@crm/plugin-sdk';

/** Adds SKUs a customer bought to the counts: N, per-product customers, and pair customers in both directions. */
export async function addPurchases(tx: ScopedTransaction, workspaceId: string, customerId: string, skus: readonly string[], at: Date) {
  const wanted = [...new Set(skus)];
  if (!wanted.length) return;
  const had = (await tx.crossSellPurchase.findMany({ where: { customerId }, select: { sku: true } })).map((p) => p.sku);
  const known = new Set(had);
  const added = wanted.filter((sku) => !known.has(sku));
  if (!added.length) return;
  await tx.crossSellPurchase.createMany({ data: added.map((sku) => ({ workspaceId, customerId, sku, firstPurchaseAt: at })) });
  if (!had.length) {
    await tx.crossSellStats.upsert({ where: { workspaceId }, create: { workspaceId, customers: 1 }, update: { customers: { increment: 1 } } });
  }
  for (const sku of added) {
    await tx.crossSellProductCount.upsert({
      where: { workspaceId_sku: { workspaceId, sku } },
      create: { workspaceId, sku, customers: 1 },
      update: { customers: { increment: 1 } },
    });
  }
  // Every new pair: (added × had) and (added × added), each direction once.
  const pairs: [string, string][] = [];
  for (const a of added) {
    for (const b of had) pairs.push([a, b], [b, a]);
    for (const b of added) if (a !== b) pairs.push([a, b]);
  }
  await incrementPairs(tx, workspaceId, pairs);
}

async function incrementPairs(tx: ScopedTransaction, workspaceId: string, pairs: readonly [string, string][]) {
  if (!pairs.length) return;
  const existing = await tx.crossSellPairCount.findMany({
    where: { OR: pairs.map(([antecedentSku, consequentSku]) => ({ antecedentSku, consequentSku })) },
    select: { antecedentSku: true, consequentSku: true },
  });
  const present = new Set(existing.map((p) => `${p.antecedentSku}\u0000${p.consequentSku}`));
  const fresh = pairs.filter(([a, b]) => !present.has(`${a}\u0000${b}`));
  if (fresh.length) {
    await tx.crossSellPairCount.createMany({ data: fresh.map(([antecedentSku, consequentSku]) => ({ workspaceId, antecedentSku, consequentSku, customers: 0 })) });
  }
  await tx.crossSellPairCount.updateMany({ where: { OR: pairs.map(([antecedentSku, consequentSku]) => ({ antecedentSku, consequentSku })) }, data: { customers: { increment: 1 } } });
}

export interface RebuildSummary {
  customers: number;
  products: number;
  pairs: number;
}

/** Recomputes every count of the workspace from its orders (after imports; order.imported is one event per batch). */
export async function rebuildRules(tx: ScopedPrisma | ScopedTransaction, workspaceId: string): Promise<RebuildSummary> {
  await tx.crossSellPairCount.deleteMany({});
  await tx.crossSellProductCount.deleteMany({});
  await tx.crossSellPurchase.deleteMany({});
  await tx.crossSellStats.deleteMany({});
  const lines = await tx.orderLine.findMany({ select: { sku: true, order: { select: { customerId: true, orderedAt: true } } } });
  const baskets = new Map<string, Map<string, Date>>();
  for (const line of lines) {
    const basket = baskets.get(line.order.customerId) ?? new Map<string, Date>();
    const first = basket.get(line.sku);
    if (!first || line.order.orderedAt < first) basket.set(line.sku, line.order.orderedAt);
    baskets.set(line.order.customerId, basket);
  }
  const productCounts = new Map<string, number>();
  const pairCounts = new Map<string, number>();
  const purchases: { workspaceId: string; customerId: string; sku: string; firstPurchaseAt: Date }[] = [];
  for (const [customerId, basket] of baskets) {
    const skus = [...basket.keys()];
    for (const [sku, firstPurchaseAt] of basket) {
      purchases.push({ workspaceId, customerId, sku, firstPurchaseAt });
      productCounts.set(sku, (productCounts.get(sku) ?? 0) + 1);
    }
    for (const a of skus) for (const b of skus) if (a !== b) pairCounts.set(`${a}\u0000${b}`, (pairCounts.get(`${a}\u0000${b}`) ?? 0) + 1);
  }
  for (let i = 0; i < purchases.length; i += 5000) await tx.crossSellPurchase.createMany({ data: purchases.slice(i, i + 5000) });
  await tx.crossSellProductCount.createMany({ data: [...productCounts].map(([sku, customers]) => ({ workspaceId, sku, customers })) });
  const pairRows = [...pairCounts].map(([key, customers]) => {
    const [antecedentSku, consequentSku] = key.split('\u0000') as [string, string];
    return { workspaceId, antecedentSku, consequentSku, customers };
  });
  for (let i = 0; i < pairRows.length; i += 5000) await tx.crossSellPairCount.createMany({ data: pairRows.slice(i, i + 5000) });
  if (baskets.size) await tx.crossSellStats.create({ data: { workspaceId, customers: baskets.size } });
  return { customers: baskets.size, products: productCounts.size, pairs: pairRows.length };
}
