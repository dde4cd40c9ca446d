import type { Caller } from '../../command.js';
import { type MonthRange, num } from './period.js';
import { monthBounds } from './retention.js';

/** Satisfaction of one group (a segment or a month). */
export interface SatisfactionFigures {
  csatResponses: number;
  /** Mean CSAT score (1–5), two decimals; null without ratings. */
  averageCsat: number | null;
  npsResponses: number;
  /** % promoters (9–10) − % detractors (0–6), one decimal; null without answers. */
  nps: number | null;
}

export interface SatisfactionReport {
  /** By the customer's RFM segment as of the latest fit (`Unscored` for customers without a score). */
  bySegment: (SatisfactionFigures & { segment: string })[];
  /** By the month of the response, every month of the range. */
  byMonth: (SatisfactionFigures & { month: string })[];
}

export const UNSCORED = 'Unscored';

interface Row {
  dim: 'segment' | 'month';
  key: string;
  csat: number;
  csatAvg: number | null;
  npsN: number;
  nps: number | null;
}

/** CSAT and NPS by segment (all time) and per month of the range, in ONE statement. */
export async function satisfactionReport(caller: Caller, range: MonthRange): Promise<SatisfactionReport> {
  const { starts, ends } = monthBounds(range);
  const figures = `count(*) FILTER (WHERE r.kind = 'CSAT')::int AS csat,
                   round(avg(r.score) FILTER (WHERE r.kind = 'CSAT'), 2)::float8 AS "csatAvg",
                   count(*) FILTER (WHERE r.kind = 'NPS')::int AS "npsN",
                   round(100.0 * (count(*) FILTER (WHERE r.kind = 'NPS' AND r.score >= 9) - count(*) FILTER (WHERE r.kind = 'NPS' AND r.score <= 6))
                         / nullif(count(*) FILTER (WHERE r.kind = 'NPS'), 0), 1)::float8 AS nps`;
  const rows = await caller.db.$queryRawUnsafe<Row[]>(
    `SELECT 'segment' AS dim, coalesce(s."rfmSegment", '${UNSCORED}') AS key, ${figures}
       FROM "SurveyResponse" r LEFT JOIN "CustomerScore" s ON s."customerId" = r."customerId"
      WHERE r."workspaceId" = $1::uuid GROUP BY 2
     UNION ALL
     SELECT 'month', to_char(m.start AT TIME ZONE 'UTC', 'YYYY-MM'), ${figures}
       FROM unnest($2::timestamptz[], $3::timestamptz[]) AS m(start, "end")
       LEFT JOIN "SurveyResponse" r ON r."workspaceId" = $1::uuid AND r."respondedAt" >= m.start AND r."respondedAt" < m."end"
      GROUP BY 2`,
    caller.session.workspaceId,
    starts,
    ends,
  );
  const pick = (r: Row): SatisfactionFigures => ({ csatResponses: r.csat, averageCsat: r.csatAvg === null ? null : num(r.csatAvg), npsResponses: r.npsN, nps: r.nps === null ? null : num(r.nps) });
  return {
    bySegment: rows.filter((r) => r.dim === 'segment').map((r) => ({ segment: String(r.key), ...pick(r) })).sort((a, b) => a.segment.localeCompare(b.segment)),
    byMonth: rows
      .filter((r) => r.dim === 'month')
      .map((r) => ({ month: String(r.key), ...pick(r) }))
      .sort((a, b) => a.month.localeCompare(b.month)),
  };
}
