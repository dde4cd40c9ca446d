import autocannon from 'autocannon';

export interface LoadResult {
  /** Requests completed in the measured run. */
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  maxRssMb: number | null;
  /** CPU time (user + system) the server process spent per request of the measured run (Linux, with `pid`). */
  cpuMsPerRequest: number | null;
}

/** CPU time a process has used so far, in ms (from /proc; null elsewhere). */
async function cpuMsOf(pid: number | undefined): Promise<number | null> {
  if (!pid) return null;
  try {
    const fs = await import('node:fs');
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of the file (11 and 12 after the command name), in clock ticks (100/s).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** Peak resident memory of a process, sampled from /proc while `during` runs (Linux). */
export async function sampleRss<T>(pid: number | undefined, during: () => Promise<T>): Promise<[T, number | null]> {
  if (!pid) return [await during(), null];
  const fs = await import('node:fs');
  let max = 0;
  const read = () => {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) max = Math.max(max, Number(match[1]) / 1024);
    } catch {
      // the process may have ended
    }
  };
  const timer = setInterval(read, 250);
  try {
    const value = await during();
    read();
    return [value, Math.round(max)];
  } finally {
    clearInterval(timer);
  }
}

/** POSTs one GraphQL operation with autocannon: a warm-up, then the measured run. */
export async function loadTest(options: {
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  connections: number;
  durationS: number;
  warmupS: number;
  pid?: number;
  /** Wraps the measured run (not the warm-up), e.g. to read CPU counters around it. */
  measure?: <T>(run: () => Promise<T>) => Promise<T>;
}): Promise<LoadResult> {
  const request = {
    url: options.url,
    method: 'POST' as const,
    connections: options.connections,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify(options.body),
  };
  await autocannon({ ...request, duration: options.warmupS });
  const cpuBefore = await cpuMsOf(options.pid);
  const measured = () => autocannon({ ...request, duration: options.durationS });
  const [result, maxRssMb] = await sampleRss(options.pid, () => (options.measure ? options.measure(measured) : measured()));
  const cpuAfter = await cpuMsOf(options.pid);
  const answered = result.requests.total;
  return {
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.average * 10) / 10,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    maxRssMb,
    cpuMsPerRequest: cpuBefore !== null && cpuAfter !== null && answered ? Math.round(((cpuAfter - cpuBefore) / answered) * 100) / 100 : null,
  };
}

/**
 * Latency percentiles of up to `requests` sequential calls of `call` (after `warmup` unmeasured ones), in
 * milliseconds; a slow call stops the series once `budgetMs` has passed (after at least 20 calls).
 */
export async function sequentialLatency(
  call: () => Promise<void>,
  requests: number,
  { warmup = 10, budgetMs = 60_000 } = {},
): Promise<{ requests: number; p50Ms: number; p95Ms: number; p99Ms: number }> {
  for (let i = 0; i < warmup; i++) await call();
  const times: number[] = [];
  const deadline = performance.now() + budgetMs;
  while (times.length < requests && (times.length < 20 || performance.now() < deadline)) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (share: number) => Math.round(times[Math.min(times.length - 1, Math.ceil(share * times.length) - 1)]! * 10) / 10;
  return { requests: times.length, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99) };
}
