// Due times by the database's clock. Claims compare a step's `dueAt` with the database's `now()`, so every due time a
// run's steps get is counted from the database's time, as a statement that already runs answers it
// (`statement_timestamp()`: `readClaimedSteps`, the admission count, the subscriber's lookup), not the gateway's clock
// (`new Date()`), which may be skewed from it (a gateway 30 minutes ahead delayed every step by 30 minutes; one behind
// ended waits early). docs/plugins/workflows.md, "Durable".
/** The database's time now, as a statement told it. */
export interface DatabaseClock {
  now(): Date;
}

/**
 * The database's time `at` (a statement's `statement_timestamp()`, its answer just come), going on by the gateway's
 * monotonic clock (`performance.now()`) from the answer: early by the answer's trip at most (milliseconds).
 */
export function databaseClock(at: Date | string): DatabaseClock {
  const base = new Date(at).getTime();
  const answeredAt = performance.now();
  return { now: () => new Date(base + (performance.now() - answeredAt)) };
}
