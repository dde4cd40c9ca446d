// How long run history is kept: a periodic job deletes, in each workspace, the runs that finished more than its
// `historyDays` ago, with their steps (the foreign key's cascade). Runs under way (queued, running, waiting) are kept
// whatever their age; `historyDays: null` keeps everything. One batch of at most HISTORY_BATCH runs a run of the job
// (the job's one transaction per workspace), found through the ("workspaceId", "finishedAt") index. An idle workspace
// costs one indexed look (none when it keeps everything).
import type { JobContext } from '@crm/plugin-sdk';
import { type WorkflowSettings, workflowSettings } from '../settings.js';

export const HISTORY_BATCH = 1000;
/** 1,000 runs a minute leave each workspace's history at most: a backlog (a lowered historyDays) drains over runs. */
export const HISTORY_EVERY_MS = 60_000;

const DAY_MS = 86_400_000;

/** Deletes up to HISTORY_BATCH of the workspace's runs that finished before `historyDays` ago. */
export async function pruneHistory({ tx, sql, settings, now, workspaceId }: Pick<JobContext<WorkflowSettings>, 'tx' | 'sql' | 'settings' | 'now' | 'workspaceId'>): Promise<void> {
  if (settings.historyDays === null) return;
  const before = new Date(now.getTime() - settings.historyDays * DAY_MS).toISOString();
  // A raw statement (the SDK's `sql`), not a Prisma query: the idle look adds no query compiler work.
  const old = await sql<{ id: string }>`
    SELECT id FROM "WorkflowRun"
    WHERE "finishedAt" < ${before}::timestamptz AND status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
    LIMIT ${HISTORY_BATCH}::int`;
  if (!old.length) return;
  // The SDK hands stored settings that no longer validate as the defaults: never delete on a default the workspace
  // did not choose.
  // (Workspace.settings.plugins.workflows: the SDK's settings store.)
  const workspace = await tx.workspace.findUnique({ where: { id: workspaceId }, select: { settings: true } });
  const stored = (workspace?.settings as { plugins?: { workflows?: unknown } } | null)?.plugins?.workflows;
  if (!workflowSettings.safeParse(stored ?? {}).success) return;
  await tx.workflowRun.deleteMany({ where: { id: { in: old.map((run) => run.id) } } });
}
