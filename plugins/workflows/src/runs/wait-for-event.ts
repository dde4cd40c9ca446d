// `waitForEvent` steps, the event side: a waiting step carries `waitKey` (`<eventType>:<subjectId>`); every event the
// plugin receives resumes the steps waiting for it, in one indexed statement, by storing the event as the step's
// output and making it due now. Which keys are waited on is read once for the events delivered together, so an event
// nothing waits for costs no statement. The step's own side (waiting, the timeout) is in execute-step.ts; whichever of the
// event and the timeout clears `waitKey` first wins (the row's lock orders them).
import type { DeliveredEvent, PluginSql, ScopedTransaction } from '@crm/plugin-sdk';

export const waitKeyOf = (eventType: string, subjectId: string) => `${eventType}:${subjectId}`;

const waitKeyOfEvent = (event: DeliveredEvent) => waitKeyOf(event.type, event.subjectId);

/** The wait keys of these events that some step waits on now. */
export async function waitingFor(sql: PluginSql, events: readonly DeliveredEvent[]): Promise<Set<string>> {
  const keys = [...new Set(events.map(waitKeyOfEvent))];
  const rows = await sql<{ waitKey: string }>`
    SELECT DISTINCT "waitKey" FROM "WorkflowStepRun" WHERE "waitKey" = ANY(${keys}::text[]) AND status = 'WAITING'`;
  return new Set(rows.map((row) => row.waitKey));
}

/** Resumes the steps waiting for the event (`waited`: the keys {@link waitingFor} found for its batch). */
export async function resumeWaitsFor(tx: ScopedTransaction, event: DeliveredEvent, waited: ReadonlySet<string>): Promise<number> {
  if (!waited.has(waitKeyOfEvent(event))) return 0;
  const { count } = await tx.workflowStepRun.updateMany({
    where: { waitKey: waitKeyOf(event.type, event.subjectId), status: 'WAITING' },
    data: {
      waitKey: null,
      dueAt: new Date(),
      output: {
        received: true,
        event: {
          id: event.id,
          type: event.type,
          actor: event.actor,
          occurredAt: event.occurredAt.toISOString(),
          subjectType: event.subjectType,
          subjectId: event.subjectId,
          payload: JSON.parse(JSON.stringify(event.payload ?? null)),
        },
      },
    },
  });
  return count;
}
