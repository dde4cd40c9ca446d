import { type CommandRunner, disableFailingWebhook, type EventReaders, type ObjectCatalog, systemSession } from '@crm/core';
import type { SqlSession } from '@crm/db';
import { describeError, type Logger } from '../logger.js';
import { type AttemptResult, type FailureStreak, recordAttemptResults, retryOnDeadlock } from './attempt-results.js';
import { DeliveryAudience } from './delivery-audience.js';
import { claimDueDeliveries, type ClaimedDelivery, dropDeliveries, enqueueDeliveries, pruneDeliveryLog, workspacesWithWebhooks } from './delivery-queue.js';
import { postWebhook } from './http-post.js';
import { resolveWebhookOptions, type ResolvedWebhookDeliveryOptions, type WebhookDeliveryOptions } from './options.js';
import { webhookRequest } from './request.js';
import { retryDelayMs } from './retry-delay.js';
import { gatedSql } from './sql-gate.js';

export interface WebhookDispatcherDeps {
  sql: SqlSession;
  /** Runs the command that disables a failing webhook (and records `webhook.disabled`). */
  runner: CommandRunner;
  logger: Logger;
  /** The schema's objects, for the permissions of the role each webhook delivers as (read when delivering). */
  catalog: () => ObjectCatalog;
  /** Who reads the plugins' events: a webhook's role that does not read one is not sent it. @default none */
  eventReaders?: EventReaders;
}

/** Webhooks and events looked at per statement. */
const ENQUEUE_LIMITS = { webhooks: 50, events: 500 };
/** Enqueue statements per round at most (a big backlog is worked through over several rounds). */
const MAX_ENQUEUE_PASSES = 20;
/** Statements the dispatcher runs at once, at most: the connection pool is the API's too. */
const MAX_CONCURRENT_STATEMENTS = 2;
/** How often old entries of the delivery log are deleted. */
const PRUNE_EVERY_MS = 3600_000;

/**
 * The delivery worker of one gateway process. It wakes when this process commits events, when an attempt ends, when
 * a retry falls due, and on a timer (events committed by other instances, leases that ran out); each round turns
 * new events into deliveries and sends what is due, at most `concurrency` at a time. Several instances can run it
 * on one database: the queue's row locks and leases give each attempt to exactly one of them.
 */
export class WebhookDispatcher {
  readonly options: ResolvedWebhookDeliveryOptions;
  /** What this process has done since it started (metrics, tests). */
  readonly stats = { attempts: 0, delivered: 0, failed: 0 };
  private timer: NodeJS.Timeout | null = null;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private round: Promise<void> | null = null;
  private again = false;
  /** The next round looks for new events (a commit, the timer); otherwise it only claims due deliveries. */
  private lookForEvents = true;
  /** The next round re-reads which workspaces have webhooks (the timer, a webhook.* event). */
  private refreshActive = true;
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Attempts in flight in this process, per webhook. */
  private readonly busy = new Map<string, number>();
  /** Workspaces with enabled webhooks as of the last round; null until known (then every commit wakes). */
  private activeWorkspaces: Set<string> | null = null;
  private lastPrune = 0;
  /** Results waiting to be recorded; each attempt ends when its result is. */
  private results: { result: AttemptResult; recorded: () => void }[] = [];
  private recording: Promise<void> | null = null;

  private readonly deps: WebhookDispatcherDeps;
  private readonly audience: DeliveryAudience;

  constructor(deps: WebhookDispatcherDeps, options: WebhookDeliveryOptions = {}) {
    this.deps = { ...deps, sql: gatedSql(deps.sql, MAX_CONCURRENT_STATEMENTS) };
    this.audience = new DeliveryAudience(deps.catalog, deps.eventReaders);
    this.options = resolveWebhookOptions(options);
  }

  /** Starts working (no-op when `worker` is off). */
  start(): void {
    if (!this.options.worker || this.running) return;
    this.running = true;
    this.timer = setInterval(() => {
      this.refreshActive = true;
      this.wake();
    }, this.options.pollIntervalMs);
    this.timer.unref();
    this.wake();
  }

  /**
   * Called with the events this process just committed: wakes the worker when one of them can concern a webhook.
   * (The timer catches anything this misses, e.g. a webhook created on another instance a moment ago.)
   */
  notifyCommitted(events: readonly { workspaceId: string; type: string }[]): void {
    if (events.some((event) => event.type.startsWith('webhook.'))) this.refreshActive = true;
    const active = this.activeWorkspaces;
    if (!active || this.refreshActive || events.some((event) => active.has(event.workspaceId))) this.wake();
  }

  /**
   * Asks for a round soon; rounds never overlap (a wake during one runs another after it). `newEvents: false` (an
   * attempt ended, a retry fell due) only claims due deliveries.
   */
  wake(newEvents = true): void {
    if (!this.running) return;
    if (newEvents) this.lookForEvents = true;
    if (this.round) {
      this.again = true;
      return;
    }
    this.round = this.loop().finally(() => {
      this.round = null;
    });
  }

  /** Stops taking work and waits for the attempts in flight (each ends within `timeoutMs`). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    await this.round;
    await Promise.all(this.inFlight);
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const look = this.lookForEvents;
      this.lookForEvents = false;
      try {
        if (this.refreshActive) {
          this.refreshActive = false;
          this.activeWorkspaces = new Set(await workspacesWithWebhooks(this.deps.sql));
          if (Date.now() - this.lastPrune >= PRUNE_EVERY_MS) await this.prune();
        }
        for (let pass = 0; look && pass < MAX_ENQUEUE_PASSES; pass++) {
          const { webhooks } = await enqueueDeliveries(this.deps.sql, ENQUEUE_LIMITS);
          if (webhooks === 0) break;
        }
        await this.claimAndSend();
      } catch (error) {
        this.deps.logger.warn('webhook dispatcher round failed', describeError(error));
      }
    } while (this.again && this.running);
  }

  /** Deletes finished deliveries older than `keepDeliveriesForMs`; returns how many. */
  async prune(): Promise<number> {
    this.lastPrune = Date.now();
    const removed = await pruneDeliveryLog(this.deps.sql, this.options.keepDeliveriesForMs);
    if (removed) this.deps.logger.info('webhook delivery log pruned', { removed });
    return removed;
  }

  private async claimAndSend(): Promise<void> {
    const free = this.options.concurrency - this.inFlight.size;
    // Under load, claim in batches (a quarter of the slots at least) rather than one statement per ended attempt.
    if (!this.running || free <= 0 || (this.inFlight.size > 0 && free < Math.ceil(this.options.concurrency / 4))) return;
    // A quarter of the slots per webhook: one slow endpoint cannot hold up every other webhook's deliveries.
    const perWebhook = Math.max(1, Math.floor(this.options.concurrency / 4));
    const claimed = await claimDueDeliveries(this.deps.sql, {
      limit: free,
      perWebhook,
      skipWebhooks: [...this.busy].filter(([, count]) => count >= perWebhook).map(([webhookId]) => webhookId),
      // The lease outlasts the attempt's time limit, so a slow attempt is never taken by another instance meanwhile.
      leaseMs: this.options.timeoutMs + 60_000,
    });
    // Each payload as the webhook's role sees it, decided now (a role changed meanwhile applies to pending deliveries);
    // what the role does not see is not a delivery at all.
    const unseen: string[] = [];
    for (const claim of claimed) {
      const event = this.audience.eventFor(claim);
      if (!event) {
        unseen.push(claim.id);
        continue;
      }
      const delivery = event === claim.event ? claim : { ...claim, event };
      this.busy.set(delivery.webhookId, (this.busy.get(delivery.webhookId) ?? 0) + 1);
      const attempt: Promise<void> = this.attempt(delivery).finally(() => {
        const left = (this.busy.get(delivery.webhookId) ?? 1) - 1;
        if (left > 0) this.busy.set(delivery.webhookId, left);
        else this.busy.delete(delivery.webhookId);
        this.inFlight.delete(attempt);
        this.wake(false);
      });
      this.inFlight.add(attempt);
    }
    // If this fails, the leases run out and the next claim decides again.
    await dropDeliveries(this.deps.sql, unseen).catch((error: unknown) =>
      this.deps.logger.warn('could not drop webhook deliveries the role does not see', { count: unseen.length, ...describeError(error) }),
    );
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const { body, headers } = webhookRequest(delivery);
    const result = await postWebhook(delivery.url, body, headers, {
      ...this.options,
      logger: this.deps.logger,
      origin: { workspaceId: delivery.workspaceId, webhookId: delivery.webhookId },
    });
    this.stats.attempts++;
    const ok = result.error === null && result.status !== null;
    const retryInMs = ok ? null : retryDelayMs(delivery.attempts, this.options.retrySchedule, this.options.jitter);
    if (ok) this.stats.delivered++;
    else {
      this.stats.failed++;
      // The host only: a URL's path or query can carry a token.
      this.deps.logger.info('webhook attempt failed', {
        webhookId: delivery.webhookId, deliveryId: delivery.id, eventType: delivery.eventType, attempt: delivery.attempts,
        host: new URL(delivery.url).host, error: result.error, retryInMs,
      });
      if (retryInMs !== null) this.wakeIn(retryInMs);
    }
    await this.record({
      deliveryId: delivery.id, webhookId: delivery.webhookId, ok, status: result.status, error: ok ? null : result.error ?? 'failed',
      durationMs: result.durationMs, retryInMs,
    });
  }

  /** Queues a result; results that end while a batch is being written go together in the next one. */
  private record(result: AttemptResult): Promise<void> {
    return new Promise((recorded) => {
      this.results.push({ result, recorded });
      this.recording ??= this.writeResults().finally(() => {
        this.recording = null;
      });
    });
  }

  private async writeResults(): Promise<void> {
    while (this.results.length) {
      const batch = this.results.splice(0, 500);
      try {
        const streaks = await retryOnDeadlock(() => recordAttemptResults(this.deps.sql, batch.map((entry) => entry.result)));
        for (const streak of streaks) {
          await this.disableIfFailing(streak).catch((error: unknown) =>
            this.deps.logger.warn('could not disable a failing webhook', { webhookId: streak.webhookId, ...describeError(error) }),
          );
        }
      } catch (error) {
        // Unrecorded attempts stay leased: they are retried when the lease ends (at least once, never lost).
        this.deps.logger.warn('could not record webhook attempts', { count: batch.length, ...describeError(error) });
      }
      for (const entry of batch) entry.recorded();
    }
  }

  private async disableIfFailing(streak: FailureStreak): Promise<void> {
    const { disableAfterFailures, disableAfterFailingForMs } = this.options;
    if (!streak.enabled || streak.consecutiveFailures < disableAfterFailures || streak.failingForMs < disableAfterFailingForMs) return;
    const caller = this.deps.runner.callerFor(systemSession(streak.workspaceId));
    const disabled = await disableFailingWebhook(caller, {
      id: streak.webhookId,
      consecutiveFailures: streak.consecutiveFailures,
      reason: `${streak.consecutiveFailures} failed attempts in a row`,
    });
    if (disabled) this.deps.logger.warn('webhook disabled after repeated failures', { webhookId: streak.webhookId, failures: streak.consecutiveFailures });
  }

  /** A retry due before the next timer tick gets a wake of its own. */
  private wakeIn(ms: number): void {
    if (ms >= this.options.pollIntervalMs) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.wake(false);
    }, ms + 5);
    timer.unref();
    this.retryTimers.add(timer);
  }
}
