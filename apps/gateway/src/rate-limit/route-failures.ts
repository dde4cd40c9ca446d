// The limit on refused requests to the plugin routes that opt in (`limitRefusals`: the workflows hook): a token bucket
// per plugin, route, workspace and client address, the same buckets as the per-key rate limit (shared on Redis when
// `redis` is set). Only refusals are charged, after the route answered, so a request the route accepts is never
// limited; a refusal past the limit is answered 429 instead (the SDK's RouteFailureLimit).
import type { RouteFailureLimit } from '@crm/plugin-sdk/host';
import type { Logger } from '../logger.js';
import { MemoryTokenBuckets, RedisTokenBuckets, type TokenBuckets } from './token-bucket.js';

export interface RouteFailureOptions {
  /** Refused requests a client may make per minute (per route and workspace), sustained; 0 turns the limit off. @default 10 */
  perMinute?: number;
  /** Refused requests a client may make at once before the limit applies. @default 20 */
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
  return { buckets, refused: (key) => buckets.charge(key) };
}

/** `ROUTE_FAILURES_PER_MINUTE` (0: off; unset: the default). */
export function routeFailureOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): RouteFailureOptions | undefined {
  const raw = env.ROUTE_FAILURES_PER_MINUTE?.trim();
  if (!raw) return undefined;
  const perMinute = Number(raw);
  if (!Number.isFinite(perMinute) || perMinute < 0) throw new Error(`ROUTE_FAILURES_PER_MINUTE must be a number ≥ 0 (0: off), not "${raw}"`);
  return { perMinute };
}
