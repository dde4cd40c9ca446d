// Events recorded before a person's erasure and delivered after it (docs/plugins/workflows.md, "Privacy"): queued in a
// subscriber's lane, retried in memory, redelivered, or read by the host before the batch's transaction took the run
// starts' lock. Their payloads are as they were delivered — the person's email, their id — while the erasure scrubbed
// the stored events. A run started from one, or a wait's output taken from one, is written after `erasedAt`, where the
// scrub does not look. So a transaction that starts runs or ends waits from delivered events reads, under RUN_STARTS
// (after the erasure's commit), the workspace's kept erasures (a few rows), and leaves out the events that name an
// erased person: the scrub's rule (`needlesOf`), tested here in memory.
// An event's `occurredAt` is the gateway's clock, `erasedAt` the database's: the two may be apart. So the customer's id
// and global id match whatever the times (an erased id names nobody else: a re-created customer has a new one), and
// only the email, which a re-created customer may use again, is compared with the time, with ERASURE_SKEW_MS to spare.
import type { DeliveredEvent, PluginSql } from '@crm/plugin-sdk';
import { emailNeedle, ERASURE_KEPT_MS, needlesOf } from './erasure-scrub.js';

/** How far a gateway's clock may be ahead of the database's and an event naming an erased email still be left out. */
export const ERASURE_SKEW_MS = 5 * 60_000;

export interface RecentErasure {
  customerId: string;
  email: string | null;
  /** Null: asked before the column existed (its email matches whatever the time). */
  erasedAt: Date | null;
}

/**
 * The workspace's erasures that still count: under scrub, or within ERASURE_KEPT_MS of their time by the database's
 * clock (an expired row a paused queue has not deleted yet is ignored). A statement of its own after the run starts'
 * lock: its snapshot, taken when it starts, sees the erasure that lock waited for (in the lock's own statement it would not).
 */
export async function keptErasures(sql: PluginSql): Promise<RecentErasure[]> {
  const rows = await sql<RecentErasure>`
    SELECT "customerId"::text AS "customerId", email, "erasedAt" FROM "WorkflowErasure"
    WHERE "scrubbedAt" IS NULL OR "erasedAt" IS NULL OR "erasedAt" > statement_timestamp() - make_interval(secs => ${ERASURE_KEPT_MS / 1000}::int)`;
  return rows.map((row) => ({ ...row, erasedAt: row.erasedAt === null ? null : new Date(row.erasedAt) }));
}

/**
 * Whether something recorded at `recordedAt` (an event, a snapshot of one) names an erased person: its JSON text
 * searched with the scrub's needles, the email's only when recorded by the erasure's time plus ERASURE_SKEW_MS. A
 * later event naming the same email (a customer re-created) is not left out.
 */
export function erasedPersonIn(erasures: readonly RecentErasure[]): (recordedAt: Date, snapshot: unknown) => boolean {
  if (!erasures.length) return () => false;
  const tests = erasures.map((erasure) => ({
    ids: new RegExp(needlesOf(erasure.customerId, null), 'i'),
    email: erasure.email ? new RegExp(emailNeedle(erasure.email), 'i') : null,
    until: erasure.erasedAt ? erasure.erasedAt.getTime() + ERASURE_SKEW_MS : Infinity,
  }));
  return (recordedAt, snapshot) => {
    const text = JSON.stringify(snapshot ?? null);
    return tests.some((test) => test.ids.test(text) || (test.email !== null && recordedAt.getTime() <= test.until && test.email.test(text)));
  };
}

/** Core's erasure scrubs the stored events that named the person to this payload (it keeps their subject). */
const isErasedMarker = (payload: unknown) =>
  payload !== null && typeof payload === 'object' && (payload as { erased?: unknown }).erased === true && Object.keys(payload).length === 1;

/**
 * The delivered events to leave out: ones whose payload core's erasure scrubbed (a failed delivery redelivered after
 * the rows are gone: no row, no clock needed), and ones naming an erased person (`erasedPersonIn`) — except core's
 * own `customer.erased`, which names the erased id only (counts, nothing personal) and may start a workflow.
 */
export function erasedEventsIn(erasures: readonly RecentErasure[]): (event: DeliveredEvent) => boolean {
  const erased = erasedPersonIn(erasures);
  return (event) => isErasedMarker(event.payload) || (event.type !== 'customer.erased' && erased(event.occurredAt, event));
}
