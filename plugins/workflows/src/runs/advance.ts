// Moving a run on: a step's success (its output, the next step queued, or the run finished) and its failure (tried
// again later with backoff, or the run failed). A success is not written at once: the transaction collects its
// bookkeeping (`StepWrites`: steps' ends, successors' rows, runs' statuses) and writes all of it at its end in one
// statement (`saveStepWrites`, the SDK's `rows`), whatever the number of steps and runs it did. A success returns the
// next step's row, which the runner may go on with in the same transaction (execute-step.ts). A successor the runner
// goes on with is not written PENDING and then done: its row is written once, finished, with the chain's others.
// `now`: the database's time (database-clock.ts), which the due times written here are counted from.
import { type Models, newRowId, type OwnRows, type OwnWrite } from '@crm/plugin-sdk';
import { durationMs } from '../definition/document.js';
import type { Plan } from '../definition/plan.js';
import type { WorkflowSettings } from '../settings.js';

type StepRow = Pick<Models.WorkflowStepRun, 'id' | 'runId' | 'stepId' | 'attempts' | 'startedAt' | 'workspaceId'> & Partial<Pick<Models.WorkflowStepRun, 'seq'>>;
type Values = Record<string, unknown> & { id: string };

/**
 * An existing step row's change: `set` its columns; `inputKeys` keys merged into its stored `input` (a waiting step's
 * look-back `sinceSeq`), never the whole input it read, so that a rename's rewrite of its `where` or event type,
 * committed between that read and this write, stays (docs/plugins/workflows.md, "Renames follow").
 */
interface StepChange {
  runId: string;
  stepId: string;
  set: Record<string, unknown>;
  inputKeys?: Record<string, unknown>;
  asRead?: AsRead;
}

/**
 * A waiting step's look-back judged the events with the step as it read it: its write lands only on the step as it was
 * read — still waiting (an event, or its timeout, may have ended the wait meanwhile: its due time is not put back to
 * the timeout), its `where` and `eventType` (`judged`) those it judged with (a rename committed since rewrote them: what
 * it passed over may end the wait under the new names) — else the step is only made due `againAt`, so that a claim
 * reads it anew and looks again from where it last looked.
 */
export interface AsRead {
  judged: { where?: unknown; eventType?: unknown };
  againAt: Date;
}
const JUDGED_KEYS = ['where', 'eventType'] as const;
const STILL_WAITING = { status: 'WAITING', waitKey: { not: null } } as const;

/** What a transaction's steps changed, written at its end in one statement. */
export interface StepWrites {
  /** Existing step rows' changes, by id (with their run and step, for the outputs read before the end). */
  readonly steps: Map<string, StepChange>;
  /** Rows of successors done in this transaction, finished. */
  readonly finished: Values[];
  /** Rows of next steps to do later (PENDING, due now); a row the run already has is left alone. */
  readonly queued: Values[];
  /** Runs' changes, by id (merged: a run going RUNNING, then SUCCEEDED, is written once). */
  readonly runs: Map<string, Record<string, unknown>>;
}

export const newStepWrites = (): StepWrites => ({ steps: new Map(), finished: [], queued: [], runs: new Map() });

/** Successors a transaction goes on with (execute-step.ts). */
export interface Chain {
  /** Whether the runner goes on with a next step of this kind in this transaction. */
  goesOn(kind: string): boolean;
  /** Ids of the successors not written yet. */
  readonly unsaved: Set<string>;
  /** The transaction's writes. */
  readonly writes: StepWrites;
}

export const newChain = (goesOn: (kind: string) => boolean, writes: StepWrites): Chain => ({ goesOn, unsaved: new Set(), writes });

/** The outputs of the run's steps that succeeded in this transaction (not written yet). */
export function unsavedOutputs(writes: StepWrites, runId: string): { stepId: string; output: unknown }[] {
  const updated = [...writes.steps.values()].filter((c) => c.runId === runId && c.set.status === 'SUCCEEDED').map((c) => ({ stepId: c.stepId, output: c.set.output }));
  const finished = writes.finished.filter((row) => row.runId === runId).map((row) => ({ stepId: String(row.stepId), output: row.output }));
  return [...updated, ...finished];
}

/**
 * Rows that set the same columns go in one update; rows of other shapes in another (all in the same statement). `merge`:
 * the rows' keys for JSON columns merged into what the row holds (`OwnUpdate.merge`), a shape of their own.
 */
function updatesOf(model: string, changes: Iterable<[string, Record<string, unknown>, Record<string, unknown>?]>): OwnWrite[] {
  const byShape = new Map<string, { rows: Values[]; merge: string[] }>();
  for (const [id, set, merge = {}] of changes) {
    const shape = `${Object.keys(set).sort().join(',')}|${Object.keys(merge).sort().join(',')}`;
    const group = byShape.get(shape) ?? { rows: [], merge: Object.keys(merge) };
    group.rows.push({ ...set, ...merge, id });
    byShape.set(shape, group);
  }
  return [...byShape.values()].map(({ rows, merge }) => ({ update: model, rows, ...(merge.length ? { merge } : {}) }));
}

/** Statuses a RUNNING run goes to when it stops executing: each frees a place of the concurrency limit. */
const LEAVES_RUNNING = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'WAITING']);

/** How many of the transaction's runs leave RUNNING: places it frees (admission.ts `wakeHeld`, once it commits). */
export const placesFreed = (writes: StepWrites) => [...writes.runs.values()].filter((set) => LEAVES_RUNNING.has(String(set.status))).length;

/** Writes what the transaction's steps changed, in one statement (none when nothing changed); empties `writes`. */
export async function saveStepWrites(rows: OwnRows, writes: StepWrites): Promise<void> {
  const changes = [...writes.steps];
  const guarded = changes.filter(([, change]) => change.asRead);
  // First, so their answers are the first: the ids each guarded write changed.
  const asRead = updatesOf(
    'WorkflowStepRun',
    guarded.map(([id, change]) => [id, change.set, { input: { ...change.inputKeys, ...json(change.asRead!.judged) } }]),
  ).map((write) => ({ ...write, onlyIf: STILL_WAITING, unchanged: { input: JUDGED_KEYS } }));
  // A step begins the chains of its changes (its run carries the depth): its rows never take the handler's chain.
  const all: OwnWrite[] = [
    ...asRead,
    ...updatesOf('WorkflowStepRun', changes.filter(([, change]) => !change.asRead).map(([id, change]) => [id, change.set, change.inputKeys && { input: change.inputKeys }])),
    { insert: 'WorkflowStepRun', rows: writes.finished.splice(0), newChain: true },
    { insert: 'WorkflowStepRun', rows: writes.queued.splice(0), skipDuplicates: true, newChain: true },
    ...updatesOf('WorkflowRun', writes.runs),
  ];
  writes.steps.clear();
  writes.runs.clear();
  const written = new Set((await rows.write(all)).slice(0, asRead.length).flat());
  // Not written (the wait ended, or a rename rewrote what the look judged with): due again, to be read anew — only in that race.
  const again = guarded.filter(([id]) => !written.has(id)).map(([id, change]) => ({ id, dueAt: change.asRead!.againAt }));
  if (again.length) await rows.write([{ update: 'WorkflowStepRun', rows: again, onlyIf: { status: 'WAITING' } }]);
}

/** A run's change, merged with those the transaction already made to it. */
export const recordRun = (writes: StepWrites, runId: string, set: Record<string, unknown>) => writes.runs.set(runId, { ...writes.runs.get(runId), ...set });

/** An existing step row's change, merged likewise (a wait's due time, an HTTP step's RUNNING mark). */
export function recordStep(
  writes: StepWrites,
  step: Pick<StepRow, 'id' | 'runId' | 'stepId'>,
  set: Record<string, unknown>,
  inputKeys?: Record<string, unknown>,
  asRead?: AsRead,
): void {
  const before = writes.steps.get(step.id);
  const guard = asRead ?? before?.asRead;
  // A whole input written replaces keys merged before; keys merged after it go into it.
  const input = set.input !== undefined ? set.input : before?.set.input;
  const merged = { ...before?.set, ...set, ...(input !== undefined && inputKeys ? { input: { ...(input as object), ...inputKeys } } : {}) };
  const keys = input === undefined ? (inputKeys || before?.inputKeys ? { ...before?.inputKeys, ...inputKeys } : undefined) : undefined;
  writes.steps.set(step.id, { runId: step.runId, stepId: step.stepId, set: merged, ...(keys ? { inputKeys: keys } : {}), ...(guard ? { asRead: guard } : {}) });
}

const json = (value: unknown) => (value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as object));

export function completeStep(
  chain: Chain,
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
  now: Date,
): Models.WorkflowStepRun | null {
  const { writes } = chain;
  const startedAt = step.startedAt ?? now;
  const planned = plan.steps.get(step.stepId)!;
  const done = {
    status: 'SUCCEEDED' as const,
    input: json(result.input) ?? null,
    output: json(result.output) ?? null,
    error: null,
    attempts: result.counted ? step.attempts : step.attempts + 1,
    startedAt,
    finishedAt: now,
    durationMs: Math.max(0, now.getTime() - startedAt.getTime()),
    dueAt: null,
  };
  if (chain.unsaved.has(step.id)) {
    writes.finished.push({ id: step.id, workspaceId: step.workspaceId, runId: step.runId, stepId: step.stepId, kind: planned.step.kind, seq: step.seq ?? 0, ...done });
  } else {
    recordStep(writes, step, done);
  }
  const next = result.branch !== undefined ? (planned.branches[result.branch] ?? planned.next) : planned.next;
  if (next) {
    const nextStep = plan.steps.get(next)!.step;
    const row = { id: newRowId(), workspaceId: step.workspaceId, runId: step.runId, stepId: next, kind: nextStep.kind, seq: (step.seq ?? 0) + 1, dueAt: now };
    if (result.runStatus !== 'RUNNING') recordRun(writes, step.runId, { status: 'RUNNING' });
    if (chain.goesOn(nextStep.kind)) chain.unsaved.add(row.id);
    else writes.queued.push(row);
    return { ...row, status: 'PENDING', attempts: 0, input: null, output: null, error: null, claims: 0, returns: 0, heldClaim: null, startedAt: null, finishedAt: null, durationMs: null, waitKey: null, createdAt: now };
  }
  recordRun(writes, step.runId, { status: 'SUCCEEDED', finishedAt: now });
  return null;
}

/**
 * A successor the transaction went on with, not done after all (its own step failed in a claimed batch: steps/
 * grouped-steps.ts): written PENDING and due now instead, so that it is done again alone, and fails or is retried as
 * any step (its predecessors' work is kept).
 */
export function requeue(chain: Chain, step: Pick<Models.WorkflowStepRun, 'id' | 'workspaceId' | 'runId' | 'stepId' | 'kind' | 'seq'>, now: Date): void {
  chain.unsaved.delete(step.id);
  chain.writes.queued.push({ id: step.id, workspaceId: step.workspaceId, runId: step.runId, stepId: step.stepId, kind: step.kind, seq: step.seq, dueAt: now });
}

/** How a step is tried again: its own `retry`, else the workspace's settings. */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export function retryOf(version: { plan: Plan }, stepId: string, settings: Pick<WorkflowSettings, 'stepAttempts' | 'retryBackoffMs'>): RetryPolicy {
  const own = version.plan.steps.get(stepId)?.step.retry;
  return { attempts: own?.attempts ?? settings.stepAttempts, backoffMs: own?.backoff ? durationMs(own.backoff) : settings.retryBackoffMs };
}

/**
 * Records a failed try: again after backoff while tries remain and the failure may pass, else the run fails (one
 * statement). While it waits for the next try the run is WAITING: it holds no place of the concurrency limit, and
 * comes back through admission like any waiting run (execute-step.ts).
 */
export async function failStep(
  rows: OwnRows,
  step: StepRow,
  failure: { message: string; permanent: boolean; counted: boolean; input?: unknown; /** The other side's Retry-After: no sooner than this. */ retryAfterMs?: number | null },
  retry: RetryPolicy,
  now: Date,
): Promise<'retry' | 'failed'> {
  const attempts = failure.counted ? step.attempts : step.attempts + 1;
  const error = failure.message.slice(0, 2000);
  // A failure before the input was worked out leaves the stored input as it is.
  const input = failure.input === undefined ? {} : { input: json(failure.input) ?? null };
  if (!failure.permanent && attempts < retry.attempts) {
    const dueAt = new Date(now.getTime() + Math.max(retry.backoffMs * 2 ** (attempts - 1), failure.retryAfterMs ?? 0));
    await rows.write([
      { update: 'WorkflowStepRun', rows: [{ id: step.id, status: 'PENDING', attempts, error, dueAt, ...input }] },
      { update: 'WorkflowRun', rows: [{ id: step.runId, status: 'WAITING' }] },
    ]);
    return 'retry';
  }
  const startedAt = step.startedAt ?? now;
  await rows.write([
    {
      update: 'WorkflowStepRun',
      rows: [{ id: step.id, status: 'FAILED', attempts, error, dueAt: null, startedAt, finishedAt: now, durationMs: now.getTime() - startedAt.getTime(), ...input }],
    },
    { update: 'WorkflowRun', rows: [{ id: step.runId, status: 'FAILED', error: `${step.stepId}: ${error}`, finishedAt: now }] },
  ]);
  return 'failed';
}
