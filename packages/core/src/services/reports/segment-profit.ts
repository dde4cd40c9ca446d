import type { Caller } from '../../command.js';
import { formatMoney } from '../../money.js';
import { loadAnalyticsSettings } from '../analytics/settings.js';
import type { MonthRange } from './period.js';
import { monthBounds } from './retention.js';
import { UNSCORED } from './satisfaction.js';

/** Placeholders (`$n`) of the statement that embeds {@link costedEventsSql}. */
export interface CostedEventsParams {
  workspace: string;
  from: string;
  to: string;
  margin: string;
  ticket: string;
  activity: string;
  contact: string;
}

/**
 * A customer's money in a time range per customer and month (`customerId`, `month`, `revenue`, `productCost`, `serve`):
 * orders (revenue and product cost), tickets, activities and campaign contacts (cost to serve at the unit costs).
 * Shared by the segment profit report and the monthly snapshots, so the two agree.
 */
export function costedEventsSql(p: CostedEventsParams): string {
  const month = (column: string) => `date_trunc('month', ${column} AT TIME ZONE 'UTC')`;
  const range = (column: string) => `"workspaceId" = ${p.workspace}::uuid AND ${column} >= ${p.from}::timestamptz AND ${column} < ${p.to}::timestamptz`;
  // Each source is aggregated per customer and month first: far fewer rows to union and group afterwards.
  const counted = (table: string, column: string, cost: string, extra = '') =>
    `SELECT "customerId", ${month(`"${column}"`)} AS month, 0::numeric, 0::numeric, count(*) * ${cost}::numeric
       FROM "${table}" WHERE ${range(`"${column}"`)}${extra} GROUP BY 1, 2`;
  return `
       SELECT "customerId", ${month('"orderedAt"')} AS month, sum(total) AS revenue,
              sum(coalesce(cost, round(total * (1 - ${p.margin}::numeric), 2))) AS "productCost", 0::numeric AS serve
         FROM "Order" WHERE ${range('"orderedAt"')} GROUP BY 1, 2
       UNION ALL ${counted('Ticket', 'createdAt', p.ticket)}
       UNION ALL ${counted('Activity', 'occurredAt', p.activity)}
       UNION ALL ${counted('CampaignResponse', 'occurredAt', p.contact, " AND kind = 'SENT'")}`;
}

export interface SegmentMonth {
  month: string;
  /** The customers' RFM segment as of the latest fit (`Unscored` without a score). */
  segment: string;
  /** Customers of the segment who bought in the month. */
  buyers: number;
  revenue: string;
  productCost: string;
  costToServe: string;
  /** Revenue − product cost − cost to serve, the per-customer profit rule applied to the month's events. */
  profit: string;
}

/**
 * Revenue and profit by segment per month, in ONE statement over the `CustomerMonth` rollup (per customer and month:
 * orders, revenue, product cost, ticket / activity / campaign-contact counts, kept current by triggers in the
 * transaction of every write; see the migration `customer_month_rollup`), grouped by the customers' current segment.
 * The same figures as {@link costedEventsSql} over the raw tables (a test checks it), without reading a year of
 * orders and activities: ~1 row per active customer and month. Rows only for (month, segment) pairs with any figure.
 */
export async function segmentProfitReport(caller: Caller, range: MonthRange): Promise<SegmentMonth[]> {
  const { starts, ends } = monthBounds(range);
  const { unitCosts } = await loadAnalyticsSettings(caller);
  const rows = await caller.db.$queryRawUnsafe<{ month: string; segment: string; buyers: number; revenue: string; productCost: string; costToServe: string; profit: string }[]>(
    `WITH seg AS MATERIALIZED (SELECT "customerId", "rfmSegment" FROM "CustomerScore" WHERE "workspaceId" = $1::uuid),
     parts AS (
       SELECT m.month, coalesce(seg."rfmSegment", '${UNSCORED}') AS segment, count(*) FILTER (WHERE m.orders > 0)::int AS buyers,
              sum(m.revenue) AS revenue, sum(m."productCost") AS "productCost",
              sum(m.tickets) * $4::numeric + sum(m.activities) * $5::numeric + sum(m."campaignContacts") * $6::numeric AS serve
         FROM "CustomerMonth" m LEFT JOIN seg ON seg."customerId" = m."customerId"
        WHERE m."workspaceId" = $1::uuid AND m.month >= $2::date AND m.month < $3::date
        GROUP BY 1, 2)
     SELECT to_char(month, 'YYYY-MM') AS month, segment, buyers, revenue::text AS revenue, "productCost"::text AS "productCost",
            serve::text AS "costToServe", (revenue - "productCost" - serve)::text AS profit
       FROM parts ORDER BY 1, 2`,
    caller.session.workspaceId,
    starts[0]!.slice(0, 10),
    ends[ends.length - 1]!.slice(0, 10),
    String(unitCosts.ticket),
    String(unitCosts.activity),
    String(unitCosts.campaignContact),
  );
  return rows.map((r) => ({
    month: r.month,
    segment: r.segment,
    buyers: r.buyers,
    revenue: formatMoney(r.revenue)!,
    productCost: formatMoney(r.productCost)!,
    costToServe: formatMoney(r.costToServe)!,
    profit: formatMoney(r.profit)!,
  }));
}
