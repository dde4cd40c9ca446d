import { analyzeGrownTables, type Database } from '@crm/db';
import { describeError, type Logger } from './logger.js';
import { PeriodicRounds } from './periodic-rounds.js';

export interface PlannerStatisticsSettings {
  /** How often to look for tables that grew without statistics; 0: only when asked (`runOnce`). @default 30000 (the first round 15 s after start) */
  intervalMs?: number;
}

/**
 * Keeps the planner's statistics from falling behind where autovacuum does not keep them (`analyzeGrownTables`):
 * every gateway looks on the shared clock; a table is analyzed by one process at a time (an advisory lock).
 */
export class PlannerStatistics {
  private readonly rounds: PeriodicRounds;
  private stopped = false;

  constructor(private readonly options: PlannerStatisticsSettings & { database: Pick<Database, 'kind' | 'sql'>; logger: Logger }) {
    const interval = options.intervalMs ?? 30_000;
    this.rounds = new PeriodicRounds(
      () =>
        this.runOnce().then(
          (tables) => void (tables.length && options.logger.info('planner statistics refreshed', { tables })),
          (error: unknown) => options.logger.warn('planner statistics refresh failed', describeError(error)),
        ),
      { firstAfterMs: Math.min(15_000, interval), everyMs: interval },
    );
  }

  start(): void {
    this.stopped = false;
    if (this.options.intervalMs !== 0) this.rounds.start();
  }

  /** No more rounds; a round in progress ends after the table it is analyzing. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.rounds.stop();
  }

  /** One round now: the tables analyzed (those another process is analyzing are skipped). */
  runOnce(): Promise<string[]> {
    return analyzeGrownTables(this.options.database, () => this.stopped);
  }
}
