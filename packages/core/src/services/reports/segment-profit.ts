import type { Caller } from '../../command.js';
import { formatMoney } from '../../money.js';
import { loadAnalyticsSettings } from '../analytics/settings.js';
import type { MonthRange } from './period.js';
import { monthBounds } from './retention.js';
import { UNSCORED } from './satisfaction.js';

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
    `WITH events AS (
       SELECT "customerId", "orderedAt" AS at, total AS revenue, coalesce(cost, round(total * (1 - $4::numeric), 2)) AS "productCost", 0::numeric AS serve
         FROM "Order" WHERE "workspaceId" = $1::uuid AND "orderedAt" >= $2::timestamptz AND "orderedAt" < $3::timestamptz
       UNION ALL
       SELECT "customerId", "createdAt", 0, 0, $5::numeric FROM "Ticket"
        WHERE "workspaceId" = $1::uuid AND "createdAt" >= $2::timestamptz AND "createdAt" < $3::timestamptz
       UNION ALL
       SELECT "customerId", "occurredAt", 0, 0, $6::numeric FROM "Activity"
        WHERE "workspaceId" = $1::uuid AND "occurredAt" >= $2::timestamptz AND "occurredAt" < $3::timestamptz
       UNION ALL
       SELECT "customerId", "occurredAt", 0, 0, $7::numeric FROM "CampaignResponse"
        WHERE "workspaceId" = $1::uuid AND kind = 'SENT' AND "occurredAt" >= $2::timestamptz AND "occurredAt" < $3::timestamptz)
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
