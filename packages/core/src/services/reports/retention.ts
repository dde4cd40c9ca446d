import type { Caller } from '../../command.js';
import { notTrashed, ofLiveCustomer } from './live-rows.js';
import { type MonthRange, rate } from './period.js';

const ACTIVE = `('CUSTOMER', 'ADVOCATE')`;

/** The first days of the range's months and of the months after them (parameters for `unnest`). */
export function monthBounds(range: MonthRange): { starts: string[]; ends: string[] } {
  const starts: string[] = [];
  const ends: string[] = [];
  for (let i = 0; i < range.months; i++) {
    starts.push(new Date(Date.UTC(range.from.getUTCFullYear(), range.from.getUTCMonth() + i, 1)).toISOString());
    ends.push(new Date(Date.UTC(range.from.getUTCFullYear(), range.from.getUTCMonth() + i + 1, 1)).toISOString());
  }
  return { starts, ends };
}

export interface DefectionMonth {
  month: string;
  /** Customers whose stage was CUSTOMER or ADVOCATE at the start of the month (from the stage-change history). */
  activeAtStart: number;
  /** Changes from CUSTOMER or ADVOCATE to CHURNED during the month. */
  defections: number;
  /** defections / activeAtStart; null when nobody was active. */
  rate: number | null;
}

/**
 * Defection rate per month, in ONE statement over the stage-change history: each change opens a span that lasts until
 * the customer's next change; a customer is active at an instant inside a CUSTOMER or ADVOCATE span.
 */
export async function defectionRateReport(caller: Caller, range: MonthRange): Promise<DefectionMonth[]> {
  const { starts, ends } = monthBounds(range);
  const rows = await caller.db.$queryRawUnsafe<{ month: string; active: number; defections: number }[]>(
    `WITH spans AS MATERIALIZED (
       SELECT * FROM (
         SELECT "toStage", "changedAt" AS since, lead("changedAt") OVER (PARTITION BY "customerId" ORDER BY "changedAt", id) AS until
           FROM "LifecycleChange" lc WHERE lc."workspaceId" = $1::uuid AND ${ofLiveCustomer('lc')}) s
        WHERE "toStage" IN ${ACTIVE}),
     months AS (SELECT * FROM unnest($2::timestamptz[], $3::timestamptz[]) AS m(start, "end")),
     active AS (
       -- A customer's spans do not overlap, so each active customer covers a month's start with exactly one span.
       SELECT m.start, count(s.since)::int AS n FROM months m
         LEFT JOIN spans s ON s.since < m.start AND (s.until IS NULL OR s.until >= m.start)
        GROUP BY m.start),
     defected AS (
       SELECT m.start, count(lc.id)::int AS n FROM months m
         LEFT JOIN "LifecycleChange" lc ON lc."workspaceId" = $1::uuid AND lc."toStage" = 'CHURNED' AND lc."fromStage" IN ${ACTIVE}
                                        AND lc."changedAt" >= m.start AND lc."changedAt" < m."end" AND ${ofLiveCustomer('lc')}
        GROUP BY m.start)
     SELECT to_char(a.start AT TIME ZONE 'UTC', 'YYYY-MM') AS month, a.n AS active, d.n AS defections
       FROM active a JOIN defected d ON d.start = a.start ORDER BY a.start`,
    caller.session.workspaceId,
    starts,
    ends,
  );
  return rows.map((r) => ({ month: r.month, activeAtStart: r.active, defections: r.defections, rate: rate(r.defections, r.active) }));
}

export type DefectionReasonSource = 'CHURN' | 'LOST_DEAL' | 'TICKET';

export interface DefectionReason {
  source: DefectionReasonSource;
  /** The recorded reason (a ticket's subject); `(none recorded)` when empty. */
  reason: string;
  count: number;
}

/** Days before a defection in which a defector's tickets count as a reason. */
export const TICKET_WINDOW_DAYS = 90;

/**
 * The recorded reasons for defections in the range, in ONE statement: churn reasons of the stage changes to CHURNED,
 * lost-deal reasons of deals lost, and the subjects of tickets a defector opened in the 90 days before defecting.
 */
export async function defectionReasonsReport(caller: Caller, range: MonthRange): Promise<DefectionReason[]> {
  const { starts, ends } = monthBounds(range);
  const from = starts[0];
  const to = ends[ends.length - 1];
  const rows = await caller.db.$queryRawUnsafe<DefectionReason[]>(
    `WITH defections AS (
       SELECT "customerId", "changedAt", coalesce(nullif(btrim(reason), ''), '(none recorded)') AS reason
         FROM "LifecycleChange" lc
        WHERE lc."workspaceId" = $1::uuid AND ${ofLiveCustomer('lc')} AND "toStage" = 'CHURNED' AND "changedAt" >= $2::timestamptz AND "changedAt" < $3::timestamptz)
     SELECT 'CHURN' AS source, reason, count(*)::int AS count FROM defections GROUP BY reason
     UNION ALL
     SELECT 'LOST_DEAL', coalesce(nullif(btrim("lostReason"), ''), '(none recorded)'), count(*)::int
       FROM "Deal" d WHERE d."workspaceId" = $1::uuid AND ${notTrashed('d')} AND status = 'LOST' AND "closedAt" >= $2::timestamptz AND "closedAt" < $3::timestamptz
      GROUP BY 2
     UNION ALL
     SELECT 'TICKET', t.subject, count(DISTINCT t.id)::int
       FROM defections d JOIN "Ticket" t ON t."customerId" = d."customerId" AND ${notTrashed('t')}
        AND t."createdAt" <= d."changedAt" AND t."createdAt" > d."changedAt" - make_interval(days => ${TICKET_WINDOW_DAYS})
      GROUP BY t.subject
     ORDER BY 1, 3 DESC, 2`,
    caller.session.workspaceId,
    from,
    to,
  );
  return rows;
}

export interface CohortRow {
  /** The month of the cohort's first purchases (YYYY-MM). */
  cohort: string;
  /** Customers whose first order was in that month. */
  size: number;
  /** Index k: customers of the cohort who ordered in the k-th month after it (k = 0 is the cohort month: all). */
  retained: number[];
  /** retained[k] / size. */
  retention: number[];
}

/**
 * Monthly acquisition cohorts (by first order) with retention by month, in ONE statement over orders: the cohort ×
 * month-offset counts of distinct buying customers, for cohorts and months inside the range.
 */
export async function cohortReport(caller: Caller, range: MonthRange): Promise<CohortRow[]> {
  const { starts, ends } = monthBounds(range);
  const rows = await caller.db.$queryRawUnsafe<{ cohort: string; offset: number; customers: number }[]>(
    `WITH firsts AS (
       SELECT "customerId", date_trunc('month', min("orderedAt") AT TIME ZONE 'UTC') AS cohort
         FROM "Order" WHERE "workspaceId" = $1::uuid GROUP BY "customerId"),
     activity AS (
       SELECT DISTINCT "customerId", date_trunc('month', "orderedAt" AT TIME ZONE 'UTC') AS month
         FROM "Order" WHERE "workspaceId" = $1::uuid AND "orderedAt" >= $2::timestamptz AND "orderedAt" < $3::timestamptz)
     SELECT to_char(f.cohort, 'YYYY-MM') AS cohort,
            ((extract(year FROM a.month) - extract(year FROM f.cohort)) * 12 + extract(month FROM a.month) - extract(month FROM f.cohort))::int AS "offset",
            count(*)::int AS customers
       FROM firsts f JOIN activity a ON a."customerId" = f."customerId"
      WHERE f.cohort >= ($2::timestamptz AT TIME ZONE 'UTC') AND f.cohort < ($3::timestamptz AT TIME ZONE 'UTC')
      GROUP BY 1, 2`,
    caller.session.workspaceId,
    starts[0],
    ends[ends.length - 1],
  );
  const cells = new Map(rows.map((r) => [`${r.cohort}/${r.offset}`, r.customers]));
  return starts
    .map((start, index) => {
      const cohort = start.slice(0, 7);
      const size = cells.get(`${cohort}/0`) ?? 0;
      const retained = Array.from({ length: range.months - index }, (_, k) => cells.get(`${cohort}/${k}`) ?? 0);
      return { cohort, size, retained, retention: retained.map((n) => rate(n, size) ?? 0) };
    })
    .filter((row) => row.size > 0);
}
