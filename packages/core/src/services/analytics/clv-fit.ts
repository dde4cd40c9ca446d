import { type ClvFitJob, fitClvInWorker } from '@crm/analytics';
import type { ClvModel } from '@crm/db';
import type { Caller } from '../../command.js';
import { badInput } from '../../errors.js';
import { requireRole } from '../../session.js';
import { uuid7 } from '../import/ids.js';
import { writeSegmentSnapshot } from '../reports/segment-snapshots.js';
import { analyzeWritten } from './analyze-written.js';
import { copyScoresToCustomers } from './score-columns.js';
import { modelInputsSql, rfmSql, workspaceFiguresSql } from './customer-figures-sql.js';
import { loadAnalyticsSettings } from './settings.js';

const DAY_MS = 86_400_000;

export interface FitClvModelOptions {
  /** Calibration end: purchases up to the end of this UTC day count. @default today */
  asOf?: Date | null;
  /** Who asked, recorded on the model: `api`, `cli`, `background` (a refit after purchases) or `month-end`. */
  trigger: 'api' | 'cli' | 'background' | 'month-end';
  /** Receives how long each phase took (ms), once the transaction has committed: for benchmarks and logs. */
  onPhaseTimings?: (timings: FitPhaseTimings) => void;
  /**
   * Copy the scores onto `Customer` (the sortable columns). `false` for a fit of a past month that a current fit will
   * follow (the month-end catch-up): each such copy rewrote every customer whose figures moved, twelve times over on a
   * first start, for values the next fit replaces. @default true
   */
  copyToCustomers?: boolean;
}

/** Milliseconds per phase of a fit, in the order they run (`commit` includes the transaction's commit). */
export interface FitPhaseTimings {
  inputs: number;
  maths: number;
  scores: number;
  staleScores: number;
  copyToCustomers: number;
  snapshot: number;
  commit: number;
  /** ANALYZE of the tables the fit rewrote a good part of (analyze-written.ts). */
  analyze: number;
  total: number;
}

interface ModelInput {
  id: string;
  x: number;
  tx: number;
  T: number;
  meanValue: number;
}

/**
 * Fits the workspace's lifetime-value models as of a date and rewrites every customer's score, in this order:
 * the models' inputs (x, t_x, T, mean repeat value) come from one SQL query; the fit and the per-customer forecasts
 * run in a worker thread, outside any transaction; then ONE transaction stores the model, upserts the scores (with RFM
 * and historical figures computed in SQL), removes the scores of customers who no longer have purchases, and emits
 * `clv.model_fitted`. Readers see the old model and scores or the new ones, never a mix. Needs ADMIN.
 */
export async function fitClvModel(caller: Caller, options: FitClvModelOptions): Promise<ClvModel> {
  requireRole(caller.session, 'ADMIN');
  const started = performance.now();
  const timings: Partial<FitPhaseTimings> = {};
  let lap = started;
  const phase = (name: keyof FitPhaseTimings) => {
    const now = performance.now();
    timings[name] = Math.round(now - lap);
    lap = now;
  };
  const asOf = options.asOf ?? new Date();
  if (Number.isNaN(asOf.getTime())) throw badInput('asOf: not a date', 'asOf');
  if (asOf.getTime() > Date.now() + DAY_MS) throw badInput('asOf: must not be in the future', 'asOf');
  const calibrationDay = new Date(Math.floor(asOf.getTime() / DAY_MS) * DAY_MS);
  const end = new Date(calibrationDay.getTime() + DAY_MS);
  const workspaceId = caller.session.workspaceId;
  const settings = await loadAnalyticsSettings(caller);

  const inputs = await caller.db.$queryRawUnsafe<ModelInput[]>(modelInputsSql, workspaceId, end.toISOString(), calibrationDay.toISOString());
  if (!inputs.length) throw badInput(`asOf: no purchases up to ${calibrationDay.toISOString().slice(0, 10)}, nothing to fit`, 'asOf');
  const repeat = inputs.filter((c) => c.x > 0);
  if (!repeat.length) throw badInput('asOf: no customer has bought on two different days yet, so repeat buying cannot be estimated', 'asOf');

  const fallbackOrderValue = await meanOrderValue(caller, end);
  phase('inputs');
  // The maths (~1 s for 25,000 customers) runs in a worker thread: the gateway keeps serving requests meanwhile.
  const job: ClvFitJob = {
    x: Float64Array.from(inputs, (c) => c.x),
    tx: Float64Array.from(inputs, (c) => c.tx),
    T: Float64Array.from(inputs, (c) => c.T),
    meanValue: Float64Array.from(inputs, (c) => c.meanValue),
    fallbackOrderValue,
    settings,
  };
  const { bg, spend, probabilityAlive, expectedPurchases, expectedOrderValue, predictedLifetimeValue } = await fitClvInWorker(job);
  phase('maths');

  let customersWritten = 0;
  const fitted = await caller.run(
    async (scope) => {
      const { tx } = scope;
      const model = await tx.clvModel.create({
        data: {
          id: uuid7(),
          workspaceId,
          calibrationEnd: calibrationDay,
          customers: inputs.length,
          repeatCustomers: repeat.length,
          r: bg.r,
          alpha: bg.alpha,
          a: bg.a,
          b: bg.b,
          logLikelihood: bg.logLikelihood,
          p: spend?.p ?? null,
          q: spend?.q ?? null,
          gamma: spend?.gamma ?? null,
          spendLogLikelihood: spend?.logLikelihood ?? null,
          converged: bg.converged && (spend?.converged ?? true),
          durationMs: Math.round(performance.now() - started),
          settings: settings as unknown as object,
          trigger: options.trigger,
        },
      });
      // ONE statement writes every score, whole: the model's outputs (arrays from the worker) joined to RFM and the
      // historical figures, so each row is written once (an upsert then an UPDATE wrote every row and its five index
      // entries twice). RFM needs the whole workspace (quintiles), which is why this is not chunked. JIT is off (for the
      // rest of the transaction: its statements are all bulk and short): its
      // compilation cost ~0.6 s here for a statement that runs in ~0.3 s. Right after a large import the statistics
      // still describe a small workspace and the planner then joins the CTEs in nested loops (25,000 × 25,000
      // comparisons); hash joins are right at any size for this bulk statement.
      await tx.$executeRawUnsafe('SET LOCAL jit = off');
      await tx.$executeRawUnsafe('SET LOCAL enable_nestloop = off');
      await tx.$executeRawUnsafe(
        `WITH rfm AS MATERIALIZED (${rfmSql}),
              figures AS MATERIALIZED (${workspaceFiguresSql(settings, '$2::timestamptz')})
         INSERT INTO "CustomerScore" ("customerId", "workspaceId", "modelId", "repeatPurchases", "recencyWeeks", "ageWeeks", "meanRepeatValue",
                                      "probabilityAlive", "expectedPurchases", "expectedOrderValue", "predictedLifetimeValue",
                                      "rfmRecency", "rfmFrequency", "rfmMonetary", "rfmSegment", "historicalRevenue", "productCost", "costToServe", profit, "scoredAt")
         SELECT u.id, $1::uuid, $3::uuid, u.x, u.tx, u.t, u.m, u.alive, u.expected, u.eov, u.clv,
                rfm.r, rfm.f, rfm.m, rfm.segment, figures.revenue, figures."productCost", figures."costToServe",
                figures.revenue - figures."productCost" - figures."costToServe", now()
           FROM unnest($4::uuid[], $5::int[], $6::float8[], $7::float8[], $8::numeric[], $9::float8[], $10::float8[], $11::numeric[], $12::numeric[])
                  AS u(id, x, tx, t, m, alive, expected, eov, clv)
           JOIN rfm ON rfm.id = u.id
           JOIN figures ON figures.id = u.id
         ON CONFLICT ("customerId") DO UPDATE SET
           "modelId" = EXCLUDED."modelId", "repeatPurchases" = EXCLUDED."repeatPurchases", "recencyWeeks" = EXCLUDED."recencyWeeks",
           "ageWeeks" = EXCLUDED."ageWeeks", "meanRepeatValue" = EXCLUDED."meanRepeatValue", "probabilityAlive" = EXCLUDED."probabilityAlive",
           "expectedPurchases" = EXCLUDED."expectedPurchases", "expectedOrderValue" = EXCLUDED."expectedOrderValue",
           "predictedLifetimeValue" = EXCLUDED."predictedLifetimeValue", "rfmRecency" = EXCLUDED."rfmRecency",
           "rfmFrequency" = EXCLUDED."rfmFrequency", "rfmMonetary" = EXCLUDED."rfmMonetary", "rfmSegment" = EXCLUDED."rfmSegment",
           "historicalRevenue" = EXCLUDED."historicalRevenue", "productCost" = EXCLUDED."productCost", "costToServe" = EXCLUDED."costToServe",
           profit = EXCLUDED.profit, "scoredAt" = EXCLUDED."scoredAt"`,
        workspaceId,
        end.toISOString(),
        model.id,
        inputs.map((c) => c.id),
        inputs.map((c) => c.x),
        inputs.map((c) => c.tx),
        inputs.map((c) => c.T),
        inputs.map((c) => c.meanValue.toFixed(2)),
        Array.from(probabilityAlive),
        Array.from(expectedPurchases),
        Array.from(expectedOrderValue, (v) => v.toFixed(2)),
        Array.from(predictedLifetimeValue, (v) => v.toFixed(2)),
      );
      await tx.$executeRawUnsafe('SET LOCAL enable_nestloop = on');
      phase('scores');
      await tx.$executeRawUnsafe(`DELETE FROM "CustomerScore" WHERE "workspaceId" = $1::uuid AND "modelId" <> $2::uuid`, workspaceId, model.id);
      phase('staleScores');
      if (options.copyToCustomers ?? true) customersWritten = await copyScoresToCustomers(scope, workspaceId);
      phase('copyToCustomers');
      await writeSegmentSnapshot(scope, { workspaceId, modelId: model.id, calibrationDay, end, settings });
      phase('snapshot');
      const { calibrationEnd, customers, r, alpha, a, b, p, q, gamma, logLikelihood } = clvModelSummary(model);
      scope.emit('clv.model_fitted', { type: 'ClvModel', id: model.id }, { calibrationEnd, customers, r, alpha, a, b, p, q, gamma, logLikelihood });
      return model;
    },
    { role: 'ADMIN' },
  );
  phase('commit');
  // Every score row is rewritten (each fit is a new model); Customer only where a figure changed.
  await analyzeWritten(caller.db, { CustomerScore: inputs.length, Customer: customersWritten });
  phase('analyze');
  timings.total = Math.round(performance.now() - started);
  options.onPhaseTimings?.(timings as FitPhaseTimings);
  return fitted;
}

/** A fit as plain JSON (the CLI's output line, the event's payload). */
export function clvModelSummary(model: ClvModel) {
  return {
    modelId: model.id,
    fittedAt: model.fittedAt.toISOString(),
    calibrationEnd: model.calibrationEnd.toISOString(),
    customers: model.customers,
    repeatCustomers: model.repeatCustomers,
    r: model.r,
    alpha: model.alpha,
    a: model.a,
    b: model.b,
    p: model.p,
    q: model.q,
    gamma: model.gamma,
    logLikelihood: model.logLikelihood,
    converged: model.converged,
    durationMs: model.durationMs,
  };
}

/** The workspace's mean order value up to `end`: the order value of customers the spend model knows nothing about. */
async function meanOrderValue(caller: Caller, end: Date): Promise<number> {
  const [row] = await caller.db.$queryRawUnsafe<{ mean: number | null }[]>(
    `SELECT avg(total)::float8 AS mean FROM "Order" WHERE "workspaceId" = $1::uuid AND "orderedAt" < $2::timestamptz`,
    caller.session.workspaceId,
    end.toISOString(),
  );
  return row?.mean ?? 0;
}

/** The workspace's current model (the newest fit), or null before the first. */
export function latestClvModel(caller: Caller): Promise<ClvModel | null> {
  return caller.db.clvModel.findFirst({ orderBy: [{ fittedAt: 'desc' }, { id: 'desc' }] });
}
