import { type CommandRunner, fitClvModel, isCrmError, type RecordedEvent, systemSession } from '@crm/core';
import { describeError, type Logger } from '../logger.js';

export interface ClvRefresherOptions {
  runner: CommandRunner;
  logger: Logger;
  /** Quiet time after the last purchase event before refitting. @default 30000 */
  debounceMs?: number;
  /** Longest wait after the first unprocessed purchase event, however busy the workspace. @default 300000 */
  maxDelayMs?: number;
}

/** Events after which a workspace's lifetime-value model is out of date. */
const PURCHASE_EVENTS = new Set(['order.recorded', 'orders.imported']);

/**
 * Refits a workspace's lifetime-value model in the background after its purchases change: debounced per workspace
 * (a burst of orders or an import of many batches is one fit), at most one fit per workspace at a time (events
 * during a fit schedule one more), never on a request path. It is shown committed events by the gateway (its own
 * commits, and those the outbox relay publishes for other processes), so each commit triggers one refit.
 */
export class ClvRefresher {
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; firstAt: number }>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private stopped = false;

  constructor(private readonly options: ClvRefresherOptions) {}

  /** Looks at committed events; schedules a refit for each workspace that had a purchase. */
  notice(events: readonly RecordedEvent[]): void {
    if (this.stopped) return;
    for (const workspaceId of new Set(events.filter((e) => PURCHASE_EVENTS.has(e.type)).map((e) => e.workspaceId))) this.schedule(workspaceId);
  }

  private schedule(workspaceId: string): void {
    const debounce = this.options.debounceMs ?? 30_000;
    const maxDelay = this.options.maxDelayMs ?? 300_000;
    const pending = this.timers.get(workspaceId);
    const firstAt = pending?.firstAt ?? Date.now();
    if (pending) clearTimeout(pending.timer);
    const wait = Math.max(0, Math.min(debounce, firstAt + maxDelay - Date.now()));
    const timer = setTimeout(() => {
      this.timers.delete(workspaceId);
      void this.refit(workspaceId);
    }, wait);
    timer.unref();
    this.timers.set(workspaceId, { timer, firstAt });
  }

  private async refit(workspaceId: string): Promise<void> {
    if (this.running.has(workspaceId)) {
      this.dirty.add(workspaceId);
      return;
    }
    const run = this.fit(workspaceId).finally(() => {
      this.running.delete(workspaceId);
      if (this.dirty.delete(workspaceId) && !this.stopped) this.schedule(workspaceId);
    });
    this.running.set(workspaceId, run);
    await run;
  }

  private async fit(workspaceId: string): Promise<void> {
    const { runner, logger } = this.options;
    try {
      const model = await fitClvModel(runner.callerFor(systemSession(workspaceId)), { trigger: 'background' });
      logger.info('clv model fitted', { workspaceId, customers: model.customers, durationMs: model.durationMs });
    } catch (error) {
      // Too little history to fit is normal for a new workspace; anything else is worth a warning.
      if (isCrmError(error) && error.code === 'BAD_USER_INPUT') logger.info('clv model not fitted', { workspaceId, reason: error.message });
      else logger.warn('clv model fit failed', { workspaceId, ...describeError(error) });
    }
  }

  /**
   * Runs another job that fits the workspace (the month-end snapshots) when no fit of it runs in this process; a
   * background refit due meanwhile waits for it and runs after, as it would after one of its own.
   */
  async exclusive<T>(workspaceId: string, task: () => Promise<T>): Promise<T> {
    for (let current = this.running.get(workspaceId); current; current = this.running.get(workspaceId)) await current;
    const result = task();
    const run = result
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.running.delete(workspaceId);
        if (this.dirty.delete(workspaceId) && !this.stopped) this.schedule(workspaceId);
      });
    this.running.set(workspaceId, run);
    return result;
  }

  /** Fits scheduled or running right now (tests wait for them). */
  get busy(): boolean {
    return this.timers.size > 0 || this.running.size > 0;
  }

  /** Cancels scheduled fits and waits for running ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }
}
