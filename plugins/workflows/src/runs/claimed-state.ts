// What the step handlers (execute-step.ts: a claimed step alone; claimed-batch.ts: a workspace's claimed steps
// together) ask of a claimed step and its run, how a step signs its changes, and how a transaction writes what its
// steps did.
import type { Models } from '@crm/plugin-sdk';
import { placesFreed, saveStepWrites, type StepWrites } from './advance.js';
import { type RunOfStep, type StepScope, stillWaits } from './run-step.js';

export const FINISHED_STEP = new Set(['SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED']);
export const FINISHED_RUN = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * Whether the claimed step's run must be let in (admission.ts) before the step runs: a run that has not started yet
 * (QUEUED), and a WAITING run whose wait is over (its time came, its event arrived, its timeout passed, or a failed
 * step's backoff ended). A waiting run holds no place of the concurrency limit, so every way back into execution goes
 * through the limit (docs/plugins/workflows.md, "Guards").
 */
export const needsAdmission = (run: RunOfStep, step: Models.WorkflowStepRun, now: Date) =>
  run.status === 'QUEUED' || (run.status === 'WAITING' && !stillWaits(step, now));

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * How a step's changes are signed: its events begin their chain at its run's depth (the SDK's `actingAs` with
 * `chainDepth`), so the core's events that several steps share (a customer's segment membership changed by two runs'
 * steps in one batch) carry the deepest run's chain, and a loop's depth is not reset by a shallower run beside it.
 */
export const stepChain = (run: { depth: number }) => (run.depth ? { chainDepth: run.depth } : undefined);

/**
 * Writes what the transaction's steps did; answers the places its runs free, for the caller to wake as many held runs
 * once it has committed (`wakeHeld`: not inside, where the transaction may hold step rows of its own — lock order,
 * runs/claimed-steps.ts).
 */
export async function save(scope: StepScope, writes: StepWrites): Promise<number> {
  const freed = placesFreed(writes);
  await saveStepWrites(scope.rows, writes);
  return freed;
}
