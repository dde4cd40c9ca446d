// Events recorded before a person's erasure and delivered after it (docs/plugins/workflows.md, "Privacy"): queued in a
// subscriber's lane, retried in memory, or read by the host before the batch's transaction took the run starts' lock.
// Their payloads are as they were delivered — the person's email, their id — while the erasure scrubbed the stored
// events. A run started from one, or a wait's output taken from one, is written after `erasedAt`, where the scrub does
// not look. So a transaction that starts runs or ends waits from delivered events reads, under RUN_STARTS (after the
// erasure's commit), the workspace's erasures recorded since its oldest event, and leaves out the events recorded
// before one of them that name its person: the scrub's rule (`needlesOf`), tested here in memory.
import type { PluginSql } from '@crm/plugin-sdk';
import { needlesOf } from './erasure-scrub.js';

export interface RecentErasure {
  customerId: string;
  email: string | null;
  erasedAt: Date;
}

/**
 * The workspace's erasures recorded since `since` (their rows are kept a while after their scrub: erasure-scrub.ts
 * `ERASURE_KEPT_MS`). A statement of its own after the run starts' lock: its snapshot, taken when it starts, sees the
 * erasure that lock waited for (in the lock's own statement it would not).
 */
export async function erasuresSince(sql: PluginSql, since: Date): Promise<RecentErasure[]> {
  const rows = await sql<{ customerId: string; email: string | null; erasedAt: Date }>`
    SELECT "customerId"::text AS "customerId", email, "erasedAt" FROM "WorkflowErasure" WHERE "erasedAt" >= ${since}::timestamptz`;
  return rows.map((row) => ({ ...row, erasedAt: new Date(row.erasedAt) }));
}

/** The oldest of events' times: the bound of `erasuresSince`. */
export const oldestOf = (events: readonly { occurredAt: Date }[]) => new Date(Math.min(...events.map((event) => event.occurredAt.getTime())));

/**
 * Whether something recorded at `recordedAt` (an event, a snapshot of one) names a person erased after it: its JSON
 * text searched with the scrub's needles. A later event naming the same email (a customer re-created) is not left out.
 */
export function erasedPersonIn(erasures: readonly RecentErasure[]): (recordedAt: Date, snapshot: unknown) => boolean {
  if (!erasures.length) return () => false;
  const tests = erasures.map((erasure) => ({ at: erasure.erasedAt.getTime(), needles: new RegExp(needlesOf(erasure.customerId, erasure.email), 'i') }));
  return (recordedAt, snapshot) => {
    const later = tests.filter((test) => recordedAt.getTime() <= test.at);
    if (!later.length) return false;
    const text = JSON.stringify(snapshot ?? null);
    return later.some((test) => test.needles.test(text));
  };
}
