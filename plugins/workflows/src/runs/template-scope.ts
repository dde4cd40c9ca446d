// What a run's templates read: the trigger as the run stored it, and the outputs of the steps that succeeded. Steps
// that name no earlier step's output skip reading those (most steps: one statement less per step).
import type { Models, ScopedTransaction } from '@crm/plugin-sdk';
import type { Step } from '../definition/document.js';
import { templatePaths, type TemplateScope } from '../definition/templates.js';

/** The trigger alone (no step outputs). */
export function triggerScopeOf(run: Pick<Models.WorkflowRun, 'trigger'>): TemplateScope {
  const trigger = (run.trigger ?? {}) as TemplateScope['trigger'];
  return { trigger: { event: trigger.event ?? null, record: trigger.record ?? null }, steps: {} };
}

/**
 * The trigger and the outputs of the run's succeeded steps: those written, and `unsaved` — the run's steps done earlier
 * in this transaction, whose rows are written at its end (advance.ts `unsavedOutputs`).
 */
export async function templateScopeOf(
  db: Pick<ScopedTransaction, 'workflowStepRun'>,
  run: Pick<Models.WorkflowRun, 'id' | 'trigger'>,
  unsaved: readonly { stepId: string; output?: unknown }[] = [],
): Promise<TemplateScope> {
  const done = await db.workflowStepRun.findMany({ where: { runId: run.id, status: 'SUCCEEDED' }, select: { stepId: true, output: true } });
  return { ...triggerScopeOf(run), steps: Object.fromEntries([...done, ...unsaved].map((s) => [s.stepId, { output: s.output ?? null }])) };
}

const reads = new WeakMap<Step, boolean>();

/** Whether the step (a loop's step included, other nested steps not) names an earlier step's output. */
export function readsOutputs(step: Step): boolean {
  let found = reads.get(step);
  if (found === undefined) {
    const { then: _t, else: _e, cases: _c, default: _d, onTimeout: _o, ...own } = step as Step & Record<string, unknown>;
    // A switch's own values are its cases' tests (their steps are nested).
    const tests = step.kind === 'switch' ? step.cases.map((c) => c.when) : [];
    found = templatePaths([own, tests], '').some(({ path }) => path.split('.')[0] === 'steps');
    reads.set(step, found);
  }
  return found;
}
