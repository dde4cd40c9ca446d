/**
 * A background job's clock: a first round some time after start (not during the start's own work), then one every
 * interval; rounds never overlap (a round still running when the next is due makes that one a no-op), and `stop`
 * waits for the round in progress. The timers do not keep the process alive.
 */
export class PeriodicRounds {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    /** One round; must not throw (log inside). */
    private readonly round: () => Promise<void>,
    private readonly timing: { firstAfterMs: number; everyMs: number },
  ) {}

  get started(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.running ??= this.round().finally(() => {
        this.running = null;
      });
    };
    this.timer = setTimeout(() => {
      tick();
      this.timer = setInterval(tick, this.timing.everyMs);
      this.timer.unref();
    }, this.timing.firstAfterMs);
    this.timer.unref();
  }

  /** No more rounds; resolves when the one in progress (if any) has ended. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer); // also clears the first round's timeout
    this.timer = null;
    await this.running;
  }
}
