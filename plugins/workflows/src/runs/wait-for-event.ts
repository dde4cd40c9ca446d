// `waitForEvent` steps, the event side: a waiting step carries `waitKey` (`<eventType>:<subjectId>`); every event the
// plugin receives resumes the steps waiting for it, in one indexed statement, by storing the event as the step's
// output and making it due now. The step's own side (waiting, the timeout) is in execute-step.ts; whichever of the
// event and the timeout clears `waitKey` first wins (the row's lock orders them).
import type { DeliveredEvent, ScopedTransaction } from '@crm/plugin-sdk';

export const waitKeyOf = (eventType: string, subjectId: string) => `${eventType}:${subjectId}`;

export async function resumeWaitsFor(tx: ScopedTransaction, event: DeliveredEvent): Promise<number> {
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
