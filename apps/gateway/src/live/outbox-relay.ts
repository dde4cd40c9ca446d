import { type EventRow, type RecordedEvent, toRecordedEvent } from '@crm/core';
import { instanceLockKey, type SqlDatabase, type SqlSession } from '@crm/db';
import { describeError, type Logger } from '../logger.js';
import type { EventBus } from './event-bus.js';
import { type EventsInFlight, markPublished } from './publisher.js';

export interface OutboxRelayOptions {
  sql: SqlDatabase;
  /**
   * Claim the rows taken (`FOR UPDATE OF o SKIP LOCKED`, held until they are published and deleted), so that several
   * gateways' relays never publish the same stale events. Off on the embedded database: one process, one connection
   * (a transaction held across the publish would take in every other statement). @default true
   */
  claim?: boolean;
  bus: EventBus;
  logger: Logger;
  /** An event unpublished for this long is taken to be lost (crash between commit and publish). @default 2000 */
  staleAfterMs?: number;
  /** How often to look. @default 1000 */
  intervalMs?: number;
  /** Most events per round. @default 500 */
  batchSize?: number;
  /**
   * Sees every batch the relay publishes (events committed elsewhere, e.g. by the CLI), and of them the `orphaned`:
   * those no live process delivers to plugins, committed by a process without an instance id (the CLI, a gateway
   * without plugins or of an older release) or by an instance whose liveness lock is free (it is gone;
   * `instance-presence.ts` in @crm/db). Must not throw.
   */
  onRelayed?: (events: readonly RecordedEvent[], orphaned: readonly RecordedEvent[]) => void;
  /** This process's publisher: the events it is still publishing or marking are not stale, only late. */
  inFlight?: EventsInFlight;
}

/**
 * Older unpublished events are past replay retention: nobody can ask for them any more. The event retention job
 * deletes outbox rows older than this (`event-retention.ts`), whatever the events' own retention.
 */
export const RELAY_LOOKBACK_DAYS = 7;

/**
 * Re-publishes events that committed but never went out (the process died between commit and publish, or the
 * publish was lost), oldest first and in seq order per workspace.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Stops looking and waits for a round in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One round; rounds never overlap. Returns how many events went out. */
  async runOnce(): Promise<number> {
    const { sql } = this.options;
    if (this.options.claim === false) return this.relay(sql, '');
    return sql.withSession(async (session) => {
      await session.query('BEGIN');
      try {
        const count = await this.relay(session, 'FOR UPDATE OF o SKIP LOCKED');
        await session.query('COMMIT');
        return count;
      } catch (error) {
        await session.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** Reads a batch (locked with `lock`, if any), publishes it and deletes its outbox rows. */
  private async relay(sql: SqlSession, lock: string): Promise<number> {
    const staleMs = this.options.staleAfterMs ?? 2000;
    // The outbox holds only what has not gone out: read it, then the events it names. Left out in the statement, not
    // after it: a page of in-flight events must not hide the stale ones behind it.
    // Whether the committer is alive, in the same statement: a shared try of its lock fails while it holds the lock.
    // Taken when free, the shared lock is held to the end of this transaction only, and keeps nobody out.
    const rows = await sql.query<EventRow & { orphaned: boolean }>(
      `SELECT e.id, e."workspaceId", e.seq, e.type, e."subjectType", e."subjectId", e.actor, e."causedBy", e."chainDepth", e.payload, e."occurredAt",
              (o.committer IS NULL OR pg_try_advisory_xact_lock_shared(${instanceLockKey('o.committer')})) AS orphaned
         FROM "EventOutbox" o
         JOIN "Event" e ON e.id = o."eventId"
        WHERE o."occurredAt" < now() - ($1::int * interval '1 millisecond')
          AND o."occurredAt" > now() - interval '${RELAY_LOOKBACK_DAYS} days'
          AND o."eventId" <> ALL($3::uuid[])
        ORDER BY e."workspaceId", e.seq
        LIMIT $2
        ${lock}`,
      [staleMs, this.options.batchSize ?? 500, this.options.inFlight?.ids() ?? []],
    );
    if (!rows.length) return 0;
    const events = rows.map(toRecordedEvent);
    await this.options.bus.publish(events); // throws when the bus is unreachable: the events stay unpublished
    this.options.onRelayed?.(
      events,
      events.filter((_, i) => rows[i]!.orphaned),
    );
    await markPublished(
      sql,
      events.map((event) => event.id),
    );
    return events.length;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.runOnce()
      .then((count) => {
        if (count) this.options.logger.info('outbox relay re-published events', { count });
      })
      .catch((error: unknown) => this.options.logger.warn('outbox relay failed', describeError(error)))
      .finally(() => {
        this.running = null;
      });
    await this.running;
  }
}
