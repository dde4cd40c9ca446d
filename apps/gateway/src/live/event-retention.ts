import type { SqlSession } from '@crm/db';
import { describeError, type Logger } from '../logger.js';
import { PeriodicRounds } from '../periodic-rounds.js';

/** Events are kept this long by default: a year of audit trail (replay reaches back 7 days whatever this is). */
export const DEFAULT_EVENT_RETENTION_DAYS = 365;

export interface EventRetentionSettings {
  /** Events older than this many days are deleted; `null` keeps them forever. @default 365 */
  days?: number | null;
  /** How often to look. @default 3600000 (hourly; the first round runs a minute after start) */
  intervalMs?: number;
  /** Rows per DELETE statement: short transactions, no long lock on the table. @default 5000 */
  batchSize?: number;
}

export interface EventRetentionOptions extends EventRetentionSettings {
  sql: SqlSession;
  logger: Logger;
}

/**
 * `EVENT_RETENTION_DAYS`: a whole number of days ≥ 1, or `0`/`off`/`forever` to keep every event.
 * @default 365
 */
export function retentionDaysFromEnv(env: NodeJS.ProcessEnv = process.env): number | null {
  const raw = env.EVENT_RETENTION_DAYS?.trim().toLowerCase();
  if (!raw) return DEFAULT_EVENT_RETENTION_DAYS;
  if (['0', 'off', 'forever', 'none'].includes(raw)) return null;
  const days = Number(raw);
  if (!/^\d+$/.test(raw) || days < 1) throw new Error(`EVENT_RETENTION_DAYS must be a number of days ≥ 1, or 0 to keep events forever (got "${raw}")`);
  return days;
}

/**
 * Deletes events older than the retention window, in batches. Every gateway runs it: each batch locks the rows it
 * takes with `FOR UPDATE SKIP LOCKED`, so instances running at the same time share the work instead of waiting on
 * (or deleting) the same rows.
 */
export class EventRetention {
  private readonly rounds: PeriodicRounds;
  private stopped = false;

  constructor(private readonly options: EventRetentionOptions) {
    const interval = options.intervalMs ?? 3_600_000;
    this.rounds = new PeriodicRounds(
      () =>
        this.runOnce().then(
          (count) => void (count && this.options.logger.info('event retention deleted old events', { count, days: this.days })),
          (error: unknown) => this.options.logger.warn('event retention failed', describeError(error)),
        ),
      { firstAfterMs: Math.min(60_000, interval), everyMs: interval },
    );
  }

  get days(): number | null {
    return this.options.days === undefined ? DEFAULT_EVENT_RETENTION_DAYS : this.options.days;
  }

  start(): void {
    if (this.rounds.started || this.days === null) return;
    this.stopped = false;
    this.rounds.start();
  }

  /** Stops looking; a round in progress stops after its current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.rounds.stop();
  }

  /** Deletes every event past the window, batch by batch; returns how many went. */
  async runOnce(): Promise<number> {
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
         , gone AS (DELETE FROM "Event" WHERE id IN (SELECT id FROM doomed) RETURNING 1)
         SELECT count(*)::int AS deleted FROM gone`,
        [days, batchSize],
      );
      const deleted = Number(rows[0]?.deleted ?? 0);
      total += deleted;
      if (deleted < batchSize || this.stopped) return total;
    }
  }
}
