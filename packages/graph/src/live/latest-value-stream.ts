/**
 * An async iterator over a changing value that keeps only the newest undelivered one: a slow consumer skips
 * intermediate values instead of buffering them (right for figures, wrong for events). `start` wires the source
 * and returns its stop function, called once when the consumer ends or the source fails.
 */
export function latestValueStream<T>(start: (push: (value: T) => void, fail: (error: unknown) => void) => () => void): AsyncIterableIterator<T> {
  let pending: { value: T } | null = null;
  let failure: { error: unknown } | null = null;
  let done = false;
  let wake: (() => void) | null = null;

  let stop: (() => void) | null = null;
  stop = start(
    (value) => {
      if (done) return;
      pending = { value };
      wake?.();
    },
    (error) => {
      if (done) return;
      failure = { error };
      finish();
    },
  );
  if (done) stop(); // failed while starting
  function finish() {
    if (done) return;
    done = true;
    stop?.();
    wake?.();
  }

  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<T>> {
      while (!pending && !done) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      if (pending) {
        const { value } = pending;
        pending = null;
        return { value, done: false };
      }
      if (failure) {
        const { error } = failure;
        failure = null;
        throw error;
      }
      return { value: undefined, done: true };
    },
    async return(): Promise<IteratorResult<T>> {
      pending = null;
      finish();
      return { value: undefined, done: true };
    },
    // Generator-like, so graphql-ws ends an abandoned iterator (it calls `throw` when it has one).
    async throw(error: unknown): Promise<IteratorResult<T>> {
      pending = null;
      finish();
      throw error;
    },
  };
}
