// How long run history is kept: a periodic job deletes, in each workspace, the runs that finished more than its
// `historyDays` ago, with their steps (the foreign key's cascade). Runs under way (queued, running, waiting) are kept
// whatever their age; `historyDays: null` keeps everything. A run of the job deletes batches of at most HISTORY_BATCH
// runs while they come back full, up to HISTORY_BATCHES of them or HISTORY_PASS_MS, found through the ("workspaceId",
// "finishedAt") index. All in the job's one transaction per workspace: the SDK's job context opens no other (each
// DELETE stays bounded; the pass is capped so that the transaction is too). An idle workspace costs one indexed look
// (none when it keeps everything).
import type { JobContext } from '@crm/plugin-sdk';
import { type WorkflowSettings, workflowSettings } from '../settings.js';

export const HISTORY_BATCH = 1000;
/** Batches a run of the job deletes at most: 10,000 runs a minute a workspace (~166 runs/s sustained). */
export const HISTORY_BATCHES = 10;
/** A pass stops starting batches after this long, however many are left (the next run goes on). */
export const HISTORY_PASS_MS = 5000;
export const HISTORY_EVERY_MS = 60_000;

const DAY_MS = 86_400_000;

/** Deletes, in batches of HISTORY_BATCH, up to HISTORY_BATCHES of the workspace's runs that finished before `historyDays` ago. */
export async function pruneHistory({ tx, sql, settings, now, workspaceId }: Pick<JobContext<WorkflowSettings>, 'tx' | 'sql' | 'settings' | 'now' | 'workspaceId'>): Promise<void> {
  if (settings.historyDays === null) return;
  const before = new Date(now.getTime() - settings.historyDays * DAY_MS).toISOString();
  const started = Date.now();
  for (let batch = 0; batch < HISTORY_BATCHES && Date.now() - started < HISTORY_PASS_MS; batch++) {
    // A raw statement (the SDK's `sql`), not a Prisma query: the idle look adds no query compiler work.
    const old = await sql<{ id: string }>`
      SELECT id FROM "WorkflowRun"
      WHERE "finishedAt" < ${before}::timestamptz AND status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
      LIMIT ${HISTORY_BATCH}::int`;
    if (!old.length) return;
    // The SDK hands stored settings that no longer validate as the defaults: never delete on a default the workspace
    // did not choose. (Workspace.settings.plugins.workflows: the SDK's settings store.) Once a pass.
    if (batch === 0 && !(await settingsStored(tx, workspaceId))) return;
    await tx.workflowRun.deleteMany({ where: { id: { in: old.map((run) => run.id) } } });
    if (old.length < HISTORY_BATCH) return;
  }
}

async function settingsStored(tx: JobContext<WorkflowSettings>['tx'], workspaceId: string): Promise<boolean> {
  const workspace = await tx.workspace.findUnique({ where: { id: workspaceId }, select: { settings: true } });
  const stored = (workspace?.settings as { plugins?: { workflows?: unknown } } | null)?.plugins?.workflows;
  return workflowSettings.safeParse(stored ?? {}).success;
}
