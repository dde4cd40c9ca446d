// A claimed step and its database-only successors, run in the caller's transaction (a chain: execute-step.ts).
import type { Models } from '@crm/plugin-sdk';
import { loopableKinds } from '../definition/step-outputs.js';
import { newChain, recordStep, requeue, type StepWrites } from './advance.js';
import { type ExternalWork, ownEffect, type RunOfStep, runStep, type StepEffect, type StepOutcome, type StepScope } from './run-step.js';
import { StepRefused } from './step-waves.js';
import type { DatabaseClock } from './database-clock.js';

/** Kinds a chain goes on with: they only read and write the database. */
export const CHAINED_KINDS = new Set<string>([...loopableKinds, 'condition', 'switch', 'forEach']);
/** Steps one transaction runs at most (the claimed one and its successors). */
export const MAX_CHAIN = 20;

/**
 * The claimed step and, up to `chain` more, its database-only successors, in the caller's transaction. A successor
 * refused on its own in a claimed batch (`StepRefused`) ends the chain there, queued to be done again alone; the claimed
 * step refused is thrown.
 */
export async function runChain(
  scope: StepScope,
  first: Models.WorkflowStepRun,
  run: RunOfStep,
  /** The database's (the steps' read's): what the steps' due times count from. */
  clock: DatabaseClock,
  chain: number,
  writes: StepWrites,
  reportInput: (input: Record<string, unknown>, successor: boolean) => void,
  effect: StepEffect = ownEffect,
): Promise<ExternalWork | null> {
  let step = first;
  let budget = chain;
  // The step begins: the returns it made before (`comeAgain`) were in a row; it starts counting again.
  if (first.returns) recordStep(writes, first, { returns: 0 });
  const successors = newChain((kind) => budget > 0 && CHAINED_KINDS.has(kind), writes);
  for (; ; budget--) {
    const successor = step !== first;
    let outcome: StepOutcome;
    try {
      outcome = await runStep(scope, step, run, clock, successors, (given) => reportInput(given, successor), effect);
    } catch (error) {
      if (!(error instanceof StepRefused) || !successor) throw error;
      requeue(successors, step, clock.now());
      return null;
    }
    if (outcome.external || !outcome.next || !successors.unsaved.has(outcome.next.id)) return outcome.external;
    step = outcome.next;
  }
}
