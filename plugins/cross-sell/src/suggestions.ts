// Ranking suggestions for a page of customers in ONE SQL statement (the SDK's workspace-scoped `sql`): per customer,
// the best rule A → B for every B they could be offered, the top `first` of those, then popular products to fill up,
// each with its product row. Nothing but the chosen rows reaches JavaScript.
import type { Models, PluginSql } from '@crm/plugin-sdk';
import { type CrossSellSettings, crossSellSettings } from './settings.js';

/** Every setting at its default: the base the stored (validated on write, possibly partial) settings override. */
const DEFAULTS = JSON.stringify(crossSellSettings.parse({}));

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

/** One chosen suggestion: the ranking's columns (prefixed `cs`) followed by every column of its Product row. */
type Row = Models.Product & {
  csCustomerId: string;
  csScore: number;
  csConfidence: number | null;
  csLift: number | null;
  csAntecedentSku: string | null;
  csAntecedentName: string | null;
  /** Rule: customers who bought both; popularity: customers who bought the product. */
  csCustomers: number;
  /** Rule: customers who bought the antecedent; popularity: N. */
  csOutOf: number;
};

/**
 * Ranked suggestions per customer: rules first (confidence, then lift, then SKU), then popular products (most
 * customers, then SKU) to fill `first`. Never a product the customer bought, one they dismissed in the last
 * `dismissalDays`, or an inactive one; nothing for a customer who unsubscribed or reached the offer cap. A rule
 * needs `minPairCustomers`; for each product the best rule over the customer's purchases wins (ties: antecedent SKU).
 * `settings` null: the workspace's stored settings are read by the statement itself (one round trip fewer per request).
 */
export async function suggestionsFor(
  sql: PluginSql,
  customerIds: readonly string[],
  first: number,
  settings: CrossSellSettings | null,
  now = new Date(),
): Promise<Map<string, Suggestion[]>> {
  const result = new Map<string, Suggestion[]>(customerIds.map((id) => [id, []]));
  if (!customerIds.length || first <= 0) return result;
  // Planning, not execution, was what cost most here: the MATERIALIZED expressions split the statement into small join
  // problems the planner solves one by one instead of one large one. `cfg`: the settings given, or the stored ones
  // (over the defaults) read from the workspace's row here; the periods end at `now` (as in JavaScript: days of 24 h).
  const rows = await sql<Row>`
    WITH cfg AS MATERIALIZED (
      SELECT (c.s ->> 'maxOffersPerPeriod')::int AS "maxOffers", (c.s ->> 'dismissalDays')::int AS "dismissalDays",
        (c.s ->> 'minPairCustomers')::int AS "minPair",
        ${now}::timestamptz - make_interval(secs => (c.s ->> 'offerPeriodDays')::int * 86400) AS "offersSince",
        ${now}::timestamptz - make_interval(secs => (c.s ->> 'dismissalDays')::int * 86400) AS "dismissedSince"
      FROM (
        SELECT ${DEFAULTS}::jsonb || coalesce(${settings ? JSON.stringify(settings) : null}::jsonb,
          (SELECT CASE WHEN jsonb_typeof(w.settings -> 'plugins' -> 'cross-sell') = 'object' THEN w.settings -> 'plugins' -> 'cross-sell' END FROM "Workspace" w),
          '{}'::jsonb) AS s
      ) c
    ),
    open AS MATERIALIZED (
      SELECT c.id AS "customerId" FROM "Customer" c
      WHERE c.id = ANY(${[...customerIds]}::uuid[])
        AND NOT EXISTS (SELECT 1 FROM "CampaignResponse" r WHERE r."customerId" = c.id AND r.kind = 'UNSUBSCRIBED')
        AND (SELECT count(*) FROM "CrossSellOffer" o WHERE o."customerId" = c.id AND o."offeredAt" > (SELECT "offersSince" FROM cfg))
          < (SELECT "maxOffers" FROM cfg)
    ),
    skipped AS MATERIALIZED (
      SELECT b."customerId", b.sku FROM "CrossSellPurchase" b WHERE b."customerId" IN (SELECT "customerId" FROM open)
      UNION
      SELECT d."customerId", d.sku FROM "CrossSellResponse" d
      WHERE d."customerId" IN (SELECT "customerId" FROM open)
        AND (SELECT "dismissalDays" FROM cfg) > 0 AND d.response = 'DISMISSED' AND d."respondedAt" > (SELECT "dismissedSince" FROM cfg)
    ),
    n AS MATERIALIZED (SELECT s.customers AS total FROM "CrossSellStats" s WHERE s.customers > 0),
    offerable AS MATERIALIZED (
      SELECT pc.sku, pc.customers FROM "CrossSellProductCount" pc
      WHERE pc.customers > 0 AND EXISTS (SELECT 1 FROM "Product" p WHERE p.sku = pc.sku AND p.active)
    ),
    pairs AS MATERIALIZED (
      SELECT b."customerId", pc."antecedentSku", pc."consequentSku", pc.customers
      FROM "CrossSellPurchase" b JOIN "CrossSellPairCount" pc ON pc."antecedentSku" = b.sku
      WHERE b."customerId" IN (SELECT "customerId" FROM open) AND pc.customers >= (SELECT "minPair" FROM cfg)
    ),
    best_rule AS MATERIALIZED (
      SELECT DISTINCT ON (r."customerId", r."consequentSku")
        r."customerId", r."consequentSku" AS sku, r."antecedentSku", r.customers AS together, ac.customers AS antecedents,
        r.customers::float8 / ac.customers AS confidence,
        (r.customers::float8 / ac.customers) / (cc.customers::float8 / (SELECT total FROM n)) AS lift
      FROM pairs r
      JOIN "CrossSellProductCount" ac ON ac.sku = r."antecedentSku" AND ac.customers > 0
      JOIN offerable cc ON cc.sku = r."consequentSku"
      WHERE EXISTS (SELECT 1 FROM n)
        AND NOT EXISTS (SELECT 1 FROM skipped s WHERE s."customerId" = r."customerId" AND s.sku = r."consequentSku")
      ORDER BY r."customerId", r."consequentSku", confidence DESC, lift DESC, r."antecedentSku" COLLATE "C"
    ),
    rule_pick AS MATERIALIZED (
      SELECT * FROM (
        SELECT r.*, row_number() OVER (PARTITION BY r."customerId" ORDER BY r.confidence DESC, r.lift DESC, r.sku COLLATE "C") AS rank
        FROM best_rule r
      ) ranked WHERE rank <= ${first}::int
    ),
    popular_pick AS MATERIALIZED (
      SELECT * FROM (
        SELECT o."customerId", p.sku, p.customers, (SELECT total FROM n) AS total,
          (SELECT count(*) FROM rule_pick rp WHERE rp."customerId" = o."customerId")
            + row_number() OVER (PARTITION BY o."customerId" ORDER BY p.customers DESC, p.sku COLLATE "C") AS rank
        FROM open o CROSS JOIN offerable p
        WHERE EXISTS (SELECT 1 FROM n)
          AND NOT EXISTS (SELECT 1 FROM skipped s WHERE s."customerId" = o."customerId" AND s.sku = p.sku)
          AND NOT EXISTS (SELECT 1 FROM best_rule r WHERE r."customerId" = o."customerId" AND r.sku = p.sku)
      ) ranked WHERE rank <= ${first}::int
    ),
    picked AS MATERIALIZED (
      SELECT "customerId", sku, rank, confidence AS score, confidence, lift, "antecedentSku", together AS customers, antecedents AS "outOf"
      FROM rule_pick
      UNION ALL
      SELECT "customerId", sku, rank, customers::float8 / total, NULL, NULL, NULL, customers, total
      FROM popular_pick
    )
    SELECT k."customerId" AS "csCustomerId", k.score AS "csScore", k.confidence AS "csConfidence", k.lift AS "csLift",
      k."antecedentSku" AS "csAntecedentSku", a.name AS "csAntecedentName", k.customers::int AS "csCustomers", k."outOf"::int AS "csOutOf",
      p.*
    FROM picked k
    JOIN "Product" p ON p.sku = k.sku
    LEFT JOIN "Product" a ON a.sku = k."antecedentSku"
    ORDER BY k."customerId", k.rank`;
  for (const row of rows) {
    const { csCustomerId, csScore, csConfidence, csLift, csAntecedentSku, csAntecedentName, csCustomers, csOutOf, ...product } = row;
    const reason = csAntecedentSku
      ? `bought by ${csCustomers} of ${csOutOf} customers who bought ${csAntecedentName ?? csAntecedentSku}`
      : `popular: bought by ${csCustomers} of ${csOutOf} customers`;
    result.get(csCustomerId)?.push({ product, score: csScore, confidence: csConfidence, lift: csLift, antecedentSku: csAntecedentSku, reason });
  }
  return result;
}
