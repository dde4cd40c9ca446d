import type { SqlSession } from '@crm/db';
import type { Logger } from '../logger.js';
import { RetentionJob, type RetentionSettings, retentionDaysFrom } from '../retention-job.js';
import { RELAY_LOOKBACK_DAYS } from './outbox-relay.js';

/** Events are kept this long by default: a year of audit trail (replay reaches back 7 days whatever this is). */
export const DEFAULT_EVENT_RETENTION_DAYS = 365;

export type EventRetentionSettings = RetentionSettings;

export interface EventRetentionOptions extends EventRetentionSettings {
  sql: SqlSession;
  logger: Logger;
}

/** `EVENT_RETENTION_DAYS`: a whole number of days ≥ 1, or `0`/`off`/`forever` to keep every event. @default 365 */
export const retentionDaysFromEnv = (env: NodeJS.ProcessEnv = process.env) => retentionDaysFrom('EVENT_RETENTION_DAYS', DEFAULT_EVENT_RETENTION_DAYS, env);

/**
 * Deletes events older than the retention window, in batches of 5,000 by default. Every gateway runs it: each batch
 * locks the rows it takes with `FOR UPDATE SKIP LOCKED`, so instances running at the same time share the work instead
 * of waiting on (or deleting) the same rows.
 */
export class EventRetention extends RetentionJob {
  constructor(private readonly options: EventRetentionOptions) {
    super(options, { name: 'event retention', defaultDays: DEFAULT_EVENT_RETENTION_DAYS, logger: options.logger });
  }

  /** Runs even when events are kept forever: the outbox rows past the relay's look-back still go. */
  protected override get runs(): boolean {
    return true;
  }

  /** Deletes every event past the window, batch by batch; returns how many went. */
  override async runOnce(): Promise<number> {
    await this.dropUnrelayable();
    const days = this.days;
    if (days === null) return 0;
    const batchSize = this.options.batchSize ?? 5000;
    let total = 0;
    for (;;) {
      const rows = await this.options.sql.query<{ deleted: number }>(
        `WITH doomed AS (
           SELECT id FROM "Event"
            WHERE "occurredAt" < now() - ($1::int * interval '1 day')
            ORDER BY "occurredAt"
            LIMIT $2
            FOR UPDATE SKIP LOCKED)
         , gone AS (DELETE FROM "Event" WHERE id IN (SELECT id FROM doomed) RETURNING id)
         -- An event never published goes with its outbox row (no foreign key does it: migration event_outbox).
         , unsent AS (DELETE FROM "EventOutbox" WHERE "eventId" IN (SELECT id FROM gone))
         SELECT count(*)::int AS deleted FROM gone`,
        [days, batchSize],
      );
      const deleted = Number(rows[0]?.deleted ?? 0);
      total += deleted;
      if (deleted < batchSize || this.stopped) return total;
    }
  }

  /**
   * Outbox rows older than the relay's look-back are never taken (the bus was down, or their marks failed, for that
   * long) and would stay forever with events kept forever, read by every relay round: they go, counted in the log.
   * Their events stay (the audit log); nobody can replay them live any more.
   */
  private async dropUnrelayable(): Promise<void> {
    const batchSize = this.options.batchSize ?? 5000;
    let total = 0;
    for (;;) {
      const rows = await this.options.sql.query<{ deleted: number }>(
        `WITH doomed AS (
           SELECT "eventId" FROM "EventOutbox"
            WHERE "occurredAt" < now() - ($1::int * interval '1 day')
            LIMIT $2
            FOR UPDATE SKIP LOCKED)
         , gone AS (DELETE FROM "EventOutbox" WHERE "eventId" IN (SELECT "eventId" FROM doomed) RETURNING 1)
         SELECT count(*)::int AS deleted FROM gone`,
        [RELAY_LOOKBACK_DAYS, batchSize],
      );
      const deleted = Number(rows[0]?.deleted ?? 0);
      total += deleted;
      if (deleted < batchSize || this.stopped) break;
    }
    if (total) this.options.logger.warn('event retention removed outbox rows never published within the relay look-back', { count: total, days: RELAY_LOOKBACK_DAYS });
  }
}
