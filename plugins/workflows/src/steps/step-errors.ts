// How a step fails: for good (the run fails at once) or for a passing reason (tried again after the backoff).

/** A failure that trying again cannot fix (bad input from the data, a refused target, a 4xx answer): the run fails at once. */
export class PermanentStepError extends Error {}

/**
 * A failure that may pass (a 5xx, 408 or 429 answer, no answer in time, a broken connection): tried again after the
 * backoff, or after `retryAfterMs` when the other side asked for longer (its Retry-After, capped).
 */
export class PassingStepError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** How long the other side asked to wait before the next try, for a failure that says (else null). */
export const retryAfterOf = (error: unknown): number | null => (error instanceof PassingStepError ? error.retryAfterMs : null);
