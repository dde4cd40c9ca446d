// The queue handler: one claimed step of a run. Database-only steps run and complete in one transaction (a crash
// leaves neither their change nor their completion, so the retry is safe). HTTP and email run between two
// transactions: the first marks the step RUNNING, the second records the outcome; a step found RUNNING by a later
// claim (the gateway died in between) is sent again only when idempotent. Waits are a due time, nothing in memory.
// A database-only step whose successor is database-only too goes on with it in the same transaction (up to
// MAX_CHAIN steps): each keeps its own row and timing, and a 3-step workflow costs one claim and one transaction.
// Should a chained step fail, the chain is rolled back and done again one step per transaction, so that the failure
// is recorded on the step that failed.
// What one step does is run-step.ts; a claimed batch of a workspace is claimed-batch.ts (its chains in waves: step-waves.ts).
import type { QueueContext, QueueItem } from '@crm/plugin-sdk';
import type { MailTransport } from '../mail/transport.js';
import type { WorkflowSettings } from '../settings.js';
import { externalSteps, PermanentStepError } from '../steps/step-kinds.js';
import { retryAfterOf } from '../steps/step-errors.js';
import { admitRun, type HeldStep, recheckHeld, wakeHeld } from './admission.js';
import { readLockedSteps } from './claimed-steps.js';
import { admitBatch, batchTransaction } from './claimed-batch.js';
import { FINISHED_RUN, FINISHED_STEP, messageOf, needsAdmission, save, stepChain } from './claimed-state.js';
import { stepActor } from './step-actor.js';
import { completeStep, failStep, newChain, newStepWrites, recordStep, retryOf } from './advance.js';
import { MAX_CHAIN, runChain } from './run-chain.js';
import type { ExternalWork } from './run-step.js';
import { heldUntil, LostClaim, type SendHold, sendHold, stillClaimed } from './send-hold.js';
import { versionOf } from './versions.js';

/** Failures that trying again cannot fix: the data is wrong, gone, or not allowed (a CONFLICT may pass: tried again). */
const PERMANENT_CODES = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'FORBIDDEN']);

/** A plugin's `veto` (an action's business refusal, with a reason: an offer cap reached) is final too. */
const isVeto = (error: unknown) => typeof (error as { extensions?: { reason?: unknown } } | null)?.extensions?.reason === 'string';
const isPermanent = (error: unknown) =>
  error instanceof PermanentStepError || PERMANENT_CODES.has(String((error as { code?: unknown } | null)?.code ?? '')) || isVeto(error);

/** A chained step failed: the transaction rolls back and the claimed step is done again alone. */
class ChainedStepFailed extends Error {}

export function stepExecutor(mail: () => MailTransport, leaseMs: number) {
  const executeStep = stepHandler(mail, sendHold(mail, leaseMs));
  return {
    executeStep,
    async executeSteps(items: readonly QueueItem[], context: QueueContext<WorkflowSettings>): Promise<void> {
      const first = await batchTransaction(items, context);
      // Runs to let in (waking together, or starting): one admission for all, then the admitted ones as a batch.
      const admitted = first.toAdmit.length ? await admitBatch(first.toAdmit, context) : [];
      const second = admitted.length ? await batchTransaction(admitted, context) : { alone: [], toAdmit: [] };
      const lone = [...first.alone, ...second.alone, ...second.toAdmit];
      // Each lone step's failure reported as its own (thrown, the host would name the whole batch for the first one).
      const outcomes = await Promise.allSettled(lone.map((item) => executeStep(item, context)));
      outcomes.forEach((outcome, i) => outcome.status === 'rejected' && context.report(outcome.reason, lone[i]!.id));
    },
  };
}

function stepHandler(mail: () => MailTransport, hold: SendHold) {
  return async function executeStep(item: QueueItem, context: QueueContext<WorkflowSettings>): Promise<void> {
    let external: ExternalWork | null;
    try {
      external = await claimedStep(item, context, MAX_CHAIN, hold);
    } catch (error) {
      if (!(error instanceof ChainedStepFailed)) throw error;
      external = await claimedStep(item, context, 0, hold);
    }
    if (!external) return;

    let output: Record<string, unknown>;
    try {
      output = await externalSteps[external.kind]!.send(external.input, {
        http: context.http,
        mail: mail(),
        secrets: external.secrets,
        emailFrom: external.emailFrom,
        idempotencyKey: `${external.runId}:${external.stepId}`,
        runId: external.runId,
        workflowId: external.workflowId,
        stepId: external.stepId,
        depth: external.depth,
      });
    } catch (error) {
      await recordFailure(item, context, error, { counted: true, input: external.input });
      return;
    }
    const freed = await context.transaction(
      async (scope) => {
        const { tx } = scope;
        const [step] = await readLockedSteps(scope, [item]);
        // A cancel that came while it was sent leaves the run cancelled (the step keeps its CANCELLED mark).
        if (!step || step.claims !== item.claims || step.status !== 'RUNNING' || FINISHED_RUN.has(step.run.status)) return 0;
        const chain = newChain(() => false, newStepWrites());
        completeStep(chain, step, (await versionOf(tx, step.run.versionId)).plan, { input: external!.input, output, counted: true }, step.clock.now());
        return save(scope, chain.writes);
      },
      { actor: stepActor(item.id) },
    );
    await wakeHeld(context, freed);
  };
}

/** Runs the claimed step (and, up to `chain` more, its database-only successors) in one transaction. */
async function claimedStep(item: QueueItem, context: QueueContext<WorkflowSettings>, chain: number, hold: SendHold): Promise<ExternalWork | null> {
  const outcome = await stepTransaction(item, context, chain, hold);
  if (outcome !== ADMITTED) return outcome;
  const admitted = await stepTransaction(item, context, chain, hold);
  return admitted === ADMITTED ? null : admitted;
}

/** A transaction's step outcome, and what to do once it has committed: wake for the places it freed, or recheck a hold. */
type Committed<T> = { value: T; freed: number; held: HeldStep[] };

/**
 * Runs a step transaction, then (committed) wakes held runs for the places it freed and rechecks its holds (admission.ts:
 * an error of theirs is reported, never thrown — the step has committed).
 */
async function committed<T>(context: QueueContext<WorkflowSettings>, run: () => Promise<Committed<T>>): Promise<T> {
  const { value, freed, held } = await run();
  await wakeHeld(context, freed);
  await recheckHeld(context, held);
  return value;
}

/** The run was let in (its own transaction committed): the step runs next. */
const ADMITTED = Symbol('admitted');

async function stepTransaction(
  item: QueueItem,
  context: QueueContext<WorkflowSettings>,
  chain: number,
  hold: SendHold,
): Promise<ExternalWork | null | typeof ADMITTED> {
  let input: Record<string, unknown> | undefined;
  let chained = false;
  /** The step began: an error from here on is a try of it. Before (reading, admission) it is not: see the catch. */
  let began = false;
  try {
    return await committed(context, () =>
      context.transaction<Committed<ExternalWork | null | typeof ADMITTED>>(
        async (scope) => {
          const { tx } = scope;
          const none = { value: null, freed: 0, held: [] };
          const [claimed] = await readLockedSteps(scope, [item]);
          if (!claimed || claimed.claims !== item.claims) return none; // a later claim owns it now
          const { run, clock, ...first } = claimed;
          const now = clock.now();
          if (FINISHED_STEP.has(first.status) || FINISHED_RUN.has(run.status)) {
            const cancel = run.status === 'CANCELLED' && !FINISHED_STEP.has(first.status);
            await tx.workflowStepRun.update({ where: { id: first.id }, data: { dueAt: null, ...(cancel ? { status: 'CANCELLED', finishedAt: now } : {}) } });
            return none;
          }
          if (needsAdmission(run, first, now)) {
            // Admission holds the workspace's lock: commit it at once, then do the step in a transaction of its own (the
            // lock is not held while steps run, so runs of a workspace are not done one at a time).
            const admission = await admitRun(scope, run);
            if (admission.admitted) return { value: ADMITTED, freed: 0, held: [] };
            // Held under this claim (`heldClaim`): a wake tells it from a row claimed since (admission.ts `HeldStep`).
            await tx.workflowStepRun.update({ where: { id: first.id }, data: { dueAt: admission.retryAt, heldClaim: first.claims } });
            return { value: null, freed: 0, held: admission.reason === 'CONCURRENCY' ? [{ id: first.id, dueAt: admission.retryAt, claims: first.claims }] : [] };
          }
          began = true;
          const writes = newStepWrites();
          // A deeper run's step signs its changes at its run's depth (`stepChain`); a run at depth 0 as itself.
          const acting = run.depth ? { ...scope, ...scope.actingAs(stepActor(item.id), stepChain(run)) } : scope;
          const external = await runChain(acting, first, run, clock, chain, writes, (given, successor) => {
            if (successor) chained = true;
            else input = given;
          });
          // To be sent after the commit: claimed for as long as the send may take (`SendHold`), with its RUNNING mark.
          const heldFor = external ? hold(external.kind, context) : null;
          if (heldFor !== null) recordStep(writes, first, { dueAt: heldUntil(clock, heldFor) });
          const freed = await save(scope, writes);
          // The RUNNING mark is written (its row locked till the commit: a claim skips it). Had this claim's lease ended
          // since the read, a later claim may own the step: it does it, this transaction rolls back and sends nothing.
          if (external && !(await stillClaimed(scope, item))) throw new LostClaim();
          return { value: external, freed, held: [] };
        },
        { actor: stepActor(item.id) },
      ),
    );
  } catch (error) {
    if (error instanceof LostClaim) {
      // Said: a RUNNING-mark transaction that keeps outliving the lease would lose every claim, once per lease, silently.
      context.report(new Error(`workflow step ${item.id}: claim taken over before its RUNNING mark (transaction outlived the lease)`), item.id);
      return null;
    }
    if (chained) throw new ChainedStepFailed(messageOf(error));
    // An error before the step began (its read, its run's admission: a deadlock, a lock timeout) is no try of the step:
    // the run stays as it was (a QUEUED run not let in stays QUEUED, no attempt used) and the step comes again soon —
    // a few times (`comeAgain`).
    if (!began) {
      await comeAgain(item, context, error);
      return null;
    }
    // The step's transaction rolled back: nothing it did is kept. Record the try in a transaction of its own.
    await recordFailure(item, context, error, { counted: false, input });
    return null;
  }
}

/** How soon a step whose transaction failed before it began (`comeAgain`) is claimed again: the first time; doubling. */
const AGAIN_MS = 250;
/** Returns a step makes at most (the last fails it): an error that comes every time would bring it back for ever. */
export const MAX_RETURNS = 5;

/** A step that could not begin, given up on: its failure is recorded, and this goes to the host's report (`onError`). */
class StepNotBegun extends Error {}

/**
 * Makes the step due again soon, nothing else changed (its claim still its own), and counts the return on its row
 * (`returns`); the `MAX_RETURNS`th fails the step and its run with the error (their history says it: the step never
 * began, no try used), and is thrown for the host to report (a passing error — a deadlock's victim — does not come five
 * times in a row: 250 ms, 0.5 s, 1 s, 2 s apart).
 */
async function comeAgain(item: QueueItem, context: QueueContext<WorkflowSettings>, error: unknown): Promise<void> {
  const gaveUp = await committed(context, () =>
    context.transaction<Committed<string | null>>(
      async (scope) => {
        const none = { value: null, freed: 0, held: [] };
        const [step] = await readLockedSteps(scope, [item]);
        if (step?.claims !== item.claims) return none;
        // The step or its run is over already (a cancel, another claim's end): nothing to bring back, nothing to report.
        if (FINISHED_STEP.has(step.status) || FINISHED_RUN.has(step.run.status)) {
          await scope.rows.write([{ update: 'WorkflowStepRun', rows: [{ id: item.id, dueAt: null }] }]);
          return none;
        }
        const returns = step.returns + 1;
        if (returns < MAX_RETURNS) {
          await scope.rows.write([{ update: 'WorkflowStepRun', rows: [{ id: item.id, returns, dueAt: new Date(step.clock.now().getTime() + AGAIN_MS * 2 ** (returns - 1)) }] }]);
          return none;
        }
        const message = `Could not begin: its transaction failed ${returns} times before the step ran (last: ${messageOf(error)})`;
        await scope.rows.write([{ update: 'WorkflowStepRun', rows: [{ id: item.id, returns }] }]);
        await failStep(scope.rows, step, { message, permanent: true, counted: true }, { attempts: 1, backoffMs: 0 }, step.clock.now());
        // A RUNNING run failing frees its place.
        return { value: message, freed: step.run.status === 'RUNNING' ? 1 : 0, held: [] };
      },
      { actor: stepActor(item.id) },
    ),
  );
  if (gaveUp) throw new StepNotBegun(`workflow step ${item.id}: ${gaveUp}`, { cause: error });
}

async function recordFailure(item: QueueItem, context: QueueContext<WorkflowSettings>, error: unknown, options: { counted: boolean; input: unknown }) {
  const freed = await context.transaction(
    async (scope) => {
      const [step] = await readLockedSteps(scope, [item]);
      if (!step || step.claims !== item.claims || FINISHED_STEP.has(step.status) || FINISHED_RUN.has(step.run.status)) return 0;
      const failure = { message: messageOf(error), permanent: isPermanent(error), counted: options.counted, input: options.input, retryAfterMs: retryAfterOf(error) };
      await failStep(scope.rows, step, failure, retryOf(await versionOf(scope.tx, step.run.versionId), step.stepId, scope.settings), step.clock.now());
      // Failed or waiting for its next try: a RUNNING run leaves RUNNING, its place freed.
      return step.run.status === 'RUNNING' ? 1 : 0;
    },
    { actor: stepActor(item.id) },
  );
  await wakeHeld(context, freed);
}
