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
    // Only the SKUs here (cheap rows); the chosen products' full rows are read at the end.
    db.product.findMany({ where: { active: true }, select: { sku: true } }),
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
  const offerable = new Set(products.map((p) => p.sku));
  const rulesByAntecedent = new Map<string, typeof rules>();
  for (const r of rules) rulesByAntecedent.set(r.antecedentSku, [...(rulesByAntecedent.get(r.antecedentSku) ?? []), r]);
  const popular = [...counts].filter(([sku]) => offerable.has(sku)).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

  const chosen = new Map<string, Candidate[]>();
  for (const customerId of open) {
    const skip = excluded.get(customerId) ?? new Set<string>();
    const best = new Map<string, Candidate>();
    for (const antecedent of bought.get(customerId) ?? []) {
      const antecedentCount = counts.get(antecedent) ?? 0;
      for (const rule of rulesByAntecedent.get(antecedent) ?? []) {
        const consequentCount = counts.get(rule.consequentSku) ?? 0;
        if (!offerable.has(rule.consequentSku) || skip.has(rule.consequentSku) || !antecedentCount || !consequentCount || !total) continue;
        const confidence = rule.customers / antecedentCount;
        const lift = confidence / (consequentCount / total);
        const current = best.get(rule.consequentSku);
        if (current && (current.confidence! > confidence || (current.confidence === confidence && current.lift! >= lift))) continue;
        best.set(rule.consequentSku, {
          sku: rule.consequentSku,
          score: confidence,
          confidence,
          lift,
          antecedentSku: antecedent,
          reason: (names) => `bought by ${rule.customers} of ${antecedentCount} customers who bought ${names.get(antecedent) ?? antecedent}`,
        });
      }
    }
    const ranked = [...best.values()].sort((a, b) => b.score - a.score || b.lift! - a.lift! || a.sku.localeCompare(b.sku)).slice(0, first);
    for (const [sku, customers] of popular) {
      if (ranked.length >= first) break;
      if (skip.has(sku) || best.has(sku)) continue;
      ranked.push({ sku, score: customers / total, confidence: null, lift: null, antecedentSku: null, reason: () => `popular: bought by ${customers} of ${total} customers` });
    }
    chosen.set(customerId, ranked);
  }
  // The chosen products (and the antecedents, for their names) in one query.
  const wanted = new Set([...chosen.values()].flatMap((list) => list.flatMap((c) => (c.antecedentSku ? [c.sku, c.antecedentSku] : [c.sku]))));
  const rows = wanted.size ? await db.product.findMany({ where: { sku: { in: [...wanted] } } }) : [];
  const bySku = new Map(rows.map((p) => [p.sku, p]));
  const names = new Map(rows.map((p) => [p.sku, p.name]));
  for (const [customerId, list] of chosen) {
    result.set(
      customerId,
      list.flatMap(({ sku, reason, ...rest }) => {
        const product = bySku.get(sku);
        return product ? [{ ...rest, product, reason: reason(names) }] : [];
      }),
    );
  }
  return result;
}

/** A suggestion before its product row is read. */
interface Candidate extends Omit<Suggestion, 'product' | 'reason'> {
  sku: string;
  reason: (names: ReadonlyMap<string, string>) => string;
}

function groupSkus(rows: readonly { customerId: string; sku: string }[]) {
  const map = new Map<string, Set<string>>();
  for (const r of rows) map.set(r.customerId, (map.get(r.customerId) ?? new Set()).add(r.sku));
  return map;
}
