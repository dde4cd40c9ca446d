// Ranking suggestions for a page of customers in a fixed number of queries (whatever the page size): the customers'
// baskets, the rules whose antecedent they bought, product counts, N, recent dismissals and offers, unsubscribes.
import type { Models, ScopedPrisma, ScopedTransaction } from '@crm/plugin-sdk';
import type { CrossSellSettings } from './settings.js';

export interface Suggestion {
  product: Models.Product;
  /** Rules: the best rule's confidence; popularity: the product's support (share of customers who bought it). */
  score: number;
  /** Null for a popularity suggestion (no rule behind it). */
  confidence: number | null;
  lift: number | null;
  antecedentSku: string | null;
  reason: string;
}

const DAY_MS = 86_400_000;
type Db = ScopedPrisma | ScopedTransaction;

/** Why a customer gets no suggestions now (unsubscribed, or the period's offers used up), per customer id. */
export async function blockedCustomers(db: Db, customerIds: readonly string[], settings: CrossSellSettings, now: Date) {
  const [unsubscribed, offers] = await Promise.all([
    db.campaignResponse.findMany({
      where: { customerId: { in: [...customerIds] }, kind: 'UNSUBSCRIBED' },
      select: { customerId: true },
      distinct: ['customerId'],
    }),
    db.crossSellOffer.groupBy({
      by: ['customerId'],
      where: { customerId: { in: [...customerIds] }, offeredAt: { gt: new Date(now.getTime() - settings.offerPeriodDays * DAY_MS) } },
      _count: { _all: true },
    }),
  ]);
  const blocked = new Map<string, 'UNSUBSCRIBED' | 'CAP_REACHED'>();
  for (const o of offers) if (o._count._all >= settings.maxOffersPerPeriod) blocked.set(o.customerId, 'CAP_REACHED');
  for (const u of unsubscribed) blocked.set(u.customerId, 'UNSUBSCRIBED');
  return blocked;
}

/** Ranked suggestions per customer: rules first (by confidence, then lift), then popular products to fill `first`. */
export async function suggestionsFor(
  db: Db,
  customerIds: readonly string[],
  first: number,
  settings: CrossSellSettings,
  now = new Date(),
): Promise<Map<string, Suggestion[]>> {
  const result = new Map<string, Suggestion[]>(customerIds.map((id) => [id, []]));
  if (!customerIds.length || first <= 0) return result;
  // Independent reads in parallel (outside a transaction each takes its own pooled connection): two round trips in all.
  const since = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const ids = [...customerIds];
  const [blocked, purchases, dismissed, countRows, stats, products] = await Promise.all([
    blockedCustomers(db, ids, settings, now),
    db.crossSellPurchase.findMany({ where: { customerId: { in: ids } }, select: { customerId: true, sku: true } }),
    settings.dismissalDays
      ? db.crossSellResponse.findMany({
          where: { customerId: { in: ids }, response: 'DISMISSED', respondedAt: { gt: since(settings.dismissalDays) } },
          select: { customerId: true, sku: true },
        })
      : Promise.resolve([]),
    db.crossSellProductCount.findMany({ select: { sku: true, customers: true } }),
    db.crossSellStats.findFirst({ select: { customers: true } }),
    db.product.findMany({ where: { active: true } }),
  ]);
  const open = customerIds.filter((id) => !blocked.has(id));
  if (!open.length) return result;
  const bought = groupSkus(purchases);
  const excluded = groupSkus([...purchases, ...dismissed]);
  const antecedents = [...new Set(purchases.filter((p) => !blocked.has(p.customerId)).map((p) => p.sku))];
  const rules = antecedents.length
    ? await db.crossSellPairCount.findMany({
        where: { antecedentSku: { in: antecedents }, customers: { gte: settings.minPairCustomers } },
        select: { antecedentSku: true, consequentSku: true, customers: true },
      })
    : [];
  const counts = new Map(countRows.map((c) => [c.sku, c.customers]));
  const total = stats?.customers ?? 0;
  const catalog = new Map(products.map((p) => [p.sku, p]));
  const rulesByAntecedent = new Map<string, typeof rules>();
  for (const r of rules) rulesByAntecedent.set(r.antecedentSku, [...(rulesByAntecedent.get(r.antecedentSku) ?? []), r]);
  const popular = [...counts].filter(([sku]) => catalog.has(sku)).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

  for (const customerId of open) {
    const skip = excluded.get(customerId) ?? new Set<string>();
    const best = new Map<string, Suggestion>();
    for (const antecedent of bought.get(customerId) ?? []) {
      const antecedentCount = counts.get(antecedent) ?? 0;
      for (const rule of rulesByAntecedent.get(antecedent) ?? []) {
        const product = catalog.get(rule.consequentSku);
        const consequentCount = counts.get(rule.consequentSku) ?? 0;
        if (!product || skip.has(rule.consequentSku) || !antecedentCount || !consequentCount || !total) continue;
        const confidence = rule.customers / antecedentCount;
        const lift = confidence / (consequentCount / total);
        const current = best.get(rule.consequentSku);
        if (current && (current.confidence! > confidence || (current.confidence === confidence && current.lift! >= lift))) continue;
        const name = catalog.get(antecedent)?.name ?? antecedent;
        best.set(rule.consequentSku, {
          product,
          score: confidence,
          confidence,
          lift,
          antecedentSku: antecedent,
          reason: `bought by ${rule.customers} of ${antecedentCount} customers who bought ${name}`,
        });
      }
    }
    const ranked = [...best.values()].sort((a, b) => b.score - a.score || b.lift! - a.lift! || a.product.sku.localeCompare(b.product.sku)).slice(0, first);
    for (const [sku, customers] of popular) {
      if (ranked.length >= first) break;
      if (skip.has(sku) || best.has(sku)) continue;
      ranked.push({
        product: catalog.get(sku)!,
        score: customers / total,
        confidence: null,
        lift: null,
        antecedentSku: null,
        reason: `popular: bought by ${customers} of ${total} customers`,
      });
    }
    result.set(customerId, ranked);
  }
  return result;
}

function groupSkus(rows: readonly { customerId: string; sku: string }[]) {
  const map = new Map<string, Set<string>>();
  for (const r of rows) map.set(r.customerId, (map.get(r.customerId) ?? new Set()).add(r.sku));
  return map;
}
