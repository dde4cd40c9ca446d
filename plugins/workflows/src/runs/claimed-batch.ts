// A claimed batch of a workspace's steps (the queue's `handleBatch`, execute-step.ts `executeSteps`): their chains in
// one transaction (waves of grouped core calls: step-waves.ts), their runs let in together in one short transaction,
// and what goes alone when the batch cannot take a step (an HTTP request, a step refused on its own, a failure).
import { isCrmError, type QueueContext, type QueueItem } from '@crm/plugin-sdk';
import type { WorkflowSettings } from '../settings.js';
import { PermanentStepError } from '../steps/step-kinds.js';
import { isGrouped } from '../steps/grouped-steps.js';
import { admitRuns, type HeldStep, recheckHeld, wakeHeld } from './admission.js';
import { newStepWrites } from './advance.js';
import { readLockedSteps } from './claimed-steps.js';
import { FINISHED_RUN, FINISHED_STEP, messageOf, needsAdmission, save, stepChain } from './claimed-state.js';
import { BATCH_ACTOR, stepActor } from './step-actor.js';
import { CHAINED_KINDS, MAX_CHAIN, runChain } from './run-chain.js';
import { ownEffect, type StepEffect } from './run-step.js';
import { StepRefused, StepWaves } from './step-waves.js';

/** Kinds a batch of claimed steps does together (`handleBatch`): the chained ones, and waits. */
const BATCHED_KINDS = new Set<string>([...CHAINED_KINDS, 'wait', 'waitForEvent']);

/**
 * A claimed batch's step failed on its own (a coded refusal: its input, its record, its rights, an action's veto), not
 * the batch's transaction: the batch rolls back, that step is done alone (where its failure is recorded as any step's)
 * and the others are tried again as a batch. Not reported: it is the step's failure, which its run's history says.
 */
class StepFailedInBatch extends Error {
  constructor(
    readonly item: QueueItem,
    readonly error: unknown,
  ) {
    super(messageOf(error));
  }
}
const isStepOwn = (error: unknown) => isCrmError(error) || error instanceof PermanentStepError;
/** Batches tried again without a step that failed on its own, at most: a batch whose steps keep failing goes alone. */
const BATCH_AGAINS = 2;

/**
 * Claimed steps of one workspace in one transaction (the queue's `handleBatch`): one commit and one read of the
 * steps for all of them. Each step's changes are made acting as that step (`actingAs`), so its events name it as
 * they would in a transaction of its own (a workflow's own changes, and the depth of chains, are told by them).
 * The chains run in waves (step-waves.ts): the steps at the same point of their runs whose core command answers item
 * by item go to the core in one call per kind and acting role. A claimed step refused on its own (its record gone, its
 * role's rights) is done again alone after the commit, where it fails or is retried as any step; the others commit.
 * Database-only steps of running runs go here; runs to let in (starting, or waking together) are answered apart
 * (`toAdmit`: admitted in one transaction, `admitBatch`, then done as a batch); the others (an HTTP request, an email,
 * a step of a finished run) and — should the transaction fail — all of them are done one by one as `executeStep` does;
 * a step refused on its own (`StepFailedInBatch`) is done alone and the others again as a batch (`agains` times more).
 */
export async function batchTransaction(
  items: readonly QueueItem[],
  context: QueueContext<WorkflowSettings>,
  agains = BATCH_AGAINS,
): Promise<{ alone: readonly QueueItem[]; toAdmit: readonly QueueItem[] }> {
  let done: { alone: readonly QueueItem[]; toAdmit: readonly QueueItem[]; freed: number };
  try {
    done = await context.transaction(
      async (scope) => {
        const claimed = await readLockedSteps(scope, items);
        const rows = new Map(claimed.map((row) => [row.id, row]));
        const alone: QueueItem[] = [];
        const toAdmit: QueueItem[] = [];
        const writes = newStepWrites();
        const waves = new StepWaves(scope.commands);
        const chains: (() => Promise<void>)[] = [];
        for (const item of items) {
          const row = rows.get(item.id);
          if (!row || row.claims !== item.claims) continue; // a later claim owns it now
          const { run, clock, ...first } = row;
          if (needsAdmission(run, first, clock.now()) && !FINISHED_STEP.has(first.status)) {
            toAdmit.push(item);
            continue;
          }
          if (FINISHED_RUN.has(run.status) || FINISHED_STEP.has(first.status) || !BATCHED_KINDS.has(first.kind)) {
            alone.push(item);
            continue;
          }
          const actor = stepActor(item.id);
          const grouped: StepEffect = (kind, input, internal) =>
            isGrouped(kind) ? waves.step(kind, input, internal.actingAs, actor) : ownEffect(kind, input, internal);
          chains.push(async () => {
            try {
              await runChain({ ...scope, ...scope.actingAs(actor, stepChain(run)) }, first, run, clock, MAX_CHAIN, writes, () => {}, grouped);
            } catch (error) {
              if (error instanceof StepRefused) alone.push(item);
              else throw isStepOwn(error) ? new StepFailedInBatch(item, error) : error;
            }
          });
        }
        await waves.run(chains);
        return { alone, toAdmit, freed: await save(scope, writes) };
      },
      { actor: BATCH_ACTOR },
    );
  } catch (error) {
    // Rolled back: nothing of it is kept. A step's own failure: it goes alone, the others again as a batch.
    if (error instanceof StepFailedInBatch) {
      const others = items.filter((item) => item !== error.item);
      if (!agains || others.length < 2) return { alone: items, toAdmit: [] };
      const again = await batchTransaction(others, context, agains - 1);
      return { alone: [error.item, ...again.alone], toAdmit: again.toAdmit };
    }
    // Said, so that a batch path failing every time shows as more than slowness.
    batchFailed(context, items, 'transaction', error);
    return { alone: items, toAdmit: [] };
  }
  await wakeHeld(context, done.freed);
  return done;
}

/**
 * Lets the runs of claimed steps in (admission.ts `admitRuns`: the admission lock, one count, the runs' writes) in a
 * short transaction of its own, and answers the items whose runs were let in; a run held back is made due again when
 * a run leaves RUNNING (`wakeHeld`), or at its step's due time (the fallback). Should it fail, the items are done one
 * by one (each admits its own run).
 */
export async function admitBatch(items: readonly QueueItem[], context: QueueContext<WorkflowSettings>): Promise<readonly QueueItem[]> {
  let admitted: { value: readonly QueueItem[]; held: HeldStep[] };
  try {
    admitted = await context.transaction(async (scope) => {
      const claimed = new Map((await readLockedSteps(scope, items, { renames: false })).map((row) => [row.id, row]));
      const waiting = items.filter((item) => {
        const row = claimed.get(item.id);
        return row && row.claims === item.claims && !FINISHED_STEP.has(row.status) && needsAdmission(row.run, row, row.clock.now());
      });
      const answers = await admitRuns(scope, [...new Map(waiting.map((item) => [claimed.get(item.id)!.runId, claimed.get(item.id)!.run])).values()]);
      const held = waiting.flatMap((item) => {
        const answer = answers.get(claimed.get(item.id)!.runId)!;
        return answer.admitted ? [] : [{ id: item.id, dueAt: answer.retryAt, claims: item.claims, reason: answer.reason }];
      });
      // Held under their claims (`heldClaim`), as `stepTransaction` holds one.
      if (held.length) await scope.rows.write([{ update: 'WorkflowStepRun', rows: held.map(({ id, dueAt, claims }) => ({ id, dueAt, heldClaim: claims })) }]);
      return {
        value: waiting.filter((item) => answers.get(claimed.get(item.id)!.runId)!.admitted),
        held: held.flatMap(({ id, dueAt, claims, reason }) => (reason === 'CONCURRENCY' ? [{ id, dueAt, claims }] : [])),
      };
    });
  } catch (error) {
    batchFailed(context, items, 'admission', error);
    return items;
  }
  await recheckHeld(context, admitted.held);
  return admitted.value;
}

/** A claimed batch's transaction failed: its steps are done one by one; the host's report says so, naming them. */
function batchFailed(context: QueueContext<WorkflowSettings>, items: readonly QueueItem[], what: string, error: unknown) {
  const ids = items.map((item) => item.id);
  context.report(new Error(`workflow steps: a claimed batch's ${what} failed, its ${ids.length} steps are done one by one (${messageOf(error)})`, { cause: error }), ids);
}
