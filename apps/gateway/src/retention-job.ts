import { describeError, type Logger } from './logger.js';
import { PeriodicRounds } from './periodic-rounds.js';

/** How a retention job is set up (`EVENT_RETENTION_DAYS`, `TRASH_RETENTION_DAYS`). */
export interface RetentionSettings {
  /** Days things are kept; `null` keeps them forever. @default the job's own default */
  days?: number | null;
  /** How often to look. @default 3600000 (hourly; the first round a minute after start) */
  intervalMs?: number;
  /** Rows per transaction. @default the job's own default */
  batchSize?: number;
}

/**
 * `<VARIABLE>`: a whole number of days ≥ 1, or `0`/`off`/`forever`/`none` to keep everything (null); unset gives
 * `fallback`. Anything else stops the gateway at start with a message naming the variable.
 */
export function retentionDaysFrom(variable: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number | null {
  const raw = env[variable]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['0', 'off', 'forever', 'none'].includes(raw)) return null;
  const days = Number(raw);
  if (!/^\d+$/.test(raw) || days < 1) throw new Error(`${variable} must be a number of days ≥ 1, or 0 to keep everything (got "${raw}")`);
  return days;
}

/**
 * A job that removes what is older than a retention, run by every gateway on the shared clock (`PeriodicRounds`):
 * the subclass's `runOnce` must claim its rows with `FOR UPDATE SKIP LOCKED` in the transaction that removes them, so
 * that instances running at once share the work and never remove a row twice. A round's outcome is logged; `stop`
 * ends a round in progress after its current batch (`stopped`).
 */
export abstract class RetentionJob {
  private readonly rounds: PeriodicRounds;
  protected stopped = false;

  constructor(
    protected readonly settings: RetentionSettings,
    private readonly job: { name: string; defaultDays: number; logger: Logger },
  ) {
    const interval = settings.intervalMs ?? 3_600_000;
    this.rounds = new PeriodicRounds(
      () =>
        this.runOnce().then(
          (count) => void (count && job.logger.info(`${job.name} removed old records`, { count, days: this.days })),
          (error: unknown) => job.logger.warn(`${job.name} failed`, describeError(error)),
        ),
      { firstAfterMs: Math.min(60_000, interval), everyMs: interval },
    );
  }

  /** The retention in days; null keeps everything (the job does not run). */
  get days(): number | null {
    return this.settings.days === undefined ? this.job.defaultDays : this.settings.days;
  }

  /** Whether rounds run: not when everything is kept, unless the subclass also removes something else. */
  protected get runs(): boolean {
    return this.days !== null;
  }

  start(): void {
    if (this.rounds.started || !this.runs) return;
    this.stopped = false;
    this.rounds.start();
  }

  /** Stops looking; a round in progress stops after its current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.rounds.stop();
  }

  /** Removes everything past the retention, batch by batch; returns how many went. */
  abstract runOnce(): Promise<number>;
}
