import type { RecordedEvent } from '@crm/core';
import type { SqlSession } from '@crm/db';
import { describeError, type Logger } from '../logger.js';
import type { EventBus } from './event-bus.js';

/** Marks events as gone out, so the outbox relay does not publish them again. */
export async function markPublished(sql: SqlSession, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  await sql.query(`UPDATE "Event" SET "publishedAt" = now() WHERE id = ANY($1::uuid[])`, [ids]);
}

/** How long marks wait to be written together. Far below the relay's stale threshold (2 s). */
const MARK_DELAY_MS = 20;

/**
 * The CommandRunner's `onCommitted`: publish at once, then mark the rows, only once the bus took them. An event
 * the bus refused (Redis down) or that could not be marked stays unpublished and the relay publishes it again;
 * subscribers drop what they have already seen (by seq). Marks are written together, one UPDATE per
 * MARK_DELAY_MS, instead of one per commit.
 */
export class CommittedPublisher {
  private marks: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: EventBus,
    private readonly sql: SqlSession,
    private readonly logger: Logger,
  ) {}

  readonly publish = (events: readonly RecordedEvent[]): void => {
    this.bus
      .publish(events)
      .then(() => {
        for (const event of events) this.marks.push(event.id);
        this.timer ??= setTimeout(() => void this.flush(), MARK_DELAY_MS);
      })
      .catch((error: unknown) => this.logger.warn('events left in the outbox for the relay', describeError(error)));
  };

  /** Writes the pending marks now (and waits for those being written). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ids = this.marks;
    this.marks = [];
    this.writing = this.writing
      .then(() => markPublished(this.sql, ids))
      .catch((error: unknown) => this.logger.warn('events left in the outbox for the relay', describeError(error)));
    await this.writing;
  }
}
