/**
 * The delay before retry number `retry` (1 = the first retry), spread by ±`jitter` so that many deliveries failing
 * together (an endpoint down) do not all come back at the same moment. Null when the schedule is exhausted.
 */
export function retryDelayMs(retry: number, schedule: readonly number[], jitter: number, random: () => number = Math.random): number | null {
  const base = schedule[retry - 1];
  if (base === undefined) return null;
  return Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))));
}
