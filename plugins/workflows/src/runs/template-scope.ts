// What a run's templates read: the trigger as the run stored it, and the outputs of the steps that succeeded.
import type { Models, ScopedTransaction } from '@crm/plugin-sdk';
import type { TemplateScope } from '../definition/templates.js';

export async function templateScopeOf(db: Pick<ScopedTransaction, 'workflowStepRun'>, run: Pick<Models.WorkflowRun, 'id' | 'trigger'>): Promise<TemplateScope> {
  const done = await db.workflowStepRun.findMany({ where: { runId: run.id, status: 'SUCCEEDED' }, select: { stepId: true, output: true } });
  const trigger = (run.trigger ?? {}) as TemplateScope['trigger'];
  return {
    trigger: { event: trigger.event ?? null, record: trigger.record ?? null },
    steps: Object.fromEntries(done.map((s) => [s.stepId, { output: s.output }])),
  };
}
