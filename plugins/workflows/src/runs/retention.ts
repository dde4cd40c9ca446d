// How long run history is kept: a periodic job deletes, in each workspace, the runs that finished more than its
// `historyDays` ago, with their steps (the foreign key's cascade). Runs under way (queued, running, waiting) are kept
// whatever their age. Bounded batches: each statement deletes at most HISTORY_BATCH runs (about five steps each, their
// snapshots up to 256 KiB and HTTP answers up to 64 KiB), found through the ("workspaceId", "finishedAt") index;
// at most HISTORY_BATCHES statements a run of the job, so its transaction stays short, and the rest is left to
// the next run.
import type { JobContext } from '@crm/plugin-sdk';
import type { WorkflowSettings } from '../settings.js';

export const HISTORY_BATCH = 1000;
export const HISTORY_BATCHES = 5;
/** With 5 × 1,000 runs a run of the job, up to 20,000 runs a minute leave each workspace's history: above 200 runs/s. */
export const HISTORY_EVERY_MS = 15_000;

const DAY_MS = 86_400_000;

/** Deletes the workspace's runs that finished before `historyDays` ago (up to HISTORY_BATCHES × HISTORY_BATCH of them). */
export async function pruneHistory({ tx, sql, settings, now }: Pick<JobContext<WorkflowSettings>, 'tx' | 'sql' | 'settings' | 'now'>): Promise<void> {
  const before = new Date(now.getTime() - settings.historyDays * DAY_MS).toISOString();
  for (let batch = 0; batch < HISTORY_BATCHES; batch++) {
    // The look, every HISTORY_EVERY_MS in every workspace, is one raw statement (the SDK's `sql`), not a Prisma query:
    // an idle job adds no query compiler work beside the runs' own bookkeeping (test/triggers.test.ts counts it).
    const old = await sql<{ id: string }>`
      SELECT id FROM "WorkflowRun"
      WHERE "finishedAt" < ${before}::timestamptz AND status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
      LIMIT ${HISTORY_BATCH}::int`;
    if (!old.length) break;
    await tx.workflowRun.deleteMany({ where: { id: { in: old.map((run) => run.id) } } });
    if (old.length < HISTORY_BATCH) break;
  }
}
