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
 * A customer's money events in a time range, one row each (`customerId`, `at`, `revenue`, `productCost`, `serve`):
 * orders (revenue and product cost), tickets, activities and campaign contacts (cost to serve at the unit costs).
 * Shared by the segment profit report and the monthly snapshots, so the two agree.
 */
export function costedEventsSql(p: CostedEventsParams): string {
  return `
       SELECT "customerId", "orderedAt" AS at, total AS revenue, coalesce(cost, round(total * (1 - ${p.margin}::numeric), 2)) AS "productCost", 0::numeric AS serve
         FROM "Order" WHERE "workspaceId" = ${p.workspace}::uuid AND "orderedAt" >= ${p.from}::timestamptz AND "orderedAt" < ${p.to}::timestamptz
       UNION ALL
       SELECT "customerId", "createdAt", 0, 0, ${p.ticket}::numeric FROM "Ticket"
        WHERE "workspaceId" = ${p.workspace}::uuid AND "createdAt" >= ${p.from}::timestamptz AND "createdAt" < ${p.to}::timestamptz
       UNION ALL
       SELECT "customerId", "occurredAt", 0, 0, ${p.activity}::numeric FROM "Activity"
        WHERE "workspaceId" = ${p.workspace}::uuid AND "occurredAt" >= ${p.from}::timestamptz AND "occurredAt" < ${p.to}::timestamptz
       UNION ALL
       SELECT "customerId", "occurredAt", 0, 0, ${p.contact}::numeric FROM "CampaignResponse"
        WHERE "workspaceId" = ${p.workspace}::uuid AND kind = 'SENT' AND "occurredAt" >= ${p.from}::timestamptz AND "occurredAt" < ${p.to}::timestamptz`;
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
 * Revenue and profit by segment per month, in ONE statement: the month's orders (revenue, product cost) and its
 * tickets, activities and campaign contacts (cost to serve at the workspace's unit costs), grouped by the customers'
 * current segment. Rows only for (month, segment) pairs with any figure.
 */
export async function segmentProfitReport(caller: Caller, range: MonthRange): Promise<SegmentMonth[]> {
  const { starts, ends } = monthBounds(range);
  const { margin, unitCosts } = await loadAnalyticsSettings(caller);
  const rows = await caller.db.$queryRawUnsafe<{ month: string; segment: string; buyers: number; revenue: string; productCost: string; costToServe: string; profit: string }[]>(
    `WITH events AS (${costedEventsSql({ workspace: '$1', from: '$2', to: '$3', margin: '$4', ticket: '$5', activity: '$6', contact: '$7' })})
     SELECT to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, coalesce(s."rfmSegment", '${UNSCORED}') AS segment,
            count(DISTINCT e."customerId") FILTER (WHERE e.revenue > 0)::int AS buyers,
            sum(e.revenue)::text AS revenue, sum(e."productCost")::text AS "productCost", sum(e.serve)::text AS "costToServe",
            (sum(e.revenue) - sum(e."productCost") - sum(e.serve))::text AS profit
       FROM events e LEFT JOIN "CustomerScore" s ON s."customerId" = e."customerId"
      GROUP BY 1, 2 ORDER BY 1, 2`,
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
