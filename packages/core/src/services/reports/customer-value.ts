import type { Caller } from '../../command.js';
import { badInput } from '../../errors.js';
import { formatMoney } from '../../money.js';
import { notTrashed, ofLiveCustomer } from './live-rows.js';
import { num, rate } from './period.js';

/** One part of customer equity (an RFM segment or a lifecycle stage). */
export interface EquityPart {
  key: string;
  customers: number;
  equity: string;
  /** Of the workspace's equity; null when that is 0. */
  share: number | null;
}

export interface CustomerEquityReport {
  /** Sum of predicted lifetime value over the scored customers (as of the latest fit). */
  total: string;
  customers: number;
  bySegment: EquityPart[];
  byStage: EquityPart[];
}

/**
 * Customer equity and its split by RFM segment and by lifecycle stage, in ONE statement over `CustomerScore`.
 * Only customers the latest fit scored count (the others have no prediction), and not those in the trash.
 */
export async function customerEquityReport(caller: Caller): Promise<CustomerEquityReport> {
  const rows = await caller.db.$queryRawUnsafe<{ dim: string; key: string; customers: number; equity: string }[]>(
    `SELECT 'segment' AS dim, s."rfmSegment" AS key, count(*)::int AS customers, coalesce(sum(s."predictedLifetimeValue"), 0)::text AS equity
       FROM "CustomerScore" s WHERE s."workspaceId" = $1::uuid AND ${ofLiveCustomer('s')} GROUP BY s."rfmSegment"
     UNION ALL
     SELECT 'stage', c."lifecycleStage"::text, count(*)::int, coalesce(sum(s."predictedLifetimeValue"), 0)::text
       FROM "CustomerScore" s JOIN "Customer" c ON c.id = s."customerId"
      WHERE s."workspaceId" = $1::uuid AND ${notTrashed('c')} GROUP BY c."lifecycleStage"`,
    caller.session.workspaceId,
  );
  const segments = rows.filter((r) => r.dim === 'segment');
  const total = segments.reduce((sum, r) => sum + num(r.equity), 0);
  const part = (r: (typeof rows)[number]): EquityPart => ({ key: r.key, customers: r.customers, equity: formatMoney(r.equity)!, share: rate(num(r.equity), total) });
  const byEquity = (a: EquityPart, b: EquityPart) => num(b.equity) - num(a.equity) || a.key.localeCompare(b.key);
  return {
    total: formatMoney(total)!,
    customers: segments.reduce((sum, r) => sum + r.customers, 0),
    bySegment: segments.map(part).sort(byEquity),
    byStage: rows.filter((r) => r.dim === 'stage').map(part).sort(byEquity),
  };
}

/** A point of the whale curve: the most profitable `customerShare` of customers earn `profitShare` of the profit. */
export interface WhaleCurvePoint {
  customers: number;
  customerShare: number;
  cumulativeProfit: string;
  /** Can exceed 1: unprofitable customers take some of the top customers' profit back. */
  profitShare: number | null;
}

export interface ValueConcentrationReport {
  customers: number;
  totalProfit: string;
  /** Profit of the top 20 % (⌈0.2 · n⌉ customers ranked by profit) over the total; null when the total is 0. */
  top20Share: number | null;
  whaleCurve: WhaleCurvePoint[];
}

export const MAX_WHALE_POINTS = 100;

/**
 * Value concentration from the scored customers' profit (as of the latest fit): customers ranked by profit, highest
 * first, with a running sum; ONE statement returns only the rows at the curve's points (⌈n · k / points⌉).
 */
export async function valueConcentrationReport(caller: Caller, points = 10): Promise<ValueConcentrationReport> {
  if (!Number.isInteger(points) || points < 1 || points > MAX_WHALE_POINTS) throw badInput(`points: 1–${MAX_WHALE_POINTS}`, 'points');
  const rows = await caller.db.$queryRawUnsafe<{ rank: number; n: number; total: string; cumulative: string; top20: boolean }[]>(
    `WITH ranked AS (
       SELECT row_number() OVER w AS rank, count(*) OVER () AS n, sum(profit) OVER () AS total, sum(profit) OVER (w ROWS UNBOUNDED PRECEDING) AS cumulative
         FROM "CustomerScore" s WHERE s."workspaceId" = $1::uuid AND ${ofLiveCustomer('s')}
       WINDOW w AS (ORDER BY profit DESC, "customerId"))
     SELECT rank::int, n::int, total::text, cumulative::text, rank = ceil(n * 0.2) AS top20
       FROM ranked
      WHERE rank = ceil(n * 0.2)
         OR EXISTS (SELECT 1 FROM generate_series(1, $2::int) g WHERE ceil(ranked.n * g / $2::numeric) = ranked.rank)
      ORDER BY rank`,
    caller.session.workspaceId,
    points,
  );
  const n = rows[0]?.n ?? 0;
  const total = num(rows[0]?.total);
  const top = rows.find((r) => r.top20);
  return {
    customers: n,
    totalProfit: formatMoney(total)!,
    top20Share: top ? rate(num(top.cumulative), total) : null,
    whaleCurve: rows
      .filter((r) => rows.length === 0 || !r.top20 || isCurvePoint(r.rank, n, points))
      .map((r) => ({ customers: r.rank, customerShare: rate(r.rank, n)!, cumulativeProfit: formatMoney(r.cumulative)!, profitShare: rate(num(r.cumulative), total) })),
  };
}

function isCurvePoint(rank: number, n: number, points: number): boolean {
  for (let g = 1; g <= points; g++) if (Math.ceil((n * g) / points) === rank) return true;
  return false;
}
