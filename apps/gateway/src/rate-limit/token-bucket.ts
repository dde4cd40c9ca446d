import { once } from 'node:events';
import { Redis } from 'ioredis';
import { describeError, type Logger } from '../logger.js';

/** What one operation's token costs: allowed, or refused with the seconds until a token is back. */
export type TokenVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** A token bucket per key: `burst` tokens at most, refilled at `refillPerMs`. */
export interface TokenBuckets {
  take(key: string): Promise<TokenVerdict>;
  /**
   * Takes a token whatever is left, down to -burst: the verdict is `take`'s, but concurrent charges past the limit
   * each subtract (none slips through between a look and a take) and Retry-After grows with the overdraft
   * (limits that count only some requests, after the fact: route-failures.ts).
   */
  charge(key: string): Promise<TokenVerdict>;
  /** Resolves once the buckets are shared (connected to Redis); at once for in-memory ones. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface BucketShape {
  burst: number;
  refillPerMs: number;
}

function verdict(tokensLeft: number, allowed: boolean, shape: BucketShape): TokenVerdict {
  if (allowed) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokensLeft) / shape.refillPerMs / 1000)) };
}

/** Buckets in this process' memory: each gateway instance counts its own traffic. */
export class MemoryTokenBuckets implements TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();
  constructor(private readonly shape: BucketShape) {}

  take(key: string): Promise<TokenVerdict> {
    return Promise.resolve(this.takeNow(key));
  }

  charge(key: string): Promise<TokenVerdict> {
    return Promise.resolve(this.takeNow(key, true));
  }

  takeNow(key: string, overdraw = false): TokenVerdict {
    const now = Date.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      // Bounded memory: a flood of distinct keys resets the table rather than growing it without end.
      if (this.buckets.size > 100_000) this.buckets.clear();
      bucket = { tokens: this.shape.burst, updated: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.shape.burst, bucket.tokens + (now - bucket.updated) * this.shape.refillPerMs);
    bucket.updated = now;
    const allowed = bucket.tokens >= 1;
    if (allowed || overdraw) bucket.tokens = Math.max(-this.shape.burst, bucket.tokens - 1);
    return verdict(bucket.tokens, allowed, this.shape);
  }

  async ready(): Promise<void> {}

  async close(): Promise<void> {}
}

// One round trip, atomic in Redis (ARGV[3] '1': charge, overdrawing down to -burst); Redis' own clock, so instances with skewed clocks agree. Returns
// {allowed (0/1), tokens left as a string} (a Lua number reply would be truncated to an integer).
const TAKE_TOKEN = `
local burst = tonumber(ARGV[1])
local refill = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or burst
local updated = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - updated) * refill)
local allowed = 0
if tokens >= 1 then allowed = 1 end
if allowed == 1 or ARGV[3] == '1' then tokens = math.max(-burst, tokens - 1) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / refill) + 1000)
return {allowed, tostring(tokens)}
`;

interface WithTakeToken {
  crmTakeToken(key: string, burst: number, refillPerMs: number, overdraw: '0' | '1'): Promise<[number, string]>;
}

export interface RedisTokenBucketsOptions {
  url: string;
  /** Key prefix shared with the event bus' channel prefix. @default "crm:" */
  prefix?: string;
  logger: Logger;
  /** How long a check may wait for Redis before this instance counts on its own. @default 500 */
  timeoutMs?: number;
}

/**
 * Buckets in Redis, shared by every gateway instance on it: a key's limit holds whatever instance its requests
 * reach. When Redis does not answer, the instance falls back to its own in-memory buckets (the limit then holds per
 * instance) rather than refusing or letting everything through.
 */
export class RedisTokenBuckets implements TokenBuckets {
  private readonly redis: Redis;
  private readonly fallback: MemoryTokenBuckets;
  private readonly prefix: string;
  private lastError = '';

  constructor(
    private readonly shape: BucketShape,
    private readonly options: RedisTokenBucketsOptions,
  ) {
    this.prefix = `${options.prefix ?? 'crm:'}ratelimit:`;
    this.fallback = new MemoryTokenBuckets(shape);
    this.redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs ?? 500,
      retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
    });
    this.redis.defineCommand('crmTakeToken', { numberOfKeys: 1, lua: TAKE_TOKEN });
    this.redis.on('error', (error: Error) => this.warn(error));
  }

  take(key: string): Promise<TokenVerdict> {
    return this.run(key, false);
  }

  charge(key: string): Promise<TokenVerdict> {
    return this.run(key, true);
  }

  private async run(key: string, overdraw: boolean): Promise<TokenVerdict> {
    try {
      const [allowed, tokens] = await (this.redis as unknown as WithTakeToken).crmTakeToken(this.prefix + key, this.shape.burst, this.shape.refillPerMs, overdraw ? '1' : '0');
      this.lastError = '';
      return verdict(Number(tokens), allowed === 1, this.shape);
    } catch (error) {
      this.warn(error as Error);
      return this.fallback.takeNow(key, overdraw);
    }
  }

  async ready(): Promise<void> {
    if (this.redis.status !== 'ready') await once(this.redis, 'ready');
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private warn(error: Error): void {
    if (error.message === this.lastError) return;
    this.lastError = error.message;
    this.options.logger.warn('rate limit: Redis unavailable, counting per instance', describeError(error));
  }
}
