import type { GraphContext } from '@crm/graph';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface RateLimitOptions {
  /** Sustained operations per minute per API key; 0 turns limiting off. @default 3000 */
  perMinute?: number;
  /** Operations a key may send at once above the sustained rate. @default 300 */
  burst?: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

/**
 * A token bucket per API key, checked before execution: `perMinute` sustained, `burst` at once. Over the limit the
 * operation is answered with RATE_LIMITED and `retryAfterSeconds`, and nothing runs. In-process: each gateway
 * instance counts its own traffic.
 */
export function useRateLimit(options: RateLimitOptions = {}): Plugin<GraphContext> {
  const perMinute = options.perMinute ?? 3000;
  const burst = options.burst ?? 300;
  const buckets = new Map<string, Bucket>();
  const refillPerMs = perMinute / 60_000;
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const key = (args.contextValue as GraphContext).session?.apiKeyId;
      if (perMinute <= 0 || !key) return;
      const now = Date.now();
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size > 100_000) buckets.clear();
        bucket = { tokens: burst, updated: now };
        buckets.set(key, bucket);
      }
      bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updated) * refillPerMs);
      bucket.updated = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return;
      }
      const retryAfterSeconds = Math.ceil((1 - bucket.tokens) / refillPerMs / 1000);
      setResultAndStopExecution({
        errors: [
          new GraphQLError(`Rate limit exceeded: ${perMinute} operations per minute per API key. Retry in ${retryAfterSeconds} s.`, {
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds },
          }),
        ],
      });
    },
  };
}
