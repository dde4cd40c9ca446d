import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { RecordedEvent } from '@crm/core';
import { Redis } from 'ioredis';
import { describeError, type Logger } from '../logger.js';
import { type EventBus, type EventListener, InProcessEventBus } from './event-bus.js';

export interface RedisEventBusOptions {
  /** `redis://…` (the `REDIS_URL` environment variable). */
  url: string;
  /** Prefix of the pub/sub channel, so several deployments (or tests) can share one Redis. @default "crm:" */
  channelPrefix?: string;
  logger: Logger;
  /** How long a publish may wait for Redis before the events are left to the outbox relay. @default 2000 */
  publishTimeoutMs?: number;
  /** Sees every batch delivered to this instance's subscribers (metrics). Must not throw. */
  onDelivered?: (events: readonly RecordedEvent[]) => void;
}

/** Reads the Redis settings from the environment: `REDIS_URL`, optional `REDIS_CHANNEL_PREFIX`. */
export function redisOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<RedisEventBusOptions, 'url' | 'channelPrefix'> | undefined {
  const url = env.REDIS_URL?.trim();
  if (!url) return undefined;
  const channelPrefix = env.REDIS_CHANNEL_PREFIX?.trim();
  return channelPrefix ? { url, channelPrefix } : { url };
}

interface WireEvent extends Omit<RecordedEvent, 'seq' | 'occurredAt'> {
  seq: string;
  occurredAt: string;
}
interface WireMessage {
  /** The publishing instance: it has delivered to its own subscribers already. */
  origin: string;
  events: WireEvent[];
}

const reconnectDelay = (attempt: number) => Math.min(100 * attempt, 2000);

/**
 * Events across gateway instances through Redis pub/sub. Each instance holds two connections (Redis needs a
 * dedicated one for subscribing) and ONE channel subscription, whatever its number of subscribers; it fans out
 * locally through an {@link InProcessEventBus}.
 *
 * Own events are delivered locally at once and published for the other instances. When Redis is unreachable
 * `publish` rejects (nothing is queued in memory), so the events stay in the outbox until the relay gets them
 * through; when the subscribing connection comes back, every local subscriber catches up from the table, which
 * covers what was published while this instance was not listening.
 */
export class RedisEventBus implements EventBus {
  private readonly local: InProcessEventBus;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;
  private readonly origin = randomUUID();
  private readonly logger: Logger;
  private everSubscribed = false;
  private subscribed: Promise<void>;
  private markSubscribed: () => void = () => {};
  private lastError = '';

  constructor(options: RedisEventBusOptions) {
    this.logger = options.logger;
    this.local = new InProcessEventBus((error) => this.logger.error('event listener failed', describeError(error)), options.onDelivered);
    this.channel = `${options.channelPrefix ?? 'crm:'}events`;
    this.subscribed = new Promise((resolve) => (this.markSubscribed = resolve));
    // No offline queue on the publishing side: a publish while Redis is away fails fast instead of piling up.
    this.publisher = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.publishTimeoutMs ?? 2000,
      retryStrategy: reconnectDelay,
    });
    // Subscribed by hand on every (re)connection, so the catch-up runs only once the subscription is in place.
    this.subscriber = new Redis(options.url, { autoResubscribe: false, retryStrategy: reconnectDelay, maxRetriesPerRequest: null });
    this.subscriber.on('message', (_channel: string, message: string) => this.receive(message));
    this.subscriber.on('ready', () => void this.resubscribe());
    for (const connection of [this.publisher, this.subscriber]) connection.on('error', (error: Error) => this.onError(error));
  }

  /** Resolves once this instance listens on the channel and can publish (tests wait for it). */
  async ready(): Promise<void> {
    await this.subscribed;
    if (this.publisher.status !== 'ready') await once(this.publisher, 'ready');
  }

  /** Whether both connections to Redis are up (false from the moment a connection is seen to drop). */
  get connected(): boolean {
    return this.publisher.status === 'ready' && this.subscriber.status === 'ready';
  }

  async publish(events: readonly RecordedEvent[]): Promise<void> {
    if (!events.length) return;
    this.local.deliver(events);
    const message: WireMessage = {
      origin: this.origin,
      events: events.map((event) => ({ ...event, seq: event.seq.toString(), occurredAt: event.occurredAt.toISOString() })),
    };
    await this.publisher.publish(this.channel, JSON.stringify(message));
  }

  subscribe(workspaceId: string, listener: EventListener): () => void {
    return this.local.subscribe(workspaceId, listener);
  }

  get subscriberCount(): number {
    return this.local.subscriberCount;
  }

  async close(): Promise<void> {
    // disconnect, not quit: quit would wait for a Redis that may be gone.
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private async resubscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      this.onError(error as Error);
      return;
    }
    if (this.everSubscribed) {
      this.logger.info('redis event bus reconnected: subscribers catch up from the event table');
      this.local.catchUp();
    }
    this.everSubscribed = true;
    this.lastError = '';
    this.markSubscribed();
  }

  private receive(message: string): void {
    let parsed: WireMessage;
    try {
      parsed = JSON.parse(message) as WireMessage;
    } catch {
      this.logger.warn('redis event bus: ignoring a message that is not JSON', { channel: this.channel });
      return;
    }
    if (parsed.origin === this.origin) return;
    this.local.deliver(parsed.events.map((event) => ({ ...event, seq: BigInt(event.seq), occurredAt: new Date(event.occurredAt) })));
  }

  /** ioredis reports every failed reconnection attempt: log each distinct error once. */
  private onError(error: Error): void {
    if (error.message === this.lastError) return;
    this.lastError = error.message;
    this.logger.warn('redis event bus: connection problem (events wait in the outbox)', describeError(error));
  }
}
