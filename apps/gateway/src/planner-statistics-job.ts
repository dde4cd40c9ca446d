import { analyzeGrownTables, type SqlDatabase } from '@crm/db';
import { describeError, type Logger } from './logger.js';
import { PeriodicRounds } from './periodic-rounds.js';

export interface PlannerStatisticsSettings {
  /** How often to look for tables that grew without statistics; 0: only when asked (`runOnce`). @default 30000 (the first round 15 s after start) */
  intervalMs?: number;
}

/**
 * Keeps the planner's statistics from falling behind where autovacuum does not keep them (`analyzeGrownTables`):
 * every gateway looks on the shared clock; one at a time analyzes (an advisory lock), the others skip the round.
 */
export class PlannerStatistics {
  private readonly rounds: PeriodicRounds;

  constructor(private readonly options: PlannerStatisticsSettings & { sql: SqlDatabase; logger: Logger }) {
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
    if (this.options.intervalMs !== 0) this.rounds.start();
  }

  stop(): Promise<void> {
    return this.rounds.stop();
  }

  /** One round now: the tables analyzed (none when another process holds the round). */
  runOnce(): Promise<string[]> {
    return analyzeGrownTables(this.options.sql);
  }
}
