// Events recorded before a person's erasure and delivered after it (docs/plugins/workflows.md, "Privacy"): queued in a
// subscriber's lane, retried in memory, redelivered, or read by the host before the batch's transaction took the run
// starts' lock. Their payloads are as they were delivered — the person's email, their id — while the erasure scrubbed
// the stored events. A run started from one, or a wait's output taken from one, is written after `erasedAt`, where the
// scrub does not look. So a transaction that starts runs or ends waits from delivered events reads, under RUN_STARTS
// (after the erasure's commit), the workspace's kept erasures (a few rows), and leaves out the events that name an
// erased person: the scrub's rule (its id needles, the hashed email: runs/erasure-email.ts), tested here in memory.
// Recorded before or after the erasure is judged by commit order, not by clocks: events are numbered at their commit, in
// commit order, per workspace (`Event.seq`), and the erasure's own transaction records core's `customer.erased` about
// the customer. So the customer's id and global id match whatever the order (an erased id names nobody else: a
// re-created customer has a new one), and their email in events numbered before that marker only: a customer
// re-created with it afterwards is someone's new record, whose events run their workflows (whatever the clocks).
import type { DeliveredEvent, PluginSql } from '@crm/plugin-sdk';
import { type KeptEmail, namesEmail } from './erasure-email.js';
import { ERASURE_KEPT_MS, needlesOf } from './erasure-scrub.js';
import { piece, withPieces } from './sql-pieces.js';

export type KeptErasure = KeptEmail & {
  customerId: string;
  /** The `seq` of the erasure's `customer.erased`: what is numbered below it was recorded before (null: none found). */
  erasedSeq: bigint | null;
};

/** The kept erasures, and the `seq` of each event asked about (by id; one not found has none). */
export interface ErasureCheck {
  erasures: KeptErasure[];
  positions: Map<string, bigint>;
}

export const NO_ERASURES: ErasureCheck = { erasures: [], positions: new Map() };

/** Under scrub, or within ERASURE_KEPT_MS of their time by the database's clock (an expired row not deleted yet is ignored). */
const kept = piece`("scrubbedAt" IS NULL OR "erasedAt" IS NULL OR "erasedAt" > statement_timestamp() - make_interval(secs => ${ERASURE_KEPT_MS / 1000}::int))`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The workspace's erasures that still count, each with its marker's `seq`, and the `seq` of the events `eventIds`
 * (looked up only when there is an erasure: by their primary key). A statement of its own after the run starts' lock:
 * its snapshot, taken when it starts, sees the erasure that lock waited for (in the lock's own statement it would not).
 */
export async function keptErasures(sql: PluginSql, eventIds: readonly string[] = []): Promise<ErasureCheck> {
  const ids = eventIds.filter((id) => UUID.test(id));
  const [row] = await withPieces(sql)<{ erasures: (KeptEmail & { customerId: string; erasedSeq: string | null })[]; positions: Record<string, string> }>`
    SELECT
      (SELECT coalesce(json_agg(json_build_object('customerId', w."customerId", 'emailSalt', w."emailSalt", 'emailHash', w."emailHash",
                 'erasedSeq', (SELECT min(e.seq)::text FROM "Event" e WHERE e."subjectId" = w."customerId" AND e.type = 'customer.erased'))), '[]')
       FROM "WorkflowErasure" w WHERE ${kept}) AS erasures,
      (SELECT coalesce(json_object_agg(e.id, e.seq::text), '{}') FROM "Event" e
       WHERE e.id = ANY(${ids}::uuid[]) AND EXISTS (SELECT 1 FROM "WorkflowErasure" WHERE ${kept})) AS positions`;
  return {
    erasures: row!.erasures.map((erasure) => ({ ...erasure, erasedSeq: erasure.erasedSeq === null ? null : BigInt(erasure.erasedSeq) })),
    positions: new Map(Object.entries(row!.positions).map(([id, seq]) => [id, BigInt(seq)])),
  };
}

/**
 * Whether something recorded at `position` (an event's `seq`, a run's `startSeq`; null: unknown, taken as before)
 * names an erased person: their id or global id whatever the position, their email when recorded before the erasure.
 */
export function erasedPersonIn(erasures: readonly KeptErasure[]): (position: bigint | null, snapshot: unknown) => boolean {
  if (!erasures.length) return () => false;
  const tests = erasures.map((erasure) => ({ ids: new RegExp(needlesOf(erasure.customerId, null), 'i'), erasure }));
  return (position, snapshot) => {
    const text = JSON.stringify(snapshot ?? null);
    return tests.some(({ ids, erasure }) => {
      if (ids.test(text)) return true;
      const before = position === null || erasure.erasedSeq === null || position < erasure.erasedSeq;
      return before && erasure.emailSalt !== null && erasure.emailHash !== null && namesEmail({ emailSalt: erasure.emailSalt, emailHash: erasure.emailHash }, text);
    });
  };
}

/** Core's erasure scrubs the stored events that named the person to this payload (it keeps their subject). */
const isErasedMarker = (payload: unknown) =>
  payload !== null && typeof payload === 'object' && (payload as { erased?: unknown }).erased === true && Object.keys(payload).length === 1;

/**
 * The delivered events to leave out: ones whose payload core's erasure scrubbed (a failed delivery redelivered after
 * the rows are gone: no row needed), and ones naming an erased person (`erasedPersonIn`, at the event's `seq`) — except
 * core's own `customer.erased`, which names the erased id only (counts, nothing personal) and may start a workflow.
 */
export function erasedEventsIn({ erasures, positions }: ErasureCheck): (event: DeliveredEvent) => boolean {
  const erased = erasedPersonIn(erasures);
  return (event) => isErasedMarker(event.payload) || (event.type !== 'customer.erased' && erased(positions.get(event.id) ?? null, event));
}
