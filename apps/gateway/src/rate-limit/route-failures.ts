// The limit on refused requests to plugins' routes (a wrong webhook URL token, an unknown workflow): a token bucket per
// client address, the same buckets as the per-key rate limit (shared on Redis when `redis` is set), of which only
// refusals take a token (the SDK's RouteFailureLimit): a guesser is answered 429, the sender with the right URL never.
import type { RouteFailureLimit } from '@crm/plugin-sdk/host';
import type { Logger } from '../logger.js';
import { MemoryTokenBuckets, RedisTokenBuckets, type TokenBuckets } from './token-bucket.js';

export interface RouteFailureOptions {
  /** Refused requests an address may make per minute, sustained; 0 turns the limit off. @default 10 */
  perMinute?: number;
  /** Refused requests an address may make at once before the limit applies. @default 20 */
  burst?: number;
}

/** The limit and its buckets (closed with the gateway), or null when it is off. */
export function routeFailureLimit(
  options: RouteFailureOptions = {},
  redis: { url: string; channelPrefix?: string } | undefined,
  logger: Logger,
): (RouteFailureLimit & { buckets: TokenBuckets }) | null {
  const perMinute = options.perMinute ?? 10;
  if (perMinute <= 0) return null;
  const shape = { burst: options.burst ?? 20, refillPerMs: perMinute / 60_000 };
  const buckets = redis ? new RedisTokenBuckets(shape, { url: redis.url, prefix: redis.channelPrefix, logger }) : new MemoryTokenBuckets(shape);
  return {
    buckets,
    check: (key) => buckets.peek(key),
    failed: async (key) => {
      await buckets.take(key);
    },
  };
}
