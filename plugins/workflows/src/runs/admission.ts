// Letting a QUEUED run start: the workspace's concurrency limit (runs RUNNING at once) and rate limit (runs started
// in the last minute), counted under a lock so that two instances cannot both pass the last free place. A run held
// back stays QUEUED with the reason (`heldBack`, shown in its history) and looks again when a place may be free, or at
// once when an ADMIN changes the limits (`releaseHeldRuns`): it is never dropped.
import type { QueueTransaction, ScopedTransaction } from '@crm/plugin-sdk';
import type { WorkflowSettings } from '../settings.js';

/** How soon a run held back by the concurrency limit looks again. */
const CONCURRENCY_RETRY_MS = 500;
const MINUTE_MS = 60_000;

export type Admission = { admitted: true } | { admitted: false; reason: 'CONCURRENCY' | 'RATE_LIMIT'; retryAt: Date };

export async function admitRun(scope: Pick<QueueTransaction<WorkflowSettings>, 'tx' | 'settings' | 'lock'>, runId: string, now: Date): Promise<Admission> {
  const { tx, settings } = scope;
  await scope.lock('admission');
  const left = await placesLeft(tx, settings, now);
  if (left.places <= 0) {
    await tx.workflowRun.update({ where: { id: runId }, data: { heldBack: left.reason } });
    return { admitted: false, reason: left.reason, retryAt: left.retryAt };
  }
  await tx.workflowRun.update({ where: { id: runId }, data: { status: 'RUNNING', admittedAt: now, heldBack: null } });
  return { admitted: true };
}

/**
 * Runs about to start (a subscriber's batch): how many of them the limits let in at once, under the lock — they are
 * created RUNNING, so their first step needs no admission of its own. The others start QUEUED and are let in by the
 * runner as places free up.
 */
export async function admitStarting(scope: { tx: ScopedTransaction; settings: WorkflowSettings; lock(key: string): Promise<void> }, count: number, now: Date): Promise<number> {
  await scope.lock('admission');
  return Math.max(0, Math.min(count, (await placesLeft(scope.tx, scope.settings, now)).places));
}

type Places = { places: number; reason: 'CONCURRENCY' | 'RATE_LIMIT'; retryAt: Date };

/** Runs the limits let in now, and when none is: why, and when a place may be free. */
async function placesLeft(tx: ScopedTransaction, settings: WorkflowSettings, now: Date): Promise<Places> {
  const running = await tx.workflowRun.count({ where: { status: 'RUNNING' } });
  const concurrency = settings.maxConcurrentRuns - running;
  if (concurrency <= 0) return { places: 0, reason: 'CONCURRENCY', retryAt: new Date(now.getTime() + CONCURRENCY_RETRY_MS) };
  if (settings.maxRunsPerMinute === null) return { places: concurrency, reason: 'CONCURRENCY', retryAt: now };
  const window = await tx.workflowRun.aggregate({
    where: { admittedAt: { gt: new Date(now.getTime() - MINUTE_MS) } },
    _count: { _all: true },
    _min: { admittedAt: true },
  });
  const rate = settings.maxRunsPerMinute - window._count._all;
  // The earliest a place can free up: when the oldest start of the window leaves it.
  const oldest = window._min.admittedAt ?? now;
  return { places: Math.min(concurrency, rate), reason: 'RATE_LIMIT', retryAt: new Date(Math.max(oldest.getTime() + MINUTE_MS, now.getTime() + 50)) };
}

/** The limits changed: every held-back run looks again now. */
export async function releaseHeldRuns(tx: ScopedTransaction): Promise<void> {
  await tx.workflowStepRun.updateMany({ where: { status: 'PENDING', run: { status: 'QUEUED', heldBack: { not: null } } }, data: { dueAt: new Date() } });
}

const LIMITS = new Set(['maxConcurrentRuns', 'maxRunsPerMinute']);

/** Whether an event says this plugin's limits changed (`plugin.settings_updated`). */
export function limitsChanged(event: { type: string; payload: unknown }): boolean {
  if (event.type !== 'plugin.settings_updated') return false;
  const payload = event.payload as { pluginId?: string; changed?: string[] } | null;
  return payload?.pluginId === 'workflows' && (payload.changed ?? []).some((key) => LIMITS.has(key));
}
