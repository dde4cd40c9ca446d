// The limit on refused plugin-route requests (rate-limit/route-failures.ts) over both kinds of buckets: `check`
// takes nothing (a sender that succeeds is never limited), each `failed` takes a token, and past the burst `check`
// refuses with the seconds until a token is back — shared by every instance on one Redis.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { routeFailureLimit } from '../src/rate-limit/route-failures.js';

const REDIS = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const opened: NonNullable<ReturnType<typeof routeFailureLimit>>[] = [];
afterAll(async () => {
  for (const limit of opened) await limit.buckets.close();
});

/** A limit of 3 refusals at once, one back a minute; on Redis two instances share it. */
async function limits(kind: 'memory' | 'redis'): Promise<[NonNullable<ReturnType<typeof routeFailureLimit>>, NonNullable<ReturnType<typeof routeFailureLimit>>]> {
  const redis = kind === 'redis' ? { url: REDIS, channelPrefix: `crm-test-${randomUUID()}:` } : undefined;
  const make = () => routeFailureLimit({ perMinute: 1, burst: 3 }, redis, silentLogger)!;
  const a = make();
  const b = kind === 'redis' ? make() : a;
  opened.push(...new Set([a, b]));
  await a.buckets.ready();
  await b.buckets.ready();
  return [a, b];
}

describe.each(['memory', 'redis'] as const)('route failure limit (%s)', (kind) => {
  it('checks without taking, counts failures, refuses past the burst with Retry-After seconds', async () => {
    const [a, b] = await limits(kind);
    for (let i = 0; i < 10; i++) expect(await a.check('client-1')).toEqual({ allowed: true });
    for (let i = 0; i < 3; i++) {
      expect(await b.check('client-1')).toEqual({ allowed: true });
      await (i % 2 ? a : b).failed('client-1');
    }
    const refused = await a.check('client-1');
    expect(refused).toMatchObject({ allowed: false });
    expect(refused.allowed === false && refused.retryAfterSeconds).toBeGreaterThanOrEqual(50);
    expect(await b.check('client-1')).toMatchObject({ allowed: false });
    expect(await a.check('client-2')).toEqual({ allowed: true });
  });

  it('is off with perMinute 0', () => {
    expect(routeFailureLimit({ perMinute: 0 }, undefined, silentLogger)).toBeNull();
  });
});
