import type { RecordedEvent } from '@crm/core';
import type { SqlSession } from '@crm/db';
import { describeError, type Logger } from '../logger.js';
import type { EventBus } from './event-bus.js';

/** Marks events as gone out, so the outbox relay does not publish them again. */
export async function markPublished(sql: SqlSession, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  await sql.query(`UPDATE "Event" SET "publishedAt" = now() WHERE id = ANY($1::uuid[])`, [ids]);
}

/**
 * The CommandRunner's `onCommitted`: publish at once, then mark the rows. Marking is best effort: an unmarked
 * event is published again by the relay, and subscribers drop what they have already seen (by seq).
 */
export function publishCommitted(bus: EventBus, sql: SqlSession, logger: Logger) {
  return (events: readonly RecordedEvent[]): void => {
    bus.publish(events);
    markPublished(
      sql,
      events.map((event) => event.id),
    ).catch((error: unknown) => logger.warn('could not mark events published', describeError(error)));
  };
}
