// How long run history is kept: a periodic job deletes, in each workspace, the runs that finished more than its
// `historyDays` ago, with their steps (the foreign key's cascade). Runs under way (queued, running, waiting) are kept
// whatever their age; `historyDays: null` keeps everything. A run of the job deletes batches of at most HISTORY_BATCH
// runs, found through the ("workspaceId", "finishedAt") index, each in a transaction of its own (the SDK's
// `transaction: 'per-call'` job): committed as it goes, so no batch's locks outlast it and a long backlog is not one
// long transaction. It goes on while batches come back full; the SDK ends the run between two batches once the run's
// budget (half the interval, across all workspaces) is spent, and starts the next run with the workspaces this one did
// not reach, so backlogged workspaces are served in turn. An idle workspace costs one indexed look (none when it keeps
// everything).
import type { JobCallsContext, JobContext } from '@crm/plugin-sdk';
import { type WorkflowSettings, workflowSettings } from '../settings.js';

export const HISTORY_BATCH = 1000;
/**
 * The job's interval; a run spends half of it at most, across workspaces (the SDK's budget of a per-call job). At a
 * batch's usual cost (well under a second) 30 s a minute is far above the 12,000 runs a minute (200 runs/s) the plugin
 * takes in.
 */
export const HISTORY_EVERY_MS = 60_000;

const DAY_MS = 86_400_000;

/** Deletes the workspace's runs that finished before `historyDays` ago, a committed batch of HISTORY_BATCH at a time. */
export async function pruneHistory(job: Pick<JobCallsContext<WorkflowSettings>, 'transaction' | 'now'>): Promise<void> {
  // Until a batch comes back short; the SDK's stop signal (the run's budget spent, the lock taken) ends it earlier.
  for (;;) {
    const deleted = await job.transaction((scope) => pruneBatch(scope, job.now));
    if (deleted < HISTORY_BATCH) return;
  }
}

/** One batch, in its transaction: how many runs it deleted (fewer than HISTORY_BATCH: none left). */
async function pruneBatch({ tx, sql, settings, workspaceId }: Pick<JobContext<WorkflowSettings>, 'tx' | 'sql' | 'settings' | 'workspaceId'>, now: Date): Promise<number> {
  if (settings.historyDays === null) return 0;
  const before = new Date(now.getTime() - settings.historyDays * DAY_MS).toISOString();
  // A raw statement (the SDK's `sql`), not a Prisma query: the idle look adds no query compiler work.
  const old = await sql<{ id: string }>`
    SELECT id FROM "WorkflowRun"
    WHERE "finishedAt" < ${before}::timestamptz AND status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
    LIMIT ${HISTORY_BATCH}::int`;
  if (!old.length) return 0;
  // The SDK hands stored settings that no longer validate as the defaults: never delete on a default the workspace
  // did not choose. (Workspace.settings.plugins.workflows: the SDK's settings store.) Read again with each batch: a
  // batch's settings are its transaction's.
  if (!(await settingsStored(tx, workspaceId))) return 0;
  await tx.workflowRun.deleteMany({ where: { id: { in: old.map((run) => run.id) } } });
  return old.length;
}

async function settingsStored(tx: JobContext<WorkflowSettings>['tx'], workspaceId: string): Promise<boolean> {
  const workspace = await tx.workspace.findUnique({ where: { id: workspaceId }, select: { settings: true } });
  const stored = (workspace?.settings as { plugins?: { workflows?: unknown } } | null)?.plugins?.workflows;
  return workflowSettings.safeParse(stored ?? {}).success;
}
