import { type CommandRunner, presentTrashTables, purgeExpiredTrash, systemSession, workspacesWithExpiredTrashSql } from '@crm/core';
import type { SqlSession } from '@crm/db';
import type { Logger } from './logger.js';
import { RetentionJob, type RetentionSettings, retentionDaysFrom } from './retention-job.js';

/** Trashed records are destroyed this many days after they were deleted, by default. */
export const DEFAULT_TRASH_RETENTION_DAYS = 30;

export type TrashRetentionSettings = RetentionSettings;

/** `TRASH_RETENTION_DAYS`: a whole number of days ≥ 1, or `0`/`off`/`forever` to keep the trash. @default 30 */
export const trashRetentionDaysFromEnv = (env: NodeJS.ProcessEnv = process.env) => retentionDaysFrom('TRASH_RETENTION_DAYS', DEFAULT_TRASH_RETENTION_DAYS, env);

/**
 * Destroys what has been in the trash longer than the retention, workspace by workspace, as the system actor (each
 * record gets its `X.destroyed` event), 500 records per transaction by default. Every gateway runs it: each batch
 * claims its rows with FOR UPDATE SKIP LOCKED in the destroying transaction (`purgeExpiredTrash`), so instances share
 * the work and never destroy a row twice.
 */
export class TrashRetention extends RetentionJob {
  constructor(private readonly options: TrashRetentionSettings & { sql: SqlSession; runner: CommandRunner; logger: Logger }) {
    super(options, { name: 'trash retention', defaultDays: DEFAULT_TRASH_RETENTION_DAYS, logger: options.logger });
  }

  /** Destroys every record past the retention; returns how many went. */
  override async runOnce(now = new Date()): Promise<number> {
    const days = this.days;
    if (days === null) return 0;
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    const batchSize = this.options.batchSize ?? 500;
    const tables = await presentTrashTables(this.options.sql);
    const workspaces = await this.options.sql.query<{ workspaceId: string }>(workspacesWithExpiredTrashSql(tables), [cutoff]);
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
