// Starting runs: one row per (version, trigger id) — the unique key makes a second delivery of the same event (or a
// second scan of the same date) a no-op — and each run's first step, due at once. Runs start QUEUED; the runner lets
// them in under the workspace's limits (admission.ts). Many runs and their first steps start in one statement (the
// SDK's `rows`: the steps of the runs a duplicate key left out are left out too), whatever their number. Ids are uuid7
// (`newRowId`, as the schema's `@default(uuid(7))`): a later run's id is greater, so an erasure's scrub bounded by the
// highest run id (erasure-scrub.ts) is not kept going by runs started after it (on another instance: to clock skew).
import { type LockOptions, newRowId, type OwnRows, type OwnWrite } from '@crm/plugin-sdk';
import type { Starting } from './admission.js';
import { type CheckedVersion, checkedVersion, type VersionRow } from './versions.js';

export interface RunStart {
  workflowId: string;
  /** The version's row, or the version already checked (versions.ts). */
  version: VersionRow | CheckedVersion;
  /** The event id, `schedule:<time>`, `date:<record>:<date>`, `manual:<request>`: a run per version and trigger id. */
  triggerId: string;
  trigger: { event: Record<string, unknown> | null; record: Record<string, unknown> | null };
  recordType: string | null;
  recordId: string | null;
  depth: number;
  rerunOfId?: string | null;
  /** The first run of its reruns' family (`rerunOfId` followed back). */
  rerunRootId?: string | null;
}

/**
 * The workspace's run starts and its erasures never overlap (docs/plugins/workflows.md, "Privacy"): a transaction that
 * starts runs from what it reads in the database (a record, a run to repeat) takes this lock, shared, before reading it;
 * an erasure takes it alone (personal-data.ts). So an erasure waits for the starts under way to commit, and a start
 * begun during it reads after it: each run is either in the history the erasure's scrub searches, or was started from
 * what the erasure left. Shared: starts do not wait for one another. (Schedule and webhook runs read nothing of a
 * person from the database: a firing's time, a request's body.)
 */
export const RUN_STARTS = 'run-starts';
export const lockRunStarts = (scope: { lock(key: string, options?: LockOptions): Promise<unknown> }) => scope.lock(RUN_STARTS, { shared: true });

const planOf = (version: RunStart['version']) => ('plan' in version ? version : checkedVersion(version)).plan;

/**
 * The runs of `starts` (the first `admitted` of them RUNNING) and their first steps: the statement's two writes. Started
 * and due at the database's time: the admission's count's (`Starting.now`), else the columns' defaults (the database's time).
 */
function runWrites(starts: readonly RunStart[], admission: Starting | undefined) {
  const admitted = admission?.admitted ?? 0;
  const started = admission ? { startedAt: admission.now } : {};
  const runs = starts.map((start, i) => ({
    id: newRowId(),
    workflowId: start.workflowId,
    versionId: start.version.id,
    triggerId: start.triggerId,
    status: i < admitted ? 'RUNNING' : 'QUEUED',
    admittedAt: i < admitted ? admission!.now : null,
    recordType: start.recordType,
    recordId: start.recordId,
    trigger: start.trigger,
    depth: start.depth,
    rerunOfId: start.rerunOfId ?? null,
    rerunRootId: start.rerunRootId ?? null,
    ...started,
  }));
  const steps = starts.map((start, i) => {
    const plan = planOf(start.version);
    const first = plan.steps.get(plan.first)!;
    return { id: newRowId(), runId: runs[i]!.id, stepId: first.step.id, kind: first.step.kind, ...(admission ? { dueAt: admission.now } : {}) };
  });
  // ON CONFLICT DO NOTHING: a duplicate leaves the transaction usable (a failed INSERT would abort it). A first step
  // begins the chains of its changes (the run carries its depth), not the trigger event's: `newChain`.
  const writes: OwnWrite[] = [
    { insert: 'WorkflowRun', rows: runs, skipDuplicates: true },
    { insert: 'WorkflowStepRun', rows: steps, onlyFor: { column: 'runId', write: 0 }, newChain: true },
  ];
  return { runs, writes };
}

/**
 * Creates the runs and their first steps; returns the ids of the runs created, in the order of `starts` (a trigger id
 * already run: none). `admission`: how many of the first starts the workspace's limits let in already (admission.ts
 * `admitStarting`): those are created RUNNING.
 */
export async function startRuns(db: { rows: OwnRows }, starts: readonly RunStart[], admission?: Starting): Promise<string[]> {
  if (!starts.length) return [];
  const { runs, writes } = runWrites(starts, admission);
  const [created] = await db.rows.write(writes);
  const kept = new Set(created);
  return runs.filter((run) => kept.has(run.id)).map((run) => run.id);
}

/**
 * The same runs, written with the transaction's COMMIT (`rows.writeAtCommit`: one round trip for both), for a
 * transaction that writes nothing after them and needs not their ids (a subscriber's batch).
 */
export async function startRunsAtCommit(db: { rows: OwnRows }, starts: readonly RunStart[], admission: Starting): Promise<void> {
  if (starts.length) await db.rows.writeAtCommit(runWrites(starts, admission).writes);
}

/** One run: its id, or null when this version already ran for this trigger id. */
export async function startRun(db: { rows: OwnRows }, start: RunStart): Promise<string | null> {
  return (await startRuns(db, [start]))[0] ?? null;
}
