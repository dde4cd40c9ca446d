import type { SqlSession } from '@crm/db';
import type { Logger } from '../logger.js';
import { RetentionJob, type RetentionSettings, retentionDaysFrom } from '../retention-job.js';

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

  /** Deletes every event past the window, batch by batch; returns how many went. */
  override async runOnce(): Promise<number> {
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
}
