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
 * The CommandRunner's `onCommitted`: publish at once, then mark the rows, only once the bus took them. An event
 * the bus refused (Redis down) or that could not be marked stays unpublished and the relay publishes it again;
 * subscribers drop what they have already seen (by seq).
 */
export function publishCommitted(bus: EventBus, sql: SqlSession, logger: Logger) {
  return (events: readonly RecordedEvent[]): void => {
    bus
      .publish(events)
      .then(() =>
        markPublished(
          sql,
          events.map((event) => event.id),
        ),
      )
      .catch((error: unknown) => logger.warn('events left in the outbox for the relay', describeError(error)));
  };
}
