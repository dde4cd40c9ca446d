import type { RecordedEvent } from '@crm/core';
import type { SqlSession } from '@crm/db';
import { describeError, type Logger } from '../logger.js';
import type { EventBus } from './event-bus.js';

/**
 * Marks events as gone out, so the outbox relay does not publish them again: takes them out of "EventOutbox" (the
 * Event rows are not written: migration event_outbox).
 */
export async function markPublished(sql: SqlSession, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  await sql.query(`DELETE FROM "EventOutbox" WHERE "eventId" = ANY($1::uuid[])`, [ids]);
}

/** How long marks wait to be written together. Far below the relay's stale threshold (2 s). */
const MARK_DELAY_MS = 20;

/** How long an event may stay in flight: a mark that hangs (a dead connection) leaves its events to the relay. */
const IN_FLIGHT_MS = 30_000;

/** Events this process is publishing and has not marked yet: the outbox relay leaves them alone. */
export interface EventsInFlight {
  /** Their ids (those in flight for less than 30 s). */
  ids(): string[];
}

/**
 * The CommandRunner's `onCommitted`: publish at once, then mark the rows, only once the bus took them. An event
 * the bus refused (Redis down) or that could not be marked stays unpublished and the relay publishes it again;
 * subscribers drop what they have already seen (by seq). Marks are written together, one UPDATE per
 * MARK_DELAY_MS, instead of one per commit.
 */
export class CommittedPublisher implements EventsInFlight {
  private marks: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  /**
   * From publish to mark. Under load a mark can be written later than the relay's stale threshold, and the relay
   * published such events a second time (378 of 879 in a workflows bench run): each repeat a bus round and a
   * subscriber delivery that found its mark. Another instance still relays them after the threshold (crash recovery).
   */
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly bus: EventBus,
    private readonly sql: SqlSession,
    private readonly logger: Logger,
    private readonly markDelayMs = MARK_DELAY_MS,
  ) {}

  readonly publish = (events: readonly RecordedEvent[]): void => {
    const now = Date.now();
    for (const event of events) this.inFlight.set(event.id, now);
    this.bus
      .publish(events)
      .then(() => {
        for (const event of events) this.marks.push(event.id);
        this.timer ??= setTimeout(() => void this.flush(), this.markDelayMs);
      })
      .catch((error: unknown) => {
        this.#landed(events.map((event) => event.id));
        this.logger.warn('events left in the outbox for the relay', describeError(error));
      });
  };

  ids(): string[] {
    const since = Date.now() - IN_FLIGHT_MS;
    const ids: string[] = [];
    for (const [id, at] of this.inFlight) {
      if (at >= since) ids.push(id);
      else this.inFlight.delete(id);
    }
    return ids;
  }

  /** Writes the pending marks now (and waits for those being written). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ids = this.marks;
    this.marks = [];
    this.writing = this.writing
      .then(() => markPublished(this.sql, ids))
      .catch((error: unknown) => this.logger.warn('events left in the outbox for the relay', describeError(error)))
      // Marked, or left to the relay: either way no longer this publisher's.
      .finally(() => this.#landed(ids));
    await this.writing;
  }

  #landed(ids: readonly string[]): void {
    for (const id of ids) this.inFlight.delete(id);
  }
}
