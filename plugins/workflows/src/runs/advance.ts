// Moving a run on: a step's success (its output, the next step queued, or the run finished) and its failure (tried
// again later with backoff, or the run failed). Each is written in the caller's transaction. A success returns the
// next step's row, which the runner may go on with in the same transaction (execute-step.ts). A successor the runner
// goes on with is not written PENDING and then done: its row is written once, finished, with the chain's others.
import { randomUUID } from 'node:crypto';
import type { Models, Prisma, ScopedTransaction } from '@crm/plugin-sdk';
import type { Plan } from '../definition/plan.js';
import type { WorkflowSettings } from '../settings.js';

type StepRow = Pick<Models.WorkflowStepRun, 'id' | 'runId' | 'stepId' | 'attempts' | 'startedAt' | 'workspaceId'> & Partial<Pick<Models.WorkflowStepRun, 'seq'>>;

/** Successors a transaction goes on with (execute-step.ts): their rows are written finished, together, at its end. */
export interface Chain {
  /** Whether the runner goes on with a next step of this kind in this transaction. */
  goesOn(kind: string): boolean;
  /** Ids of the successors not written yet. */
  readonly unsaved: Set<string>;
  /** Their finished rows, for `saveChain`. */
  readonly rows: Prisma.WorkflowStepRunCreateManyInput[];
}

export const newChain = (goesOn: (kind: string) => boolean): Chain => ({ goesOn, unsaved: new Set(), rows: [] });

/** Writes the chain's finished successors, in one statement. */
export async function saveChain(tx: ScopedTransaction, chain: Chain): Promise<void> {
  if (chain.rows.length) await tx.workflowStepRun.createMany({ data: chain.rows.splice(0) });
}

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
  /** The transaction's chain, when it may go on with the next step. */
  chain?: Chain,
): Promise<Models.WorkflowStepRun | null> {
  const startedAt = step.startedAt ?? now;
  const planned = plan.steps.get(step.stepId)!;
  const done = {
    status: 'SUCCEEDED' as const,
    input: json(result.input),
    output: json(result.output),
    error: null,
    attempts: result.counted ? step.attempts : step.attempts + 1,
    startedAt,
    finishedAt: now,
    durationMs: Math.max(0, now.getTime() - startedAt.getTime()),
    dueAt: null,
  };
  if (chain?.unsaved.has(step.id)) {
    chain.rows.push({ id: step.id, workspaceId: step.workspaceId, runId: step.runId, stepId: step.stepId, kind: planned.step.kind, seq: step.seq ?? 0, ...done });
  } else {
    await tx.workflowStepRun.update({ where: { id: step.id }, data: done });
  }
  const next = result.branch !== undefined ? (planned.branches[result.branch] ?? planned.next) : planned.next;
  if (next) {
    const nextStep = plan.steps.get(next)!.step;
    const row = { workspaceId: step.workspaceId, runId: step.runId, stepId: next, kind: nextStep.kind, seq: (step.seq ?? 0) + 1, dueAt: now };
    if (result.runStatus !== 'RUNNING') await tx.workflowRun.update({ where: { id: step.runId }, data: { status: 'RUNNING' } });
    if (chain?.goesOn(nextStep.kind)) {
      const id = randomUUID();
      chain.unsaved.add(id);
      return { ...row, id, status: 'PENDING', attempts: 0, input: null, output: null, error: null, claims: 0, startedAt: null, finishedAt: null, durationMs: null, waitKey: null, createdAt: now };
    }
    const [created] = await tx.workflowStepRun.createManyAndReturn({ data: [row], skipDuplicates: true });
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
