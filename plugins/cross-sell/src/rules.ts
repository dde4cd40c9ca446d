// Keeping the rules' counts: incrementally per recorded order (only SKUs new to the customer change anything, so a
// redelivered event is a no-op even without the SDK's processed mark), and a full rebuild (SQL aggregates) for imports.
import type { PluginSql, ScopedPrisma, ScopedTransaction } from '@crm/plugin-sdk';

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

/**
 * Recomputes every count of the workspace from its orders (after imports; order.imported is one event per batch).
 * The baskets and the pair counts are aggregated in SQL (two statements), so only the rows to write reach JavaScript.
 */
export async function rebuildRules(tx: ScopedPrisma | ScopedTransaction, sql: PluginSql, workspaceId: string): Promise<RebuildSummary> {
  await tx.crossSellPairCount.deleteMany({});
  await tx.crossSellProductCount.deleteMany({});
  await tx.crossSellPurchase.deleteMany({});
  await tx.crossSellStats.deleteMany({});
  const basketsSql = sql<{ customerId: string; sku: string; firstPurchaseAt: Date }>`
    SELECT o."customerId", l.sku, min(o."orderedAt") AS "firstPurchaseAt"
    FROM "OrderLine" l JOIN "Order" o ON o.id = l."orderId"
    GROUP BY o."customerId", l.sku`;
  // Both directions of every pair of SKUs in a basket, counted over customers.
  const pairsSql = sql<{ antecedentSku: string; consequentSku: string; customers: number }>`
    WITH basket AS (
      SELECT DISTINCT o."customerId", l.sku FROM "OrderLine" l JOIN "Order" o ON o.id = l."orderId"
    )
    SELECT a.sku AS "antecedentSku", b.sku AS "consequentSku", count(*)::int AS customers
    FROM basket a JOIN basket b ON b."customerId" = a."customerId" AND b.sku <> a.sku
    GROUP BY a.sku, b.sku`;
  const baskets = await basketsSql;
  const pairs = await pairsSql;
  const productCounts = new Map<string, number>();
  const customers = new Set<string>();
  for (const b of baskets) {
    productCounts.set(b.sku, (productCounts.get(b.sku) ?? 0) + 1);
    customers.add(b.customerId);
  }
  const purchases = baskets.map((b) => ({ workspaceId, ...b }));
  for (let i = 0; i < purchases.length; i += 5000) await tx.crossSellPurchase.createMany({ data: purchases.slice(i, i + 5000) });
  await tx.crossSellProductCount.createMany({ data: [...productCounts].map(([sku, count]) => ({ workspaceId, sku, customers: count })) });
  const pairRows = pairs.map((p) => ({ workspaceId, ...p }));
  for (let i = 0; i < pairRows.length; i += 5000) await tx.crossSellPairCount.createMany({ data: pairRows.slice(i, i + 5000) });
  if (customers.size) await tx.crossSellStats.create({ data: { workspaceId, customers: customers.size } });
  return { customers: customers.size, products: productCounts.size, pairs: pairRows.length };
}
