// Moving a run on: a step's success (its output, the next step queued, or the run finished) and its failure (tried
// again later with backoff, or the run failed). Each is written in the caller's transaction. A success returns the
// next step's row, which the runner may go on with in the same transaction (execute-step.ts).
import type { Models, ScopedTransaction } from '@crm/plugin-sdk';
import type { Plan } from '../definition/plan.js';
import type { WorkflowSettings } from '../settings.js';

type StepRow = Pick<Models.WorkflowStepRun, 'id' | 'runId' | 'stepId' | 'attempts' | 'startedAt' | 'workspaceId'> & Partial<Pick<Models.WorkflowStepRun, 'seq'>>;

const json = (value: unknown) => (value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as object));

export async function completeStep(
  tx: ScopedTransaction,
  step: StepRow,
  plan: Plan,
  result: {
    input: unknown;
    output: unknown;
    /** Branching steps: the branch taken (`then`, a case's name, `timedOut`, …). */
    branch?: string;
    counted: boolean;
    /** The run's status as the caller read it: a RUNNING run going on needs no write of its own. */
    runStatus?: string;
  },
  now = new Date(),
): Promise<Models.WorkflowStepRun | null> {
  const startedAt = step.startedAt ?? now;
  await tx.workflowStepRun.update({
    where: { id: step.id },
    data: {
      status: 'SUCCEEDED',
      input: json(result.input),
      output: json(result.output),
      error: null,
      attempts: result.counted ? step.attempts : step.attempts + 1,
      startedAt,
      finishedAt: now,
      durationMs: Math.max(0, now.getTime() - startedAt.getTime()),
      dueAt: null,
    },
  });
  const planned = plan.steps.get(step.stepId)!;
  const next = result.branch !== undefined ? (planned.branches[result.branch] ?? planned.next) : planned.next;
  if (next) {
    const nextStep = plan.steps.get(next)!.step;
    const [created] = await tx.workflowStepRun.createManyAndReturn({
      data: [{ workspaceId: step.workspaceId, runId: step.runId, stepId: next, kind: nextStep.kind, seq: (step.seq ?? 0) + 1, dueAt: now }],
      skipDuplicates: true,
    });
    if (result.runStatus !== 'RUNNING') await tx.workflowRun.update({ where: { id: step.runId }, data: { status: 'RUNNING' } });
    return created ?? null;
  }
  await tx.workflowRun.update({ where: { id: step.runId }, data: { status: 'SUCCEEDED', finishedAt: now } });
  return null;
}

/** Records a failed try: again after backoff while tries remain and the failure may pass, else the run fails. */
export async function failStep(
  tx: ScopedTransaction,
  step: StepRow,
  failure: { message: string; permanent: boolean; counted: boolean; input?: unknown },
  settings: WorkflowSettings,
  now = new Date(),
): Promise<'retry' | 'failed'> {
  const attempts = failure.counted ? step.attempts : step.attempts + 1;
  const error = failure.message.slice(0, 2000);
  if (!failure.permanent && attempts < settings.stepAttempts) {
    const dueAt = new Date(now.getTime() + settings.retryBackoffMs * 2 ** (attempts - 1));
    await tx.workflowStepRun.update({ where: { id: step.id }, data: { status: 'PENDING', attempts, error, dueAt, input: json(failure.input) } });
    return 'retry';
  }
  const startedAt = step.startedAt ?? now;
  await tx.workflowStepRun.update({
    where: { id: step.id },
    data: { status: 'FAILED', attempts, error, dueAt: null, startedAt, finishedAt: now, durationMs: now.getTime() - startedAt.getTime(), input: json(failure.input) },
  });
  await tx.workflowRun.update({ where: { id: step.runId }, data: { status: 'FAILED', error: `${step.stepId}: ${error}`, finishedAt: now } });
  return 'failed';
}
