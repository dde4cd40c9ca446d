import type { GraphContext } from '@crm/graph';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.js';
import { MemoryTokenBuckets, RedisTokenBuckets, type TokenBuckets } from './token-bucket.js';

export interface RateLimitOptions {
  /** Sustained operations per minute per API key; 0 turns limiting off. @default 3000 */
  perMinute?: number;
  /** Operations a key may send at once above the sustained rate. @default 300 */
  burst?: number;
}

/** The limit in force and where its buckets live. */
export interface RateLimiter {
  readonly perMinute: number;
  readonly buckets: TokenBuckets;
}

/**
 * The gateway's rate limiter, or null when limiting is off. With `redis` (`REDIS_URL`) the buckets are shared by
 * every instance on that Redis; without, each instance counts its own traffic.
 */
export function createRateLimiter(
  options: RateLimitOptions = {},
  redis: { url: string; channelPrefix?: string } | undefined,
  logger: Logger,
): RateLimiter | null {
  const perMinute = options.perMinute ?? 3000;
  if (perMinute <= 0) return null;
  const shape = { burst: options.burst ?? 300, refillPerMs: perMinute / 60_000 };
  const buckets = redis ? new RedisTokenBuckets(shape, { url: redis.url, prefix: redis.channelPrefix, logger }) : new MemoryTokenBuckets(shape);
  return { perMinute, buckets };
}

/**
 * A token bucket per API key, checked before execution. Over the limit nothing runs and the answer is HTTP 429
 * with `Retry-After` (GraphQL over HTTP), its error keeping `extensions.code: RATE_LIMITED` and
 * `retryAfterSeconds` for clients that read only the body (and for WebSocket operations, which have no status).
 */
export function useRateLimit(limiter: RateLimiter, onLimited: () => void = () => {}): Plugin {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const key = (args.contextValue as Partial<GraphContext>).session?.apiKeyId;
      if (!key) return;
      const verdict = await limiter.buckets.take(key);
      if (verdict.allowed) return;
      onLimited();
      const { retryAfterSeconds } = verdict;
      setResultAndStopExecution({
        errors: [
          new GraphQLError(`Rate limit exceeded: ${limiter.perMinute} operations per minute per API key. Retry in ${retryAfterSeconds} s.`, {
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds, http: { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } } },
          }),
        ],
      });
    },
  };
}
