import type { Caller } from '../../command.js';
import { ofLiveCustomer } from './live-rows.js';
import { num, rate } from './period.js';

/** The funnel's stages in order (CHURNED is no step of it: see the defection reports). */
export const FUNNEL_STAGES = ['PROSPECT', 'LEAD', 'CUSTOMER', 'ADVOCATE'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

export interface FunnelStep {
  stage: FunnelStage;
  /** Customers who ever entered the stage. */
  reached: number;
  /** Of those, customers who entered a later stage of the funnel afterwards (skipping stages counts). */
  converted: number;
  /** converted / reached; null when nobody reached the stage. */
  conversionRate: number | null;
  /** Mean days between entering the stage and the next change, over stays that ended; null without one. */
  averageDaysInStage: number | null;
  /** Stays in the stage that ended (the base of the mean). */
  completedStays: number;
}

/** The lifecycle funnel from the stage-change history (of customers not in the trash), in ONE statement. */
export async function lifecycleFunnelReport(caller: Caller): Promise<FunnelStep[]> {
  const rows = await caller.db.$queryRawUnsafe<{ stage: FunnelStage; reached: number; converted: number; days: number | null; stays: number }[]>(
    `WITH changes AS (
       SELECT "customerId", "toStage"::text AS stage, "changedAt",
              lead("changedAt") OVER (PARTITION BY "customerId" ORDER BY "changedAt", id) AS "leftAt"
         FROM "LifecycleChange" lc WHERE lc."workspaceId" = $1::uuid AND ${ofLiveCustomer('lc')}),
     ranks AS (SELECT * FROM unnest($2::text[]) WITH ORDINALITY AS r(stage, rank)),
     entered AS (
       SELECT c."customerId", r.rank, min(c."changedAt") AS "firstAt" FROM changes c JOIN ranks r ON r.stage = c.stage GROUP BY 1, 2)
     SELECT r.stage,
            (SELECT count(*) FROM entered e WHERE e.rank = r.rank)::int AS reached,
            (SELECT count(*) FROM entered e WHERE e.rank = r.rank AND EXISTS (
               SELECT 1 FROM entered later WHERE later."customerId" = e."customerId" AND later.rank > e.rank AND later."firstAt" >= e."firstAt"))::int AS converted,
            (SELECT avg(extract(epoch FROM c."leftAt" - c."changedAt")) / 86400 FROM changes c WHERE c.stage = r.stage AND c."leftAt" IS NOT NULL)::float8 AS days,
            (SELECT count(*) FROM changes c WHERE c.stage = r.stage AND c."leftAt" IS NOT NULL)::int AS stays
       FROM ranks r ORDER BY r.rank`,
    caller.session.workspaceId,
    [...FUNNEL_STAGES],
  );
  return rows.map((r) => ({
    stage: r.stage,
    reached: r.reached,
    converted: r.converted,
    conversionRate: rate(r.converted, r.reached),
    averageDaysInStage: r.days === null ? null : Math.round(num(r.days) * 100) / 100,
    completedStays: r.stays,
  }));
}
