// `waitForEvent` steps, the event side: a waiting step carries `waitKey` (`<eventType>:<subjectId>`); every event the
// plugin receives resumes the steps waiting for it, in one indexed statement, by storing the event as the step's
// output and making it due now. Which keys are waited on is read once for the events delivered together, so an event
// nothing waits for costs no statement. The step's own side (waiting, the timeout) is in run-step.ts; whichever of the
// event and the timeout clears `waitKey` first wins (the row's lock orders them).
// What counts: an event of the type about the subject that committed since the run started, that the run's own steps
// did not cause (actor `plugin:workflows:step:<id>` of one of its steps) and that no earlier wait of the run received. One that
// committed before the wait was written (between the run's start and the wait, or while the wait's transaction was
// under way, before a subscriber could see its key) is found by the step itself (`lookBack`, by the subject's events
// in `seq` order: the `("workspaceId", "subjectId", seq)` index): when it starts waiting, and once more right after.
import type { DeliveredEvent, PluginSql, ScopedTransaction } from '@crm/plugin-sdk';
import { stepActor } from './step-actor.js';

/** Whether a `subjectId` can name a record (events' subjects are uuids): anything else fails the step before a query. */
export const isRecordId = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/**
 * A step's actor as its events carry it (`plugin:<plugin>:step:<stepRunId>`, the SDK prefixing the plugin): the step's
 * row id is its capture, in JavaScript and in PostgreSQL (the same pattern).
 */
const STEP_ACTOR = `(?:^|:)${stepActor('([0-9a-f-]{36})')}$`;

/** The run an event was caused by (a step of it), if a step caused it. */
async function causingRun(tx: ScopedTransaction, actor: string): Promise<string | null> {
  const stepRunId = new RegExp(STEP_ACTOR).exec(actor)?.[1];
  if (!stepRunId) return null;
  const step = await tx.workflowStepRun.findUnique({ where: { id: stepRunId }, select: { runId: true } });
  return step?.runId ?? null;
}

export const waitKeyOf = (eventType: string, subjectId: string) => `${eventType}:${subjectId}`;

const waitKeyOfEvent = (event: DeliveredEvent) => waitKeyOf(event.type, event.subjectId);

/** The wait keys a step waiting for one of these events would have (which are waited on: read with the batch's lookup). */
export const waitKeysOf = (events: readonly DeliveredEvent[]): string[] => [...new Set(events.map(waitKeyOfEvent))];

/** Resumes the steps waiting for the event (`waited`: the keys of its batch some step waited on, triggers/on-event.ts). */
export async function resumeWaitsFor(tx: ScopedTransaction, event: DeliveredEvent, waited: ReadonlySet<string>): Promise<number> {
  if (!waited.has(waitKeyOfEvent(event))) return 0;
  // A run's own change does not end its wait (an `addTag` before a wait for `customer.updated`).
  const own = await causingRun(tx, event.actor);
  const { count } = await tx.workflowStepRun.updateMany({
    where: { waitKey: waitKeyOf(event.type, event.subjectId), status: 'WAITING', ...(own ? { runId: { not: own } } : {}) },
    data: { waitKey: null, dueAt: new Date(), output: receivedOutput(event) },
  });
  return count;
}

type WaitedEvent = Pick<DeliveredEvent, 'id' | 'type' | 'actor' | 'occurredAt' | 'subjectType' | 'subjectId' | 'payload'>;

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
  subjectId: string;
}

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
    const page = await sql<WaitedEvent & { position: string; fits: boolean }>`
      SELECT id, type, actor, "occurredAt", "subjectType", "subjectId", payload, seq::text AS position,
        (type = ${look.eventType}
          AND coalesce(substring(actor from ${STEP_ACTOR}), '') NOT IN (SELECT s.id::text FROM "WorkflowStepRun" s WHERE s."runId" = ${look.runId}::uuid)
          AND id::text NOT IN (
            SELECT s.output->'event'->>'id' FROM "WorkflowStepRun" s
            WHERE s."runId" = ${look.runId}::uuid AND s.kind = 'waitForEvent' AND s.output->'event'->>'id' IS NOT NULL)) AS fits
      FROM "Event" WHERE "subjectId" = ${look.subjectId}::uuid AND seq > ${after}::bigint
      ORDER BY seq LIMIT ${PAGE}`;
    for (const { position, fits, ...event } of page) {
      if (fits) return { event: { ...event, occurredAt: new Date(event.occurredAt) }, seenSeq: position };
    }
    if (page.length < PAGE) return { event: null, seenSeq: page.at(-1)?.position ?? after };
    after = page.at(-1)!.position;
  }
}
