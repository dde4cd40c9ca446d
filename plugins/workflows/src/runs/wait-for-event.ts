// `waitForEvent` steps, the event side: a waiting step carries `waitKey` (`<eventType>:<subjectId>`); every event the
// plugin receives resumes the steps waiting for it, in one indexed statement, by storing the event as the step's
// output and making it due now. Which keys are waited on is read once for the events delivered together, so an event
// nothing waits for costs no statement. The step's own side (waiting, the timeout) is in run-step.ts; whichever of the
// event and the timeout clears `waitKey` first wins (the row's lock orders them).
// An event that committed before the wait was written (between the step before it and the wait, or while the wait's
// transaction was under way, before a subscriber could see its key) is found by the step itself: it looks for a
// matching event since its row was written (`eventSince`) when it starts waiting, and once more right after.
import type { DeliveredEvent, PluginSql, ScopedTransaction } from '@crm/plugin-sdk';

export const waitKeyOf = (eventType: string, subjectId: string) => `${eventType}:${subjectId}`;

const waitKeyOfEvent = (event: DeliveredEvent) => waitKeyOf(event.type, event.subjectId);

/** The wait keys a step waiting for one of these events would have (which are waited on: read with the batch's lookup). */
export const waitKeysOf = (events: readonly DeliveredEvent[]): string[] => [...new Set(events.map(waitKeyOfEvent))];

/** Resumes the steps waiting for the event (`waited`: the keys of its batch some step waited on, triggers/on-event.ts). */
export async function resumeWaitsFor(tx: ScopedTransaction, event: DeliveredEvent, waited: ReadonlySet<string>): Promise<number> {
  if (!waited.has(waitKeyOfEvent(event))) return 0;
  const { count } = await tx.workflowStepRun.updateMany({
    where: { waitKey: waitKeyOf(event.type, event.subjectId), status: 'WAITING' },
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

/** The first committed event of `eventType` about `subjectId` that occurred at or after `since` (by commit order), if any. */
export async function eventSince(sql: PluginSql, eventType: string, subjectId: string, since: Date): Promise<WaitedEvent | null> {
  const [found] = await sql<WaitedEvent>`
    SELECT id, type, actor, "occurredAt", "subjectType", "subjectId", payload FROM "Event"
    WHERE "subjectId" = ${subjectId}::uuid AND type = ${eventType} AND seq IS NOT NULL AND "occurredAt" >= ${since}::timestamptz
    ORDER BY seq LIMIT 1`;
  return found ? { ...found, occurredAt: new Date(found.occurredAt) } : null;
}
