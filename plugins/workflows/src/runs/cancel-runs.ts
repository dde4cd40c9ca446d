// Cancelling runs — one (cancelWorkflowRun), many at once (cancelWorkflowRuns, a person's erasure) — in one way:
// under the runs' locks, which their step transactions hold (claimed-steps.ts), so a step
// under way finishes first and none starts before the cancel commits (it then finds its run cancelled); the places
// the RUNNING ones held given to held runs (admission.ts); then one statement for the steps and one for the runs,
// whatever their number.
import type { Models, OwnRows, PluginLock, PluginSql, ScopedTransaction } from '@crm/plugin-sdk';
import { wakeHeldIn } from './admission.js';
import { runLockKey } from './claimed-steps.js';

type RunStatus = Models.WorkflowRun['status'];

/** The statuses of a run that has not finished (what a cancel applies to). */
export const UNFINISHED_RUNS: readonly RunStatus[] = ['QUEUED', 'RUNNING', 'WAITING'];
const UNFINISHED_STEPS = ['PENDING', 'WAITING', 'RUNNING'] as const;

export interface CancelScope {
  tx: ScopedTransaction;
  sql: PluginSql;
  rows: OwnRows;
  lock: PluginLock;
}

/**
 * Cancels the runs of `runIds` that, once their locks are held, are still in one of `statuses`; returns their ids.
 * The caller bounds `runIds` (every run's lock is held until the transaction ends).
 */
export async function cancelRuns(
  scope: CancelScope,
  runIds: readonly string[],
  options: { statuses?: readonly RunStatus[]; error?: string; now?: Date } = {},
): Promise<string[]> {
  if (!runIds.length) return [];
  const { tx } = scope;
  await scope.lock(runIds.map(runLockKey));
  // Read again under the locks: a run may have finished, or moved on, since it was picked.
  const still = await tx.workflowRun.findMany({ where: { id: { in: [...runIds] }, status: { in: [...(options.statuses ?? UNFINISHED_RUNS)] } }, select: { id: true, status: true } });
  const ids = still.map((run) => run.id);
  if (!ids.length) return [];
  // RUNNING runs free their places: as many held runs are let in now, not after the fallback (woken before this
  // writes step rows: lock order). One of them may be among those cancelled here: its place waits for the fallback.
  await wakeHeldIn(scope, still.filter((run) => run.status === 'RUNNING').length);
  const now = options.now ?? new Date();
  await tx.workflowStepRun.updateMany({
    where: { runId: { in: ids }, status: { in: [...UNFINISHED_STEPS] } },
    data: { status: 'CANCELLED', dueAt: null, waitKey: null, finishedAt: now },
  });
  await tx.workflowRun.updateMany({ where: { id: { in: ids } }, data: { status: 'CANCELLED', finishedAt: now, ...(options.error ? { error: options.error } : {}) } });
  return ids;
}
