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
 * Revenue and profit by segment per month, in ONE statement (the same rules as {@link costedEventsSql}): the month's orders (revenue, product cost) and its
 * tickets, activities and campaign contacts (cost to serve at the workspace's unit costs), grouped by the customers'
 * current segment. Rows only for (month, segment) pairs with any figure.
 */
export async function segmentProfitReport(caller: Caller, range: MonthRange): Promise<SegmentMonth[]> {
  const { starts, ends } = monthBounds(range);
  const { margin, unitCosts } = await loadAnalyticsSettings(caller);
  const month = (column: string) => `date_trunc('month', ${column} AT TIME ZONE 'UTC')`;
  const within = (alias: string, column: string) =>
    `${alias}."workspaceId" = $1::uuid AND ${alias}."${column}" >= $2::timestamptz AND ${alias}."${column}" < $3::timestamptz`;
  // Costs to serve are counted per (month, segment) straight away: grouping them per customer first would mean
  // ~100,000 groups for a year of activities on 10,000 customers.
  const counted = (table: string, column: string, cost: string, extra = '') =>
    `SELECT ${month(`x."${column}"`)} AS month, coalesce(seg."rfmSegment", '${UNSCORED}') AS segment,
            0 AS buyers, 0::numeric AS revenue, 0::numeric AS "productCost", count(*) * ${cost}::numeric AS serve
       FROM "${table}" x LEFT JOIN seg ON seg."customerId" = x."customerId"
      WHERE ${within('x', column)}${extra} GROUP BY 1, 2`;
  const rows = await caller.db.$queryRawUnsafe<{ month: string; segment: string; buyers: number; revenue: string; productCost: string; costToServe: string; profit: string }[]>(
    `WITH seg AS MATERIALIZED (SELECT "customerId", "rfmSegment" FROM "CustomerScore" WHERE "workspaceId" = $1::uuid),
     bought AS (
       SELECT o."customerId", ${month('o."orderedAt"')} AS month, sum(o.total) AS revenue,
              sum(coalesce(o.cost, round(o.total * (1 - $4::numeric), 2))) AS "productCost"
         FROM "Order" o WHERE ${within('o', 'orderedAt')} GROUP BY 1, 2),
     parts AS (
       SELECT b.month, coalesce(seg."rfmSegment", '${UNSCORED}') AS segment, count(*)::int AS buyers,
              sum(b.revenue) AS revenue, sum(b."productCost") AS "productCost", 0::numeric AS serve
         FROM bought b LEFT JOIN seg ON seg."customerId" = b."customerId" GROUP BY 1, 2
       UNION ALL ${counted('Ticket', 'createdAt', '$5')}
       UNION ALL ${counted('Activity', 'occurredAt', '$6')}
       UNION ALL ${counted('CampaignResponse', 'occurredAt', '$7', " AND x.kind = 'SENT'")})
     SELECT to_char(month, 'YYYY-MM') AS month, segment, sum(buyers)::int AS buyers,
            sum(revenue)::text AS revenue, sum("productCost")::text AS "productCost", sum(serve)::text AS "costToServe",
            (sum(revenue) - sum("productCost") - sum(serve))::text AS profit
       FROM parts GROUP BY 1, 2 ORDER BY 1, 2`,
    caller.session.workspaceId,
    starts[0],
    ends[ends.length - 1],
    String(margin),
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
