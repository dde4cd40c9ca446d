import { type CommandRunner, purgeExpiredTrash, systemSession, workspacesWithExpiredTrashSql } from '@crm/core';
import type { SqlSession } from '@crm/db';
import { describeError, type Logger } from './logger.js';
import { PeriodicRounds } from './periodic-rounds.js';

/** Trashed records are destroyed this many days after they were deleted, by default. */
export const DEFAULT_TRASH_RETENTION_DAYS = 30;

export interface TrashRetentionSettings {
  /** Days a record stays in the trash; `null` keeps the trash forever. @default 30 */
  days?: number | null;
  /** How often to look. @default 3600000 (hourly; the first round a minute after start) */
  intervalMs?: number;
  /** Records destroyed per transaction. @default 500 */
  batchSize?: number;
}

/** `TRASH_RETENTION_DAYS`: a whole number of days ≥ 1, or `0`/`off`/`forever` to keep the trash. @default 30 */
export function trashRetentionDaysFromEnv(env: NodeJS.ProcessEnv = process.env): number | null {
  const raw = env.TRASH_RETENTION_DAYS?.trim().toLowerCase();
  if (!raw) return DEFAULT_TRASH_RETENTION_DAYS;
  if (['0', 'off', 'forever', 'none'].includes(raw)) return null;
  if (!/^\d+$/.test(raw)) throw new Error(`TRASH_RETENTION_DAYS must be a number of days ≥ 1, or 0 to keep the trash (got "${raw}")`);
  return Number(raw);
}

/**
 * Destroys what has been in the trash longer than the retention, workspace by workspace, as the system actor (each
 * record gets its `X.destroyed` event). Every gateway runs it: each batch claims its rows with FOR UPDATE SKIP
 * LOCKED in the destroying transaction (`purgeExpiredTrash`), so instances share the work and never destroy a row twice.
 */
export class TrashRetention {
  private readonly rounds: PeriodicRounds;
  private stopped = false;

  constructor(private readonly options: TrashRetentionSettings & { sql: SqlSession; runner: CommandRunner; logger: Logger }) {
    const interval = options.intervalMs ?? 3_600_000;
    this.rounds = new PeriodicRounds(
      () =>
        this.runOnce().then(
          (count) => void (count && options.logger.info('trash retention destroyed old records', { count, days: this.days })),
          (error: unknown) => options.logger.warn('trash retention failed', describeError(error)),
        ),
      { firstAfterMs: Math.min(60_000, interval), everyMs: interval },
    );
  }

  get days(): number | null {
    return this.options.days === undefined ? DEFAULT_TRASH_RETENTION_DAYS : this.options.days;
  }

  start(): void {
    if (this.rounds.started || this.days === null) return;
    this.stopped = false;
    this.rounds.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.rounds.stop();
  }

  /** Destroys every record past the retention; returns how many went. */
  async runOnce(now = new Date()): Promise<number> {
    const days = this.days;
    if (days === null) return 0;
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    const batchSize = this.options.batchSize ?? 500;
    const workspaces = await this.options.sql.query<{ workspaceId: string }>(workspacesWithExpiredTrashSql(), [cutoff]);
    let total = 0;
    for (const { workspaceId } of workspaces) {
      const caller = this.options.runner.callerFor(systemSession(workspaceId));
      for (;;) {
        const destroyed = await purgeExpiredTrash(caller, cutoff, batchSize);
        total += destroyed;
        if (destroyed < batchSize || this.stopped) break;
      }
      if (this.stopped) break;
    }
    return total;
  }
}
