import type { Caller, CommandScope } from '../../command.js';
import { formatMoney } from '../../money.js';
import type { AnalyticsSettings } from '../analytics/settings.js';
import type { MonthRange } from './period.js';
import { costedEventsSql } from './segment-profit.js';

/** One segment's figures for one month (see the SegmentSnapshot model). */
export interface SegmentSnapshotFigures {
  month: string;
  segment: string;
  customers: number;
  equity: string;
  averageProbabilityAlive: number;
  revenueToDate: string;
  profitToDate: string;
  monthRevenue: string;
  monthProfit: string;
  takenAt: Date;
}

/**
 * Writes the month's snapshot of every RFM segment from the scores just written by a fit (inside the fit's
 * transaction): ONE upsert keyed by (workspace, month, segment), then the removal of the month's segments that no
 * longer have customers. Idempotent per month: a later fit of the same month replaces the month's figures, so the
 * stored month holds its last fit (the month-end figures once the month is over).
 */
export async function writeSegmentSnapshot(
  scope: Pick<CommandScope, 'tx'>,
  input: { workspaceId: string; modelId: string; calibrationDay: Date; end: Date; settings: AnalyticsSettings },
): Promise<void> {
  const { workspaceId, modelId, calibrationDay, end, settings } = input;
  const month = new Date(Date.UTC(calibrationDay.getUTCFullYear(), calibrationDay.getUTCMonth(), 1));
  await scope.tx.$executeRawUnsafe(
    `WITH month AS (
       SELECT "customerId", sum(revenue) AS revenue, sum(revenue - "productCost" - serve) AS profit
         FROM (${costedEventsSql({ workspace: '$1', from: '$9', to: '$3', margin: '$5', ticket: '$6', activity: '$7', contact: '$8' })}) e
        GROUP BY "customerId")
     INSERT INTO "SegmentSnapshot" (id, "workspaceId", month, segment, customers, equity, "averageProbabilityAlive",
                                    "revenueToDate", "profitToDate", "monthRevenue", "monthProfit", "modelId", "takenAt")
     SELECT gen_random_uuid(), $1::uuid, $2::date, s."rfmSegment", count(*)::int, coalesce(sum(s."predictedLifetimeValue"), 0),
            coalesce(avg(s."probabilityAlive"), 0), sum(s."historicalRevenue"), sum(s.profit),
            coalesce(sum(m.revenue), 0), coalesce(sum(m.profit), 0), $4::uuid, now()
       FROM "CustomerScore" s LEFT JOIN month m ON m."customerId" = s."customerId"
      WHERE s."workspaceId" = $1::uuid
      GROUP BY s."rfmSegment"
     ON CONFLICT ("workspaceId", month, segment) DO UPDATE SET
       customers = EXCLUDED.customers, equity = EXCLUDED.equity, "averageProbabilityAlive" = EXCLUDED."averageProbabilityAlive",
       "revenueToDate" = EXCLUDED."revenueToDate", "profitToDate" = EXCLUDED."profitToDate", "monthRevenue" = EXCLUDED."monthRevenue",
       "monthProfit" = EXCLUDED."monthProfit", "modelId" = EXCLUDED."modelId", "takenAt" = EXCLUDED."takenAt"`,
    workspaceId,
    month.toISOString().slice(0, 10),
    end.toISOString(),
    modelId,
    String(settings.margin),
    String(settings.unitCosts.ticket),
    String(settings.unitCosts.activity),
    String(settings.unitCosts.campaignContact),
    month.toISOString(),
  );
  await scope.tx.$executeRawUnsafe(
    `DELETE FROM "SegmentSnapshot" WHERE "workspaceId" = $1::uuid AND month = $2::date AND "modelId" <> $3::uuid`,
    workspaceId,
    month.toISOString().slice(0, 10),
    modelId,
  );
}

/** The stored monthly snapshots in a range of months, oldest first, optionally of some segments only. */
export async function segmentSnapshotSeries(caller: Caller, range: MonthRange, segments?: readonly string[] | null): Promise<SegmentSnapshotFigures[]> {
  const rows = await caller.db.segmentSnapshot.findMany({
    where: { month: { gte: range.from, lte: range.to }, ...(segments?.length ? { segment: { in: [...segments] } } : {}) },
    orderBy: [{ month: 'asc' }, { segment: 'asc' }],
  });
  return rows.map((r) => ({
    month: r.month.toISOString().slice(0, 7),
    segment: r.segment,
    customers: r.customers,
    equity: formatMoney(r.equity)!,
    averageProbabilityAlive: Math.round(r.averageProbabilityAlive * 10_000) / 10_000,
    revenueToDate: formatMoney(r.revenueToDate)!,
    profitToDate: formatMoney(r.profitToDate)!,
    monthRevenue: formatMoney(r.monthRevenue)!,
    monthProfit: formatMoney(r.monthProfit)!,
    takenAt: r.takenAt,
  }));
}
