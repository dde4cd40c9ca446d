// The limit on refused plugin-route requests (rate-limit/route-failures.ts) over both kinds of buckets: each refusal
// is charged; past the burst the verdict refuses with the seconds until a token is back, and every further charge
// still subtracts (down to -burst), so concurrent refusals cannot slip through and Retry-After grows with the
// overdraft — shared by every instance on one Redis.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { routeFailureLimit, routeFailureOptionsFromEnv } from '../src/rate-limit/route-failures.js';

const REDIS = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
type Limit = NonNullable<ReturnType<typeof routeFailureLimit>>;
const opened: Limit[] = [];
afterAll(async () => {
  for (const limit of opened) await limit.buckets.close();
});

/** A limit of 3 refusals at once, one back a minute; on Redis two instances share it. */
async function limits(kind: 'memory' | 'redis'): Promise<[Limit, Limit]> {
  const redis = kind === 'redis' ? { url: REDIS, channelPrefix: `crm-test-${randomUUID()}:` } : undefined;
  const make = () => routeFailureLimit({ perMinute: 1, burst: 3 }, redis, silentLogger)!;
  const a = make();
  const b = kind === 'redis' ? make() : a;
  opened.push(...new Set([a, b]));
  await a.buckets.ready();
  await b.buckets.ready();
  return [a, b];
}

const retryAfter = (verdict: Awaited<ReturnType<Limit['refused']>>) => (verdict.allowed ? 0 : verdict.retryAfterSeconds);

describe.each(['memory', 'redis'] as const)('route failure limit (%s)', (kind) => {
  it('allows the burst, then refuses with Retry-After that grows with the overdraft down to -burst', async () => {
    const [a, b] = await limits(kind);
    for (let i = 0; i < 3; i++) expect(await (i % 2 ? a : b).refused('client-1')).toEqual({ allowed: true });
    const first = retryAfter(await a.refused('client-1'));
    // Charged too: at -1, two tokens short (two minutes).
    expect(first).toBeGreaterThan(60);
    expect(first).toBeLessThanOrEqual(120);
    // 20 more at once, across both instances: every one charged, the overdraft capped at -burst (4 tokens short).
    const verdicts = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).refused('client-1')));
    expect(verdicts.every((v) => !v.allowed)).toBe(true);
    const last = Math.max(...verdicts.map(retryAfter));
    expect(last).toBeGreaterThan(3 * 60);
    expect(last).toBeLessThanOrEqual(4 * 60);
    expect(await b.refused('client-2')).toEqual({ allowed: true });
  });

  it('is off with perMinute 0, and ROUTE_FAILURES_PER_MINUTE sets it', () => {
    expect(routeFailureLimit({ perMinute: 0 }, undefined, silentLogger)).toBeNull();
    expect(routeFailureOptionsFromEnv({})).toBeUndefined();
    expect(routeFailureOptionsFromEnv({ ROUTE_FAILURES_PER_MINUTE: '0' })).toEqual({ perMinute: 0 });
    expect(() => routeFailureOptionsFromEnv({ ROUTE_FAILURES_PER_MINUTE: 'lots' })).toThrow(/ROUTE_FAILURES_PER_MINUTE/);
  });
});
