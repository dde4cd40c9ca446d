// Events, hooks and subscribers: how a plugin reacts to what the core and other plugins do. Hooks run inside the
// command's transaction (and can veto it); subscribers run after commit, durably, with retries.
import type { CrmEventMap, CrmEventType, DriftedPayloads } from '@crm/core';
import type { z } from 'zod';
import type { HandlerScope } from './handler-scope.js';
import type { SubscriberInterest } from './interest.js';
import type { PluginLock } from './plugin-lock.js';

/** An event as a subscriber receives it (after commit). `payload` is typed by the event map. */
export interface DeliveredEvent<K extends CrmEventType = CrmEventType> {
  /** Stable across re-deliveries: the key of idempotency. */
  id: string;
  type: K;
  workspaceId: string;
  subjectType: string;
  subjectId: string;
  actor: string;
  /**
   * The actor that began the causal chain this event is part of, when a subscriber emitted it while handling another
   * event, or a queue item queued while handling one (stamped by the host, through any number of plugins); null when
   * the event began a chain. With `actor`, a plugin tells a change that its own work set off, however indirectly (the
   * workflows plugin's guards).
   */
  causedBy: string | null;
  /** Hops (subscribers, queue items) since the chain began (0 when `causedBy` is null). */
  chainDepth: number;
  occurredAt: Date;
  payload: CrmEventMap[K];
}

/** `emit`, narrowed to the plugin's own event types (the keys of its `events`): a core event does not type-check. */
export type OwnEmit<Event extends string> = <K extends Extract<CrmEventType, Event>>(
  type: K,
  subject: { type: string; id: string },
  payload: CrmEventMap[K],
) => void;

/**
 * What a subscriber gets besides the event: one transaction of its own (its writes and its "processed" mark commit
 * together), as the plugin's system actor (`session.actor` is `plugin:<id>`, role ADMIN, in the event's workspace).
 */
export interface SubscriberContext<Settings, Event extends string = string> extends HandlerScope<Settings, Event> {
  /** 1 on the first try; the host retries a throwing subscriber with backoff. */
  attempt: number;
  /**
   * The events delivered to this subscriber in this one transaction, in order, this one among them (the host
   * delivers the events of a workspace that arrive together in one transaction): a subscriber may read what they
   * all need at once, on the first of them, instead of once per event.
   */
  batch: readonly DeliveredEvent[];
  /**
   * A transaction-scoped lock on `key` in this plugin and workspace (see `plugin.run`'s `lock`). The `sql` and `rows`
   * statements called after it run after it even when it is not awaited first: a read under the lock can be sent with
   * it, in one round trip (its snapshot is taken once the lock is held).
   */
  lock: PluginLock;
  /**
   * The same transaction handling `event`, one of `batch`: what its `emit`, `commands`, `objects`, `actions` cause,
   * and the queue items its `rows` insert, continue **that** event's causal chain. A subscriber that does the batch's
   * work once (on its last event) does each event's part through it, so that every change stays in the chain that
   * caused it (done through this context, all of it would be the last event's). No statement.
   */
  inChainOf(event: DeliveredEvent): ChainedContext<Event>;
}

/** A subscriber's transaction in another event's causal chain (`SubscriberContext.inChainOf`). */
export type ChainedContext<Event extends string = string> = Pick<SubscriberContext<unknown, Event>, 'emit' | 'commands' | 'objects' | 'actions' | 'rows' | 'session'>;

/** Runs after commit, asynchronously. Throwing retries it; it never fails the command that caused the event. */
export type Subscriber<K extends CrmEventType, Settings, Event extends string = string> = (
  event: DeliveredEvent<K>,
  context: SubscriberContext<Settings, Event>,
) => Promise<void>;

/** An event a command is about to commit (hooks see it before commit, so it has no id yet). */
export interface PendingEventOf<K extends CrmEventType> {
  type: K;
  subjectType: string;
  subjectId: string;
  payload: CrmEventMap[K];
}

/** What a hook gets: the command's own transaction (`commands` in it: their events are not hooked again). */
export type HookContext<Settings, Event extends string = string> = HandlerScope<Settings, Event>;

/**
 * Runs inside the core command's transaction, before commit, once per matching event the command emitted. Throw a
 * `CrmError` (e.g. `veto('CREDIT_HOLD', '…')`, `badInput`, `conflict`) to veto: the command rolls back and the client
 * gets its code, `extensions.reason` (with `veto`) and `extensions.plugin`. Anything else it throws (a bug) fails the
 * command with `PLUGIN_FAILED` naming the plugin and the hook.
 */
export type Hook<K extends CrmEventType, Settings, Event extends string = string> = (event: PendingEventOf<K>, context: HookContext<Settings, Event>) => Promise<void>;

/**
 * A subscriber with its interest (see {@link SubscriberInterest}): the host delivers only the events the workspace's
 * interest names, e.g. `{ '*': { startWorkflows: { handle, interest: { of, changedBy } } } }`.
 */
export interface SubscriberWithInterest<K extends CrmEventType, Settings, Event extends string = string> {
  handle: Subscriber<K, Settings, Event>;
  interest: SubscriberInterest;
}

/** A subscriber: its function, or its function and its interest. */
export type SubscriberDefinition<K extends CrmEventType, Settings, Event extends string = string> = Subscriber<K, Settings, Event> | SubscriberWithInterest<K, Settings, Event>;

/** Named functions per event type, e.g. `{ 'order.recorded': { earnPoints: async (event, ctx) => … } }`. */
export type SubscriberMap<Settings, Event extends string = string> = { [K in CrmEventType]?: Record<string, SubscriberDefinition<K, Settings, Event>> } & {
  /** Every event of every type (core's and every plugin's): automation that reacts to whatever happens. */
  '*'?: Record<string, SubscriberDefinition<CrmEventType, Settings, Event>>;
};
export type HookMap<Settings, Event extends string = string> = { [K in CrmEventType]?: Record<string, Hook<K, Settings, Event>> };

/** An event the plugin publishes. Its payload type comes from declaration merging into `CrmEventMap`. */
export interface PublishedEvent {
  /** The type of the row the event is about (a Node type of the schema, e.g. `LoyaltyAccount`). */
  subject: string;
  description?: string;
  /**
   * What its payload holds, a zod object (`z.object({ customerId: z.uuid(), points: z.number() })`): readers type
   * their reads by it ahead (a workflow's `{{trigger.event.payload.points}}` is checked at publish: a key it does not
   * declare is refused, naming those it does; `points` is a number), and the host parses what the plugin emits with it
   * (a payload it refuses fails the emitting transaction: PLUGIN_FAILED, `extensions.reason` EVENT_PAYLOAD_MISMATCH,
   * nothing kept — a key it does not declare too, named in the message). Its type should be the event's
   * `CrmEventMap` type. Only the top level is made strict: a nested object refuses keys it does not declare when
   * declared with `z.strictObject`.
   * @default none: untyped, any path passes a reader's check, and what is emitted is not checked
   */
  payload?: z.ZodObject;
  /**
   * Who reads the event (the `events` query and subscription, histories, webhooks): one of the plugin's declared
   * `permissions` (its holders), or a role (`'MEMBER'`: MEMBER and ADMIN keys). An event about a declared object
   * also needs that object's read. Payloads often say what only the plugin's managers should see.
   * @default 'ADMIN'
   */
  read?: string;
}

/**
 * The events among a plugin's `events` whose declared `payload`'s type is not their `CrmEventMap` type (either way):
 * `const drifted: { [K in DriftedEventPayloads<typeof myEvents>]: 'differs' } = {};` compiles only when there are none.
 */
export type DriftedEventPayloads<Events> = DriftedPayloads<
  { [K in keyof Events as Events[K] extends { payload: z.ZodType } ? K : never]: Events[K] extends { payload: infer S extends z.ZodType } ? S : never },
  CrmEventMap
>;

/** Retry policy of a plugin's subscribers. */
export interface DeliveryPolicy {
  /** Tries before a delivery is recorded as FAILED. @default 5 */
  attempts?: number;
  /** Wait before the second try; doubles at each further try. @default 200 */
  backoffMs?: number;
}
