// Letting a run into execution: the workspace's concurrency limit (runs RUNNING at once: executing steps; a WAITING run
// holds no place) and rate limit (runs started in the last minute), counted under a lock so that two instances cannot
// both pass the last free place. Every way into execution comes here: a run's start (QUEUED → RUNNING, or created
// RUNNING by `admitStarting`), and a waiting run's wake (WAITING → RUNNING: its wait's end, its event, its timeout, a
// failed step's backoff; the concurrency limit only). A run held back stays (or goes back) QUEUED with the reason (`heldBack`, shown in its history) and looks again when a place may be free, or at
// once when an ADMIN changes the limits (`releaseHeldRuns`): it is never dropped.
import type { Models, QueueTransaction, ScopedTransaction } from '@crm/plugin-sdk';
import type { WorkflowSettings } from '../settings.js';

/** How soon a run held back by the concurrency limit looks again. */
const CONCURRENCY_RETRY_MS = 500;
const MINUTE_MS = 60_000;

export type Admission = { admitted: true } | { admitted: false; reason: 'CONCURRENCY' | 'RATE_LIMIT'; retryAt: Date };

type AdmissionScope = Pick<QueueTransaction<WorkflowSettings>, 'sql' | 'rows' | 'settings' | 'lock'>;

/**
 * Lets a run (back) into execution, or holds it QUEUED with the reason. A run that has not started (no `admittedAt`) is
 * a start: both limits, and `admittedAt` set (what the rate counts). A run that started before and waited (a wait, an
 * event, a retry's backoff) is a wake: the concurrency limit only — it started once already.
 */
export async function admitRun(scope: AdmissionScope, run: Pick<Models.WorkflowRun, 'id' | 'status' | 'admittedAt'>, now: Date): Promise<Admission> {
  const wake = run.admittedAt !== null || run.status === 'WAITING';
  const left = await placesUnderLock(scope, now, wake);
  const admitted = left.places > 0;
  const set = admitted
    ? { status: 'RUNNING', heldBack: null, ...(wake ? {} : { admittedAt: now }) }
    : { status: 'QUEUED', heldBack: left.reason };
  await scope.rows.write([{ update: 'WorkflowRun', rows: [{ id: run.id, ...set }] }]);
  return admitted ? { admitted: true } : { admitted: false, reason: left.reason, retryAt: left.retryAt };
}

/**
 * Runs about to start (a subscriber's batch): how many of them the limits let in at once, under the lock — they are
 * created RUNNING, so their first step needs no admission of its own. The others start QUEUED and are let in by the
 * runner as places free up.
 */
export async function admitStarting(scope: Omit<AdmissionScope, 'rows'>, count: number, now: Date): Promise<number> {
  return Math.max(0, Math.min(count, (await placesUnderLock(scope, now)).places));
}

type Places = { places: number; reason: 'CONCURRENCY' | 'RATE_LIMIT'; retryAt: Date };

/**
 * Takes the workspace's admission lock and counts under it, in one round trip: the count is the statement after the
 * lock's (the SDK's `lock` keeps call order), so its snapshot, taken when it starts, sees what the lock's previous
 * holder committed. (In the lock's own statement it would not: its snapshot predates the wait.)
 */
async function placesUnderLock(scope: Pick<AdmissionScope, 'sql' | 'settings' | 'lock'>, now: Date, wake = false): Promise<Places> {
  const [, places] = await Promise.all([scope.lock('admission'), placesLeft(scope, now, wake)]);
  return places;
}

/**
 * Runs the limits let in now, and when none is: why, and when a place may be free. One statement for both limits (a
 * wake: the concurrency limit only).
 */
async function placesLeft({ sql, settings }: Pick<AdmissionScope, 'sql' | 'settings'>, now: Date, wake: boolean): Promise<Places> {
  // The minute's window only when a rate is set (a null bound counts nothing).
  const since = settings.maxRunsPerMinute === null ? null : new Date(now.getTime() - MINUTE_MS);
  const [counts] = await sql<{ running: number; admitted: number; oldest: Date | null }>`
    SELECT count(*) FILTER (WHERE status = 'RUNNING')::int AS running,
           count(*) FILTER (WHERE "admittedAt" > ${since}::timestamptz)::int AS admitted,
           min("admittedAt") FILTER (WHERE "admittedAt" > ${since}::timestamptz) AS oldest
    FROM "WorkflowRun" WHERE status = 'RUNNING' OR "admittedAt" > ${since}::timestamptz`;
  const concurrency = settings.maxConcurrentRuns - Number(counts!.running);
  if (concurrency <= 0) return { places: 0, reason: 'CONCURRENCY', retryAt: new Date(now.getTime() + CONCURRENCY_RETRY_MS) };
  if (settings.maxRunsPerMinute === null || wake) return { places: concurrency, reason: 'CONCURRENCY', retryAt: now };
  const rate = settings.maxRunsPerMinute - Number(counts!.admitted);
  // The earliest a place can free up: when the oldest start of the window leaves it.
  const oldest = counts!.oldest ? new Date(counts!.oldest) : now;
  return { places: Math.min(concurrency, rate), reason: 'RATE_LIMIT', retryAt: new Date(Math.max(oldest.getTime() + MINUTE_MS, now.getTime() + 50)) };
}

/** The limits changed: every held-back run looks again now. */
export async function releaseHeldRuns(tx: ScopedTransaction): Promise<void> {
  await tx.workflowStepRun.updateMany({ where: { status: { in: ['PENDING', 'WAITING'] }, run: { status: 'QUEUED', heldBack: { not: null } } }, data: { dueAt: new Date() } });
}

const LIMITS = new Set(['maxConcurrentRuns', 'maxRunsPerMinute']);

/** Whether an event says this plugin's limits changed (`plugin.settings_updated`). */
export function limitsChanged(event: { type: string; payload: unknown }): boolean {
  if (event.type !== 'plugin.settings_updated') return false;
  const payload = event.payload as { pluginId?: string; changed?: string[] } | null;
  return payload?.pluginId === 'workflows' && (payload.changed ?? []).some((key) => LIMITS.has(key));
}
