import type { Caller } from '../../command.js';
import { badInput } from '../../errors.js';
import { formatMoney } from '../../money.js';
import { MAX_REPORT_MONTHS, monthRange } from './period.js';
import { monthBounds } from './retention.js';

/** Revenue of one calendar month (UTC). */
export interface RevenueMonth {
  /** YYYY-MM. */
  month: string;
  /** Sum of the totals of the orders placed in the month (`"0.00"` when none). */
  revenue: string;
  orders: number;
}

/**
 * Revenue and order count per month for the `months` calendar months ending with the current one, oldest first, every
 * month present (zero when no order): ONE aggregate over the orders of the range (index `workspaceId, orderedAt`),
 * so the dashboard's chart costs one request whatever the number of orders.
 */
export async function revenueByMonthReport(caller: Caller, months = 12, now: Date = new Date()): Promise<RevenueMonth[]> {
  if (!Number.isInteger(months) || months < 1 || months > MAX_REPORT_MONTHS) throw badInput(`months: 1–${MAX_REPORT_MONTHS}`, 'months');
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1));
  const { starts, ends } = monthBounds(monthRange(from, now));
  const rows = await caller.db.$queryRawUnsafe<{ month: string; revenue: string; orders: number }[]>(
    `WITH months AS (SELECT * FROM unnest($2::timestamptz[], $3::timestamptz[]) AS m(start, "end"))
     SELECT to_char(m.start AT TIME ZONE 'UTC', 'YYYY-MM') AS month, coalesce(sum(o.total), 0)::text AS revenue, count(o.id)::int AS orders
       FROM months m
       LEFT JOIN "Order" o ON o."workspaceId" = $1::uuid AND o."orderedAt" >= m.start AND o."orderedAt" < m."end"
      GROUP BY m.start
      ORDER BY m.start`,
    caller.session.workspaceId,
    starts,
    ends,
  );
  return rows.map((r) => ({ month: r.month, revenue: formatMoney(r.revenue)!, orders: r.orders }));
}
