// The plugin host's running side as the gateway sees it: what starting it takes (`DeliveryOptions`), what it offers
// (`PluginRuntime`), and the session plugin code runs with. delivery.ts implements it.
import type http from 'node:http';
import type { CommandRunner, RecordedEvent, Session } from '@crm/core';
import type { Notifications, PrismaClient } from '@crm/db';
import type { OutboundHttp } from '../outbound-http.js';
import type { ChainCut } from './chain-bound.js';
import type { HeardChange } from './subscriber-interest.js';

export interface DeliveryOptions {
  runner: CommandRunner;
  prisma: PrismaClient;
  /** Reports a subscriber that failed for good (after its retries). */
  onFailure?: (failure: { plugin: string; subscriber: string; eventType: string; eventId: string; workspaceId: string; error: unknown }) => void;
  /**
   * The host's bound on causal chains: an event whose `chainDepth` is past it reaches no subscriber (chain-bound.ts).
   * @default 32 (`PLUGIN_MAX_CHAIN_DEPTH` in the gateway)
   */
  maxChainDepth?: number;
  /** Reports an event not delivered to a subscriber, its chain past `maxChainDepth`. @default a console warning */
  onChainCut?: (cut: ChainCut) => void;
  /**
   * How long after an event a copy the outbox relay published again waits before it is handed on to the subscribers
   * that have no mark of it (relayed-events.ts: the instance that committed it delivers it meanwhile). @default 30 s
   */
  relayGraceMs?: number;
  /** Overrides every plugin's retry policy (tests shorten the backoff). */
  policy?: { attempts?: number; backoffMs?: number };
  /** Run plugins' jobs on their intervals. @default true */
  jobTimers?: boolean;
  onJobError?: (error: unknown, where: { plugin: string; job: string }) => void;
  /** A job's tick skipped: its last run on this gateway is still going (runs of a job never overlap). @default a console warning */
  onJobSkipped?: (skip: { plugin: string; job: string; runningForMs: number }) => void;
  /** Outgoing HTTP for plugins (the gateway's webhook sender: signed, SSRF policy). @default refuses every request */
  http?: HostOutboundHttp;
  /** Poll plugins' queues (`queues`) in this process. @default true */
  queueWorkers?: boolean;
  /**
   * The database's LISTEN/NOTIFY (PostgreSQL): new queue work wakes every instance's workers at once, and changes of
   * subscribers' interests reach every instance, without the event bus. @default none (the embedded database)
   */
  notifications?: Notifications | null;
  onQueueError?: (error: unknown, where: { plugin: string; queue: string; item: string }) => void;
  onRouteError?: (error: unknown, where: { plugin: string; route: string }) => void;
  /** Limits refused requests to the routes that opt in (`limitRefusals`, routes.ts). @default none (no limit) */
  routeFailures?: RouteFailureLimit;
  /** The address a route request came from (behind trusted proxies: from X-Forwarded-For). @default the socket's */
  clientAddress?: (req: http.IncomingMessage) => string;
}

/** The host's outgoing HTTP: `for(origin)` gives the one a plugin's code gets in a workspace (its refusals logged naming them). */
export type HostOutboundHttp = OutboundHttp & { for?(origin: { plugin: string; workspaceId: string }): OutboundHttp };

/** What a limit on a key answers: go on, or wait this many seconds. */
export type LimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts the refusals (401, 403, 404: a wrong URL token, an unknown workflow or workspace) of the routes that opt in,
 * per plugin, route, workspace and client address, as the gateway's token buckets count operations per API key. Only
 * refusals are charged, once the route has answered: a request the route accepts is never limited, whatever its
 * address did before; a refusal past the limit is answered 429 with Retry-After instead of its own status.
 */
export interface RouteFailureLimit {
  /** Charges one refusal of `key` (always, even past the limit: the overdraft lengthens Retry-After). */
  refused(key: string): Promise<LimitVerdict>;
}

/** The running side of the plugin host inside a gateway. */
export interface PluginRuntime {
  /** Hands committed events to the subscribers (returns at once). */
  dispatch(events: readonly RecordedEvent[]): void;
  /**
   * Committed events the outbox relay published again (another process's, not marked published in time): handed on
   * after `relayGraceMs`, to the subscribers that have no mark of them by then (relayed-events.ts). Returns at once.
   */
  relayed(events: readonly RecordedEvent[]): void;
  /**
   * Committed events heard from other instances (the gateway passes every batch its event bus delivers): the
   * subscribers' interests they change are read again (subscriber-interest.ts). Delivers nothing by itself.
   */
  notice(events: readonly HeardChange[]): void;
  /**
   * Delivers the events of the last `withinMs` that a subscriber has no record of (committed just before a crash,
   * or while this instance was down): the processed records make a repeat harmless. Returns how many it handed on.
   */
  catchUp(withinMs?: number): Promise<number>;
  /**
   * Delivers a plugin's FAILED deliveries in a workspace again (one, by its id, or all of them), each with the
   * plugin's retry policy; resolves when they have finished, with the ids of the deliveries it retried.
   */
  redeliver(workspaceId: string, pluginId: string, deliveryId?: string): Promise<string[]>;
  /** Resolves when every delivery started so far (and those they caused) has finished. */
  settled(): Promise<void>;
  /**
   * Runs a plugin's job now for every workspace (tests, or an operator), as its timer does; resolves with the
   * workspaces it ran for. `budgetMs`: a per-call job's budget for this run (default half its interval; tests give a
   * small one to see the run stop and the next one go on where it stopped).
   */
  runJob(pluginId: string, job: string, now?: Date, run?: { budgetMs?: number }): Promise<number>;
  /** Claims and handles one round of every plugin queue's due rows now; resolves with how many it handled. */
  drainQueues(): Promise<number>;
  /** Serves plugins' routes (`POST /plugins/<plugin>/<route>/<workspaceId>/…`); false when the request is not one. */
  route(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean>;
  /** Stops retrying and the job timers, and waits for deliveries in flight. */
  stop(): Promise<void>;
}

/** The subscriber's own session: `plugin:<id>` acting as ADMIN in the event's workspace. */
export const pluginSession = (workspaceId: string, pluginId: string): Session => ({ workspaceId, role: 'ADMIN', actor: `plugin:${pluginId}` });
