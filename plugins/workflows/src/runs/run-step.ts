// One step of a run inside its transaction (execute-step.ts runs it, alone, in a chain or in a claimed batch): its
// input, its effect, and its completion or its wait. Its internal effect (a core command, an action, a record write) is
// done as the caller says (`StepEffect`): at once, or with the batch's others (step-waves.ts).
import type { Models, QueueTransaction } from '@crm/plugin-sdk';
import type { StepKind } from '../definition/document.js';
import type { WorkflowSettings } from '../settings.js';
import { externalSteps, type InternalStepContext, internalSteps } from '../steps/step-kinds.js';
import { groupedItems, isGrouped } from '../steps/grouped-steps.js';
import { relationsOf, stepInput } from '../steps/step-input.js';
import { buildInput, loopItems } from '../steps/command-inputs.js';
import { eventHolds, valueHolds } from '../steps/value-condition.js';
import { isValueCondition, type ValueCondition } from '../definition/value-condition.js';
import { type Chain, completeStep, failStep, recordRun, recordStep, retryOf, unsavedOutputs } from './advance.js';
import { readsOutputs, templateScopeOf, triggerScopeOf } from './template-scope.js';
import { formerTypesOf, isRecordId, lookBack, receivedOutput, type WaitedEvent, waitKeyOf } from './wait-for-event.js';
import { versionOf } from './versions.js';
import type { DatabaseClock } from './database-clock.js';
import { versionObjects } from '../definition/version-objects.js';
import { readsTrash } from '../definition/validate.js';

/** A step's transaction: its commands, actions and records act as the step. */
export type StepScope = QueueTransaction<WorkflowSettings>;

/** `secrets`: those that sign its HTTP requests now (claimed-steps.ts). */
export type RunOfStep = Models.WorkflowRun & { workflow: { secrets: string[] } };

export interface ExternalWork {
  kind: 'httpRequest' | 'sendEmail';
  input: Record<string, unknown>;
  runId: string;
  workflowId: string;
  stepId: string;
  secrets: string[];
  emailFrom: string;
  /** The run's depth in a chain of workflows (an HTTP request tells it to the workflow webhooks it reaches). */
  depth: number;
}

/** How a step's internal effect (its core command, its action, its record write) is done. */
export type StepEffect = (kind: StepKind, input: Record<string, unknown>, context: InternalStepContext) => Promise<Record<string, unknown>>;

/** Alone: the step's own kind, at once. */
export const ownEffect: StepEffect = (kind, input, context) => internalSteps[kind]!(input, context);

export interface StepOutcome {
  /** An HTTP request or an email to send now (outside the transaction). */
  external: ExternalWork | null;
  /** The next step's row when this one completed and the run goes on. */
  next: Models.WorkflowStepRun | null;
}

/**
 * Whether a claimed WAITING step waits on (its time has not come, its event has not arrived): claimed early (its
 * lease, a paused plugin), it only waits again. Otherwise its run wakes, through admission (execute-step.ts).
 */
export function stillWaits(step: Pick<Models.WorkflowStepRun, 'status' | 'kind' | 'input' | 'output'>, now: Date): boolean {
  if (step.status !== 'WAITING') return false;
  if (step.kind === 'waitForEvent' && (step.output as { received?: boolean } | null)?.received === true) return false;
  const until = new Date(String((step.input as { until?: unknown } | null)?.until));
  return !Number.isNaN(until.getTime()) && until > now;
}

/**
 * One step of a run inside the transaction: its input, its effect, its completion (or its wait). Its due times (a
 * wait's end, its timeout, its successor's "now", a retry's backoff) count from `clock`: the database's (its read's).
 */
export async function runStep(
  scope: StepScope,
  step: Models.WorkflowStepRun,
  run: RunOfStep,
  clock: DatabaseClock,
  chain: Chain,
  reportInput: (input: Record<string, unknown>) => void,
  effect: StepEffect,
): Promise<StepOutcome> {
  const { tx } = scope;
  const now = clock.now();
  const version = await versionOf(tx, run.versionId);
  const { plan } = version;
  const planned = plan.steps.get(step.stepId)!;
  const templates = readsOutputs(planned.step) ? await templateScopeOf(tx, run, unsavedOutputs(chain.writes, run.id)) : triggerScopeOf(run);
  const recordType = run.recordType;
  // The version's object model: with the workspace's definitions when it names custom fields or objects.
  const objects = await versionObjects(scope.objects, tx, scope.workspaceId, version);
  const inputContext = { now, recordType, recordId: run.recordId, relationOf: relationsOf(objects.catalog, recordType) };
  let input = stepInput(planned.step, templates, inputContext);
  reportInput(input);
  const complete = async (output: unknown, options: { branch?: string; counted?: boolean } = {}): Promise<StepOutcome> => {
    const next = completeStep(chain, step, plan, { input, output, branch: options.branch, counted: options.counted ?? false, runStatus: run.status }, now);
    if (!next) run.status = 'SUCCEEDED';
    return { external: null, next };
  };
  // The step's own changes other than its end (a wait, its RUNNING mark) go with the transaction's other bookkeeping.
  const setStep = (set: Record<string, unknown>) => recordStep(chain.writes, step, set);
  const waiting = (set: Record<string, unknown>): StepOutcome => {
    setStep(set);
    recordRun(chain.writes, run.id, { status: 'WAITING' });
    return { external: null, next: null };
  };
  const matches = async (filter: Record<string, unknown>, at: string) => {
    if (run.recordId === null || !recordType) return false;
    // A `deleted` trigger's record is in the trash: its steps test it there, as its trigger did.
    return objects.matches(tx, recordType, run.recordId, objects.parseFilter(recordType, filter, at), { trashed: readsTrash(version.definition) });
  };
  const internal = { tx, commands: scope.commands, actions: scope.actions, objects, actingAs: version.actingAs };

  switch (planned.step.kind) {
    case 'condition': {
      const test = planned.step.if;
      const branch = (isValueCondition(test) ? valueHolds(test, templates) : await matches(test, 'if')) ? 'then' : 'else';
      return complete({ branch }, { branch });
    }
    case 'switch': {
      let branch = 'default';
      for (const [i, c] of planned.step.cases.entries()) {
        if (isValueCondition(c.when) ? valueHolds(c.when, templates) : await matches(c.when, `cases.${i}.when`)) {
          branch = c.name;
          break;
        }
      }
      return complete({ branch }, { branch });
    }
    case 'forEach': {
      const loop = planned.step;
      const items = loopItems(input.items, loop.max);
      const inputs = items.map((item, index) => stepInput(loop.do, { ...templates, item, index }, inputContext));
      // Every item in this one transaction: the loop is done for all of them, or (a failure) for none. Items the core
      // answers item by item (tags, tasks) go to it in one call, a few statements whatever their number.
      const kind = loop.do.kind;
      const outputs: unknown[] = [];
      if (isGrouped(kind)) outputs.push(...(await groupedItems(kind, inputs, internal.commands, internal.actingAs)));
      else for (const itemInput of inputs) outputs.push(await internalSteps[kind]!(itemInput, internal));
      return complete({ count: items.length, outputs });
    }
    case 'wait': {
      // A wait computes its end once (a duration counts from when it started), then keeps it.
      const stored = step.status === 'WAITING' ? (step.input as { until?: string } | null)?.until : undefined;
      if (stored) input = { until: stored };
      const { until } = buildInput('wait', input);
      if (until > now) {
        // The first look: the step waits as a due time (no timer, no memory), the run shows WAITING.
        const first = step.status !== 'WAITING';
        return waiting({ status: 'WAITING', dueAt: until, input: { until: until.toISOString() }, ...(first ? { startedAt: now, attempts: step.attempts + 1 } : {}) });
      }
      return complete({ until: until.toISOString() }, { counted: step.status === 'WAITING' });
    }
    case 'waitForEvent': {
      // Only an event for which the step's condition holds ends it (none: any event that counts).
      const where = (step.status === 'WAITING' ? (step.input as { where?: ValueCondition } | null)?.where : (input.where as ValueCondition | undefined)) ?? null;
      if (step.status !== 'WAITING') {
        const { eventType, subjectId } = buildInput('waitForEvent', input);
        // The event may have come already, since the run started (wait-for-event.ts says which count): the wait is over.
        const { event, seenSeq } = await lookBack(scope.sql, { runId: run.id, eventType, subjectId, holds: (e) => eventHolds(where, e, objects) }, String(run.startSeq));
        if (event) return complete(receivedOutput(event), { branch: 'received' });
        // Waits as a key that arriving events are matched on (wait-for-event.ts), and as a due time: at once, to look
        // once more after this commits (an event committed meanwhile may have missed the key), then the timeout.
        return waiting({
          status: 'WAITING',
          dueAt: now,
          input: { ...input, sinceSeq: seenSeq },
          waitKey: waitKeyOf(eventType, subjectId),
          startedAt: now,
          attempts: step.attempts + 1,
        });
      }
      input = step.input as Record<string, unknown>;
      let output = step.output as { received?: boolean } | null;
      if (output?.received !== true) {
        const until = new Date(String(input.until));
        if (until > now) {
          // After what the first look saw (a wait written before `sinceSeq` existed: after the run's start).
          const look = {
            runId: run.id,
            eventType: String(input.eventType),
            formerTypes: formerTypesOf(input),
            subjectId: String(input.subjectId),
            holds: (e: WaitedEvent) => eventHolds(where, e, objects),
          };
          const seen = isRecordId(look.subjectId) ? await lookBack(scope.sql, look, typeof input.sinceSeq === 'string' ? input.sinceSeq : String(run.startSeq)) : null;
          // Found: taken as an arriving event takes it (unless one did first), so the run wakes through admission.
          if (seen?.event) {
            await tx.workflowStepRun.updateMany({ where: { id: step.id, waitKey: { not: null } }, data: { waitKey: null, dueAt: now, output: receivedOutput(seen.event) } });
          } else {
            // What this look saw is judged: an arriving event resumes the wait only if it is newer (wait-for-event.ts).
            // Only that key is written into the stored input, not the input read: a rename's rewrite committed since stays.
            // Onto the step as read only (advance.ts `AsRead`): else it is read and looked at again.
            recordStep(chain.writes, step, { dueAt: until }, seen ? { sinceSeq: seen.seenSeq } : undefined, { judged: { where: input.where, eventType: input.eventType }, againAt: now });
          }
          return { external: null, next: null };
        }
        // The timeout: stop listening, unless the event took the step first (its write holds the row).
        const { count } = await tx.workflowStepRun.updateMany({ where: { id: step.id, waitKey: { not: null } }, data: { waitKey: null } });
        if (count === 0) output = (await tx.workflowStepRun.findUnique({ where: { id: step.id }, select: { output: true } }))?.output as typeof output;
      }
      const received = output?.received === true;
      return complete(received ? output : { received: false, event: null }, { branch: received ? 'received' : 'timedOut', counted: true });
    }
    case 'httpRequest':
    case 'sendEmail': {
      const kind = planned.step.kind;
      if (step.status === 'RUNNING' && !externalSteps[kind]!.idempotent) {
        // It may have been sent before the gateway stopped: sending again could send twice.
        const ended = await failStep(
          scope.rows,
          step,
          { message: 'Interrupted while sending; not sent again because this step is not idempotent', permanent: true, counted: true, input },
          retryOf(version, step.stepId, scope.settings),
          now,
        );
        // Written already; recorded too so that the place the run frees is counted (execute-step.ts wakes a held run).
        recordRun(chain.writes, run.id, { status: ended === 'failed' ? 'FAILED' : 'WAITING' });
        return { external: null, next: null };
      }
      // Written at the transaction's end, which commits before the request is sent.
      setStep({ status: 'RUNNING', attempts: step.attempts + 1, startedAt: step.startedAt ?? now, input });
      return {
        external: { kind, input, runId: run.id, workflowId: run.workflowId, stepId: step.stepId, secrets: run.workflow.secrets, emailFrom: scope.settings.emailFrom, depth: run.depth },
        next: null,
      };
    }
    default:
      return complete(await effect(planned.step.kind, input, internal));
  }
}
