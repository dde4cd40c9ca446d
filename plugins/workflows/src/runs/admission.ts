// Letting a run into execution: the workspace's concurrency limit (runs RUNNING at once: executing steps; a WAITING run
// holds no place) and rate limit (runs started in the last minute), counted under a lock so that two instances cannot
// both pass the last free place. Every way into execution comes here: a run's start (QUEUED → RUNNING, or created
// RUNNING by `admitStarting`), and a waiting run's wake (WAITING → RUNNING: its wait's end, its event, its timeout, a
// failed step's backoff; the concurrency limit only). A run held back stays (or goes back) QUEUED with the reason
// (`heldBack`, shown in its history): it is never dropped. Held by the concurrency limit, it is made due when a run
// leaves RUNNING — it ends, waits, or is cancelled (`wakeHeld`, after the freeing transaction commits: the oldest held,
// as many as places freed), or at once should a place be free once its hold commits (`recheckHeld`: a free its wake
// did not see) — else looks again after a slow fallback (`CONCURRENCY_FALLBACK_MS`); held by the rate,
// when the oldest start of the minute leaves it; and at once when an ADMIN changes the limits (`releaseHeldRuns`).
// Lock order: runs/claimed-steps.ts (run locks, then the admission lock, then step rows).
import type { Models, QueueContext, QueueTransaction } from '@crm/plugin-sdk';
import type { WorkflowSettings } from '../settings.js';
import { piece, withPieces } from './sql-pieces.js';

/**
 * How soon a run held back by the concurrency limit looks again by itself: a fallback, since a run leaving RUNNING
 * makes held runs due (`wakeHeld`). It was 500 ms: with 1,000 runs held, about 2,000 claims a second.
 */
export const CONCURRENCY_FALLBACK_MS = 10_000;
const MINUTE_MS = 60_000;
/** The start of the rate's minute by the database's clock; none (NULL: counts nothing) without a rate. */
const MINUTE_AGO = (rated: boolean) => piece`CASE WHEN ${rated}::boolean THEN statement_timestamp() - ${MINUTE_MS}::int * interval '1 millisecond' END`;

export type Admission = { admitted: true } | { admitted: false; reason: 'CONCURRENCY' | 'RATE_LIMIT'; retryAt: Date };

type AdmissionScope = Pick<QueueTransaction<WorkflowSettings>, 'sql' | 'rows' | 'settings' | 'lock'>;

type RunToAdmit = Pick<Models.WorkflowRun, 'id' | 'status' | 'admittedAt' | 'heldBack'>;

/**
 * Whether letting the run in is a wake: a run that started before and waited (a wait, an event, a retry's backoff) is
 * held to the concurrency limit only — it started once already. A run that has not started (no `admittedAt`) is a
 * start: both limits, and `admittedAt` set (what the rate counts).
 */
const isWake = (run: RunToAdmit) => run.admittedAt !== null || run.status === 'WAITING';

/** Lets a run (back) into execution, or holds it QUEUED with the reason (`admitRuns` for one run). */
export async function admitRun(scope: AdmissionScope, run: RunToAdmit): Promise<Admission> {
  return (await admitRuns(scope, [run])).get(run.id)!;
}

/**
 * Lets runs (back) into execution in their order while the limits leave places, and holds the others QUEUED with the
 * reason: one lock, one count and one write for all of them (a claimed batch of runs waking together).
 */
export async function admitRuns(scope: AdmissionScope, runs: readonly RunToAdmit[]): Promise<Map<string, Admission>> {
  const left = await placesUnderLock(scope);
  const answers = new Map<string, Admission>();
  const rows: Record<string, unknown>[] = [];
  for (const run of runs) {
    const wake = isWake(run);
    const refused: Admission | null =
      left.concurrency <= 0
        ? { admitted: false, reason: 'CONCURRENCY', retryAt: left.concurrencyRetryAt }
        : !wake && left.rate !== null && left.rate <= 0
          ? { admitted: false, reason: 'RATE_LIMIT', retryAt: left.rateRetryAt }
          : null;
    if (refused) {
      // A run held again for the same reason is not written again (its row would only be rewritten unchanged).
      if (run.status !== 'QUEUED' || run.heldBack !== refused.reason) rows.push({ id: run.id, status: 'QUEUED', heldBack: refused.reason });
      if (refused.reason === 'CONCURRENCY') mayHold.add(scope.sql.workspaceId);
      answers.set(run.id, refused);
      continue;
    }
    left.concurrency--;
    if (!wake && left.rate !== null) left.rate--;
    rows.push({ id: run.id, status: 'RUNNING', heldBack: null, ...(wake ? {} : { admittedAt: left.now }) });
    answers.set(run.id, { admitted: true });
  }
  // Rows of one shape per update (a write's rows set the first row's columns).
  const shapes = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) {
    const shape = Object.keys(row).sort().join(',');
    shapes.set(shape, [...(shapes.get(shape) ?? []), row]);
  }
  if (rows.length) await scope.rows.write([...shapes.values()].map((group) => ({ update: 'WorkflowRun', rows: group as (Record<string, unknown> & { id: string })[] })));
  return answers;
}

/** Runs about to start: how many the limits let in at once (`admitted`), and the database's time of the count. */
export interface Starting {
  admitted: number;
  /** The database's time of the count: the runs' start and their first steps' due time (start-run.ts). */
  now: Date;
}

/**
 * Runs about to start (a subscriber's batch): how many of them the limits let in at once, under the lock — they are
 * created RUNNING, so their first step needs no admission of its own. The others start QUEUED and are let in by the
 * runner as places free up.
 */
export async function admitStarting(scope: Omit<AdmissionScope, 'rows'>, count: number): Promise<Starting> {
  const left = await placesUnderLock(scope);
  return { admitted: Math.max(0, Math.min(count, left.concurrency, left.rate ?? Infinity)), now: left.now };
}

/** What the limits leave now: places of each (`rate` null: no rate limit), and when a place of each may be free. */
interface Places {
  /** The database's time of the count (`statement_timestamp()`): what the retry times and an admission's `admittedAt` count from. */
  now: Date;
  concurrency: number;
  rate: number | null;
  concurrencyRetryAt: Date;
  rateRetryAt: Date;
}

/**
 * Takes the workspace's admission lock and counts under it, in one round trip: the count is the statement after the
 * lock's (the SDK's `lock` keeps call order), so its snapshot, taken when it starts, sees what the lock's previous
 * holder committed. (In the lock's own statement it would not: its snapshot predates the wait.)
 */
async function placesUnderLock(scope: Pick<AdmissionScope, 'sql' | 'settings' | 'lock'>): Promise<Places> {
  const [, places] = await Promise.all([scope.lock('admission'), placesLeft(scope)]);
  return places;
}

/** The places both limits leave now, in one statement, by the database's clock (its time answered with the count). */
async function placesLeft({ sql, settings }: Pick<AdmissionScope, 'sql' | 'settings'>): Promise<Places> {
  // The minute's window only when a rate is set (a null bound counts nothing).
  const rated = settings.maxRunsPerMinute !== null;
  const [counts] = await withPieces(sql)<{ running: number; admitted: number; oldest: Date | null; now: Date }>`
    SELECT count(*) FILTER (WHERE status = 'RUNNING')::int AS running,
           count(*) FILTER (WHERE "admittedAt" > ${MINUTE_AGO(rated)})::int AS admitted,
           min("admittedAt") FILTER (WHERE "admittedAt" > ${MINUTE_AGO(rated)}) AS oldest,
           statement_timestamp() AS now
    FROM "WorkflowRun" WHERE status = 'RUNNING' OR "admittedAt" > ${MINUTE_AGO(rated)}`;
  const now = new Date(counts!.now);
  // The earliest a rate place can free up: when the oldest start of the window leaves it.
  const oldest = counts!.oldest ? new Date(counts!.oldest) : now;
  return {
    now,
    concurrency: settings.maxConcurrentRuns - Number(counts!.running),
    rate: settings.maxRunsPerMinute === null ? null : settings.maxRunsPerMinute - Number(counts!.admitted),
    concurrencyRetryAt: new Date(now.getTime() + CONCURRENCY_FALLBACK_MS),
    rateRetryAt: new Date(Math.max(oldest.getTime() + MINUTE_MS, now.getTime() + 50)),
  };
}

/**
 * Workspaces where this process held a run back by the concurrency limit and has not seen the held runs all woken
 * since: `wakeHeld` looks (and takes the admission lock) only there. A hint: a hold it misses (made on another
 * instance, or committed after the check) is caught by the holder itself (`recheckHeld`).
 */
const mayHold = new Set<string>();

type WakeScope = Pick<QueueTransaction<WorkflowSettings>, 'sql' | 'rows' | 'lock' | 'tx'>;

/**
 * A step row held back by the concurrency limit: due at its hold's fallback (`dueAt`), under the claim it was held in
 * (`claims`, written as the row's `heldClaim`). The queue's next claim of the row moves its `claims` past that and its
 * `dueAt` a lease ahead: a row whose `claims` is still its `heldClaim` is held, one past it is claimed — whatever the
 * lease (an operator's `leaseMs` may be shorter than the fallback, and instances may differ), which its due time alone
 * cannot tell.
 */
export interface HeldStep {
  id: string;
  dueAt: Date;
  claims: number;
}
type Transactor = Pick<QueueContext<WorkflowSettings>, 'workspaceId' | 'transaction' | 'report'>;

/**
 * After-commit work (`wakeHeld`, `recheckHeld`), its error reported to the host (`report`: the gateway's log), never
 * thrown: what came before has committed, and a caller's catch would take it for its own failure (a step's try, or a
 * claimed batch's — whose other items and just-admitted runs then waited a whole lease). A missed wake costs the held
 * runs their fallback (CONCURRENCY_FALLBACK_MS). test/wake-failure.test.ts makes the database refuse the wake.
 */
async function afterCommit(context: Transactor, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    context.report(new Error(`workflows: ${what} in workspace ${context.workspaceId} failed (the fallback wakes them)`, { cause: error }));
  }
}

/**
 * A held step row (`s`, its run `r`), as every wake judges it (`wakeHeldIn`, `releaseHeldRuns`): still at the claim it
 * was held in (`HeldStep`), its run QUEUED and held back. A row claimed since is not one (made due again, a second
 * claim would do its step beside the first's). A row held before `heldClaim` existed (null) is not one either: it goes
 * on at its own due time (its hold's fallback or retry time), never earlier.
 */
export const HELD_ROW = piece`s.claims = s."heldClaim" AND s.status IN ('PENDING', 'WAITING') AND r.status = 'QUEUED' AND r."heldBack" IS NOT NULL`;

/**
 * Runs left RUNNING and freed `places` in a transaction that has COMMITTED: the oldest runs held back by the
 * concurrency limit (as many) are made due now (an error reported, not thrown: `afterCommit`), in a short transaction of its own (the admission lock, the held read,
 * their due times). Not in the freeing transaction: that one may hold step rows of its own (a wait's timeout), and a
 * subscriber takes the admission lock before it writes step rows (lock order, runs/claimed-steps.ts); and a freeing
 * transaction that rolls back after waking wakes nobody wrongly.
 */
export async function wakeHeld(context: Transactor, places: number): Promise<void> {
  if (places <= 0 || !mayHold.has(context.workspaceId)) return;
  await afterCommit(context, 'waking held runs', () => context.transaction((scope) => wakeHeldIn(scope, places)));
}

/**
 * `wakeHeld` inside the caller's transaction, which has written no step row yet (lock order). Their runs are let in by
 * admission as usual; one that finds the place taken meanwhile is held again. Under the admission lock, the read sent
 * with it (its snapshot taken once the lock is held), so two wakers wake in turn, the second past the rows the first
 * woke (read at once, both woke the same oldest run, the other waited the fallback).
 * Held rows are those still at the claim they were held in (`HeldStep`): a row claimed since — its lease runs, its run
 * still QUEUED until the claim admits it — is not one, whatever the lease (made due again, a second claim would do its
 * step beside the first's: an HTTP step sent twice). They are due within the fallback of their hold (the range of the
 * `dueAt` index it reads; a hold made later is `recheckHeld`'s). A woken row is made due a fallback before its hold's
 * time: in the past for a later waker, whatever the clock of the instance that woke it.
 */
export async function wakeHeldIn(scope: WakeScope, places: number): Promise<void> {
  const workspace = scope.sql.workspaceId;
  if (places <= 0 || !mayHold.has(workspace)) return;
  // The database's "now": held rows are due at its time of their hold plus the fallback.
  const [, held] = await Promise.all([
    scope.lock('admission'),
    withPieces(scope.sql)<{ id: string; dueAt: Date; claims: number }>`
      SELECT s.id::text AS id, s."dueAt", s.claims FROM "WorkflowStepRun" s JOIN "WorkflowRun" r ON r.id = s."runId"
      WHERE s."dueAt" > statement_timestamp() AND s."dueAt" <= statement_timestamp() + ${CONCURRENCY_FALLBACK_MS}::int * interval '1 millisecond'
        AND ${HELD_ROW} AND r."heldBack" = 'CONCURRENCY'
      ORDER BY s."dueAt", s.id LIMIT ${places}::int`,
  ]);
  // None left held that this saw: cleared under the lock (a hold committed later is `recheckHeld`'s).
  if (held.length < places) mayHold.delete(workspace);
  await makeDue(scope, held.map(({ id, dueAt, claims }) => ({ id, dueAt: new Date(dueAt), claims: Number(claims) })));
}

/**
 * Held steps made due a fallback before their hold's due time (in the past), each only while it is still held as it
 * was (its claim and due time the hold's): a claim that took it meanwhile (its lease) keeps it — made due again, a
 * second claim would do its step beside the first's (an HTTP step sent twice).
 */
async function makeDue(scope: Pick<WakeScope, 'tx'>, held: readonly HeldStep[]): Promise<void> {
  await Promise.all(
    held.map(({ id, dueAt, claims }) =>
      scope.tx.workflowStepRun.updateMany({ where: { id, dueAt, claims }, data: { dueAt: new Date(dueAt.getTime() - 2 * CONCURRENCY_FALLBACK_MS) } }),
    ),
  );
}

/**
 * Held steps whose hold has COMMITTED: should a place be free now (a run left RUNNING
 * between its admission's count and the hold's commit, its wake not seeing the hold; or on another instance, whose
 * wakes never see this one's holds), they are made due now rather than after the fallback. Counted without the lock:
 * admission counts again when they are claimed. Costs a statement on holds only.
 */
export async function recheckHeld(context: Transactor, held: readonly HeldStep[]): Promise<void> {
  if (!held.length) return;
  await afterCommit(context, 'rechecking held runs', () =>
    context.transaction(async (scope) => {
      const left = await placesLeft(scope);
      // Those still at their hold's due time only (`makeDue`), as `wakeHeldIn` makes them due.
      await makeDue(scope, held.slice(0, Math.max(0, left.concurrency)));
    }),
  );
}

/**
 * The limits changed: every held-back run looks again now — its held rows (`HELD_ROW`) made due now, each only while
 * still at the claim it was read at (a claim taking it between the read and the write keeps it): one write per claim
 * count met. Through the admission lock, as `wakeHeld` (which wakes the same rows): the two never lock held rows at once,
 * in whatever order. The caller takes it before writing any step row (lock order).
 */
export async function releaseHeldRuns(scope: WakeScope): Promise<void> {
  // Due at the database's "now" (claims compare due times with its clock, not the gateway's).
  const [, held] = await Promise.all([
    scope.lock('admission'),
    withPieces(scope.sql)<{ id: string; claims: number; now: Date }>`
      SELECT s.id::text AS id, s.claims, statement_timestamp() AS now FROM "WorkflowStepRun" s JOIN "WorkflowRun" r ON r.id = s."runId"
      WHERE ${HELD_ROW} ORDER BY s.id`,
  ]);
  if (!held.length) return;
  const now = new Date(held[0]!.now);
  const byClaims = new Map<number, string[]>();
  for (const { id, claims } of held) byClaims.set(Number(claims), [...(byClaims.get(Number(claims)) ?? []), id]);
  await Promise.all(
    // Unfinished only: a run cancelled since the read (its steps CANCELLED, their claims as they were) stays so — a
    // finished step is never due (its CHECK: 20261209100300_finished_steps_never_due).
    [...byClaims].map(([claims, ids]) =>
      scope.tx.workflowStepRun.updateMany({ where: { id: { in: ids }, claims, status: { in: ['PENDING', 'WAITING'] } }, data: { dueAt: now } }),
    ),
  );
}

const LIMITS = new Set(['maxConcurrentRuns', 'maxRunsPerMinute']);

/** Whether an event says this plugin's limits changed (`plugin.settings_updated`). */
export function limitsChanged(event: { type: string; payload: unknown }): boolean {
  if (event.type !== 'plugin.settings_updated') return false;
  const payload = event.payload as { pluginId?: string; changed?: string[] } | null;
  return payload?.pluginId === 'workflows' && (payload.changed ?? []).some((key) => LIMITS.has(key));
}
