// `waitForEvent` steps, the event side: a waiting step carries `waitKey` (`<eventType>:<subjectId>`); the events the
// plugin receives together resume the steps waiting for them: which event ends which wait is read with the batch's
// lookup (triggers/on-event.ts, one statement whatever the batch: `resumedWaits`), and each event that ends some
// stores itself as their output and makes them due now. An event nothing waits for costs no statement. The step's own
// side (waiting, the timeout) is in run-step.ts; whichever of the event and the timeout clears `waitKey` first wins
// (the row's lock orders them).
// A wait with a `where` is ended only by an event for which it holds (the batch's lookup answers the candidates and
// the subscriber applies it; a look-back passes over the others): one that does not hold leaves the wait waiting.
// What counts: an event of the type about the subject that committed after, or with, the run's creation (`seq` above
// the run's `startSeq`: migration wait_start_seq says why), that the run's own steps did not cause (actor
// `plugin:workflows:step:<id>` of one of its steps) and that no wait of the run received (`ENDS_WAIT_OF_RUN`, judged
// alike by both sides). One that committed before the wait was written (between the run's start and the wait, or while
// the wait's transaction was under way, before a subscriber could see its key) is found by the step itself
// (`lookBack`, by the subject's events in `seq` order: the `("workspaceId", "subjectId", seq)` index): when it starts
// waiting, and once more right after. What a look saw is judged: the step keeps the newest `seq` it saw
// (`input.sinceSeq`), and a delivered event resumes the wait only if it is newer (one delivered late, after a look took
// it for an earlier wait of the run, does not end the next).
import type { DeliveredEvent, PluginSql, ScopedTransaction } from '@crm/plugin-sdk';
import type { ValueCondition } from '../definition/value-condition.js';
import { piece, withPieces } from './sql-pieces.js';
import { stepActor } from './step-actor.js';

/** Whether a `subjectId` can name a record (events' subjects are uuids): anything else fails the step before a query. */
export const isRecordId = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/**
 * A step's actor as its events carry it (`plugin:<plugin>:step:<stepRunId>`, the SDK prefixing the plugin): the step's
 * row id is its capture.
 */
const STEP_ACTOR = `(?:^|:)${stepActor('([0-9a-f-]{36})')}$`;

/**
 * Whether the event `e` (a row of "Event") may end a wait of the run `w."runId"` (both named so by the statement): not
 * caused by one of the run's steps, not received already by a `waitForEvent` of the run.
 */
const ENDS_WAIT_OF_RUN = piece`
  coalesce(substring(e.actor from ${STEP_ACTOR}), '') NOT IN (SELECT o.id::text FROM "WorkflowStepRun" o WHERE o."runId" = w."runId")
  AND e.id::text NOT IN (
    SELECT o.output->'event'->>'id' FROM "WorkflowStepRun" o
    WHERE o."runId" = w."runId" AND o.kind = 'waitForEvent' AND o.output->'event'->>'id' IS NOT NULL)`;

export const waitKeyOf = (eventType: string, subjectId: string) => `${eventType}:${subjectId}`;

/**
 * The plugin's lock a rename of a custom field or object takes (exclusive, first: before core updates the definition's
 * row) and every step transaction takes shared with its run locks, before it writes or reads its version
 * (claimed-steps.ts `readLockedSteps`): the rename waits for such a transaction to commit, and then reads the
 * steps it left waiting (rewriting their `where` or event type), or the transaction waits for the rename and reads the
 * rewritten version. Without it a wait begun from the version as it was before the rename's commit was written under
 * the old names after the rename had read the waiting steps. Shared: step transactions do not wait for each other.
 */
export const RENAMES_LOCK = 'renames';

/** A waiting step and the events of a batch that may end it (`resumedWaits`): the first for which its `where` holds does. */
export interface WaitCandidates {
  step: string;
  /** By `seq`. */
  events: string[];
  /** The step's condition on the event (its input's), null: any of them ends it. */
  where: ValueCondition | null;
}

/**
 * The waits the events may end, as JSON `[{ "step", "events", "where" }]` (`WaitCandidates`): for each step waiting for
 * some of them, those that count and are newer than what the step looked at, by `seq`, and the step's condition on the
 * event, which the caller applies (`eventHolds`: the first that holds ends it). A piece of the batch's lookup
 * (triggers/on-event.ts): the steps by the `("workspaceId", "waitKey")` index, the events by their ids.
 */
export function resumedWaits(events: readonly DeliveredEvent[]) {
  const ids = events.map((event) => event.id);
  const keys = events.map((event) => waitKeyOf(event.type, event.subjectId));
  return piece`(SELECT coalesce(json_agg(json_build_object('step', r.step, 'events', r.events, 'where', r."where")), '[]') FROM (
      SELECT w.id AS step, json_agg(e.id::text ORDER BY e.seq) AS events, w.input->'where' AS "where"
      FROM "WorkflowStepRun" w
      JOIN unnest(${ids}::uuid[], ${keys}::text[]) AS b(id, key) ON b.key = w."waitKey"
      JOIN "Event" e ON e.id = b.id
      WHERE w."waitKey" = ANY(${keys}::text[]) AND w.status = 'WAITING'
        AND e.seq > coalesce((w.input->>'sinceSeq')::bigint, (SELECT r."startSeq" FROM "WorkflowRun" r WHERE r.id = w."runId"))
        AND ${ENDS_WAIT_OF_RUN}
      GROUP BY w.id, w.input->'where') r)`;
}

/**
 * Resumes `steps` (those the event ends: `resumedWaits`), unless their wait ended meanwhile: due `now`, the database's
 * time (database-clock.ts).
 */
export async function resumeWaitsFor(tx: ScopedTransaction, event: DeliveredEvent, steps: readonly string[], now: Date): Promise<number> {
  if (!steps.length) return 0;
  const { count } = await tx.workflowStepRun.updateMany({
    where: { id: { in: [...steps] }, waitKey: { not: null }, status: 'WAITING' },
    data: { waitKey: null, dueAt: now, output: receivedOutput(event) },
  });
  return count;
}

export type WaitedEvent = Pick<DeliveredEvent, 'id' | 'type' | 'actor' | 'occurredAt' | 'subjectType' | 'subjectId' | 'payload'>;

/** A waiting step's output once its event came (what `{{steps.<id>.output.event…}}` reads). */
export const receivedOutput = (event: WaitedEvent) => ({
  received: true,
  event: {
    id: event.id,
    type: event.type,
    actor: event.actor,
    occurredAt: event.occurredAt.toISOString(),
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    payload: JSON.parse(JSON.stringify(event.payload ?? null)) as object | null,
  },
});

/** Which run's wait looks, for which events. */
export interface LookFor {
  runId: string;
  eventType: string;
  /**
   * The types it waited for before its object was renamed (`renamedFrom` of its input, object-renames.ts): an event
   * recorded before the rename under the old type and still to be delivered ends it too, found by this look (the rename
   * makes the step due for it); the delivery, which matches the wait by its new key, passes over it.
   */
  formerTypes?: readonly string[];
  subjectId: string;
  /** Whether an event that counts ends the wait (its `where`: steps/value-condition.ts `eventHolds`); others are passed over. @default any */
  holds?: (event: WaitedEvent) => boolean;
}

/** A waiting step's `renamedFrom` (object-renames.ts): the event types it waited for before. */
export const formerTypesOf = (input: Record<string, unknown>): string[] =>
  Array.isArray(input.renamedFrom) ? input.renamedFrom.filter((type): type is string => typeof type === 'string') : [];

const PAGE = 50;

/**
 * The first committed event that ends the wait (see the top of this file), in commit order, after `afterSeq` (the
 * run's `startSeq` for the first look, then the newest seq a look saw), and the newest `seq` of the subject's events
 * seen (where the next look starts). The subject's events are read oldest first from the bound, a page at a time, up
 * to the first that fits: what they cost is the events since then, not the subject's history, nor other subjects' or
 * workspaces' events.
 */
export async function lookBack(sql: PluginSql, look: LookFor, afterSeq: string): Promise<{ event: WaitedEvent | null; seenSeq: string }> {
  for (let after = afterSeq; ; ) {
    const page = await withPieces(sql)<WaitedEvent & { position: string; fits: boolean }>`
      SELECT e.id, e.type, e.actor, e."occurredAt", e."subjectType", e."subjectId", e.payload, e.seq::text AS position,
        (e.type = ANY(${[look.eventType, ...(look.formerTypes ?? [])]}::text[]) AND ${ENDS_WAIT_OF_RUN}) AS fits
      FROM "Event" e CROSS JOIN (SELECT ${look.runId}::uuid AS "runId") w
      WHERE e."subjectId" = ${look.subjectId}::uuid AND e.seq > ${after}::bigint
      ORDER BY e.seq LIMIT ${PAGE}`;
    for (const { position, fits, ...row } of page) {
      const event = { ...row, occurredAt: new Date(row.occurredAt) };
      if (fits && (!look.holds || look.holds(event))) return { event, seenSeq: position };
    }
    if (page.length < PAGE) return { event: null, seenSeq: page.at(-1)?.position ?? after };
    after = page.at(-1)!.position;
  }
}
