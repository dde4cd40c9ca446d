// The claimed steps with their runs and their workflows' signing secrets (the current one, and the one it replaced
// while its grace period lasts: secret-mutations.ts), as a step transaction reads them: one raw
// statement (the SDK's `sql`, narrowed to the workspace), not a Prisma read with two nested includes (its query
// compiler and three result shapes, per claimed batch or lone step). The step's columns come as they are; the run is
// one JSON value, its instants revived.
import type { Models, PluginSql, QueueItem, QueueTransaction } from '@crm/plugin-sdk';
import type { RunOfStep } from './run-step.js';
import { databaseClock, type DatabaseClock } from './database-clock.js';
import { RENAMES_LOCK } from './wait-for-event.js';

/** `clock`: the database's, from its time of the read (`statement_timestamp()`): the clock claims compare due times with. */
export type ClaimedStep = Models.WorkflowStepRun & { run: RunOfStep; clock: DatabaseClock };

type RunJson = Omit<Models.WorkflowRun, 'startedAt' | 'admittedAt' | 'finishedAt' | 'startSeq'> & {
  startedAt: string;
  admittedAt: string | null;
  finishedAt: string | null;
  /** A JSON number (`to_jsonb`): exact, an event count far below 2^53. */
  startSeq: number;
};

const instant = (value: string | null) => (value === null ? null : new Date(value));

/** The steps of `ids` that still exist, each with its run (and the run's workflow's signing secrets). */
export async function readClaimedSteps(sql: PluginSql, ids: readonly string[]): Promise<ClaimedStep[]> {
  // Driven by the step ids, each step, run and workflow found by its key (the LATERALs' OFFSET 0 keeps the planner from
  // joining the other way round): with a fresh table's missing statistics the plain three-way join walked every run
  // of the workflow and took 0.4-2 s a batch after a few thousand runs, and `s.id = ANY(…)` beside the workspace's
  // condition walked the workspace's entries of the steps' (workspaceId, waitKey) index (docs/performance.md, "Session 12").
  const rows = await sql<Models.WorkflowStepRun & { run: RunJson; secrets: string[]; readAt: Date }>`
    SELECT s.*, o.run, o.secrets, statement_timestamp() AS "readAt"
    FROM unnest(${ids}::uuid[]) AS k(id)
    CROSS JOIN LATERAL (SELECT * FROM "WorkflowStepRun" WHERE id = k.id OFFSET 0) s
    CROSS JOIN LATERAL (
      SELECT to_jsonb(r) AS run,
        array_remove(ARRAY[w.secret, CASE WHEN w."previousSecretExpiresAt" > now() THEN w."previousSecret" END], NULL) AS secrets
      FROM "WorkflowRun" r JOIN "Workflow" w ON w.id = r."workflowId"
      WHERE r.id = s."runId" OFFSET 0) o`;
  if (!rows.length) return [];
  // One statement, one time: the steps' clock (database-clock.ts).
  const clock = databaseClock(rows[0]!.readAt);
  return rows.map(({ run, secrets, readAt: _read, ...step }) => ({
    ...step,
    clock,
    run: { ...run, startedAt: new Date(run.startedAt), admittedAt: instant(run.admittedAt), finishedAt: instant(run.finishedAt), startSeq: BigInt(run.startSeq), workflow: { secrets } },
  }));
}

/** The lock a run's step transactions and its cancel take (the SDK's `lock`: transaction-scoped, per workspace). */
export const runLockKey = (runId: string) => `run:${runId}`;

/**
 * `readClaimedSteps` under the plugin's `renames` lock (shared) and the locks of the steps' runs (the claim returns
 * each step's run, `QueueItem.group`): the run locks in one statement, in sorted order, and the read sent behind them,
 * its snapshot taken once they are held — three statements, one round trip, whatever the number of steps. `renames`
 * is taken before any write and any read of a version (a wait beginning reads its version: wait-for-event.ts
 * `RENAMES_LOCK`), by every step transaction: one statement a transaction is cheaper than deciding which batch may
 * begin a wait on a version naming custom objects (the steps' kinds and versions are read behind the lock). Every transaction that does or records a step holds its run's lock until it ends, and so
 * does `cancelWorkflowRun`, so:
 * - a claim that comes after a lease ended (the transaction outlived it) waits for that transaction and then reads
 *   what it committed: the step is not done a second time beside it;
 * - a cancel and a run's step transactions run one after the other: the later one reads what the earlier committed
 *   (a run cancelled while its step ran stops after that step; a step that comes after the cancel finds it cancelled).
 * Lock order (one order everywhere, so no two transactions wait for each other): `renames` and run locks first, then the workspace's
 * admission lock (admission.ts), then step rows. A subscriber takes no run lock, and writes step rows (a wait's event,
 * held runs released) only after its admission (triggers/on-event.ts). A step transaction takes the admission lock only
 * to let its run in, before it writes a step row; one that frees places wakes held runs after it commits, in a
 * transaction of its own (`wakeHeld`: it may hold its own step row by its end); a cancel wakes before it writes any.
 */
export async function readLockedSteps(
  scope: Pick<QueueTransaction<unknown>, 'sql' | 'lock'>,
  items: readonly QueueItem[],
  options: { renames?: boolean } = {},
): Promise<ClaimedStep[]> {
  const [, , steps] = await Promise.all([
    // Not for a transaction that only admits runs (claimed-batch.ts `admitBatch`): it reads no version, begins no wait.
    options.renames === false ? null : scope.lock(RENAMES_LOCK, { shared: true }),
    scope.lock(items.map((item) => runLockKey(runOf(item)))),
    readClaimedSteps(scope.sql, items.map((item) => item.id)),
  ]);
  return steps;
}

/** The claimed step's run (the queue's `group`). */
function runOf(item: QueueItem): string {
  if (!item.group) throw new Error(`workflow step ${item.id} was claimed without its run`);
  return item.group;
}
