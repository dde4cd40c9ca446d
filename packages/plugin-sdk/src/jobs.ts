// Background work of a plugin: periodic jobs run per workspace, and durable queues shared by every gateway instance.
import type { HandlerScope } from './handler-scope.js';
import type { OutboundHttp } from './outbound-http.js';
import type { PluginLock } from './plugin-lock.js';

/** What a job gets, once per workspace and run: one transaction in that workspace, as the plugin's actor. */
export interface JobContext<Settings, Event extends string = string> extends HandlerScope<Settings, Event> {
  workspaceId: string;
  /**
   * The time of this run: the database's (`statement_timestamp()` of the transaction's first statement, the host's job
   * lock), not the gateway's clock, so that what the job compares with or writes as due times agrees with `now()` in
   * SQL however the gateway's clock is skewed. A per-call job's transactions each have their own.
   */
  now: Date;
  /**
   * A transaction-scoped lock on `key` in this plugin and workspace (see `plugin.run`'s `lock`). The `sql` and `rows`
   * statements called after it run after it even when it is not awaited first: a read under the lock can be sent with
   * it, in one round trip (its snapshot is taken once the lock is held).
   */
  lock: PluginLock;
}

/** One unit of durable work a queue hands to its handler. */
export interface QueueItem {
  id: string;
  workspaceId: string;
  /** How many times the item has been claimed, this time included: above 1 after a crash or a lost lease. */
  claims: number;
  /** The row's `group` column as text (`QueueDefinition.group`), read by the claim; absent when the queue has none. */
  group?: string | null;
  /**
   * The causal chain the item continues (its model's `causedBy` and `chainDepth` columns, read by the claim): the
   * actor that began it, null when the item began none (queued outside a chain, or its model stores none).
   */
  causedBy: string | null;
  /** Hops since the chain began (0 when `causedBy` is null): what the item's events carry. */
  chainDepth: number;
}

/** What a queue's handler gets: transactions in the item's workspace, and outgoing HTTP. */
export interface QueueContext<Settings, Event extends string = string> {
  workspaceId: string;
  now: Date;
  /**
   * One transaction in the workspace as `plugin:<id>` (or `plugin:<id>:<actor>` with `options.actor`, so that the
   * plugin can tell its own changes apart in the events it receives), with the core's commands, other plugins'
   * actions, records and the plugin's settings. Events are published after commit.
   */
  transaction<T>(fn: (scope: QueueTransaction<Settings, Event>) => Promise<T>, options?: { actor?: string }): Promise<T>;
  http: OutboundHttp;
  /**
   * Tells the host's error report (the gateway's log, as a failed item's error) of an error the handler got over — a
   * side task after a commit whose work a fallback redoes — without failing the item or throwing. The report names the
   * items the handler was given; `about` names the one(s) it concerns instead (an item of a batch).
   */
  report(error: unknown, about?: string | readonly string[]): void;
}

export interface QueueTransaction<Settings, Event extends string = string> extends JobContext<Settings, Event> {
  /**
   * The same transaction acting as `plugin:<id>:<actor>`: the events its commands, actions and `emit` cause name that
   * actor (as `transaction`'s `options.actor` does for a whole transaction), so that a batch of items done in one
   * transaction (`handleBatch`) still says which item caused which change. With `chainDepth` (above 0), the actor
   * begins its events' chain at that depth (`causedBy` the actor itself): for work that counts its own depth, as a
   * workflow run does, so that what reacts to its changes — and the deepest of several chains — sees how deep it is.
   * The transaction keeps it for that actor: a core command's item naming the actor (`items[].actor`) acts at it too.
   */
  actingAs(actor: string, options?: ActingOptions): ActingScope<Event>;
}

/** How a queue transaction acts as another actor (`QueueTransaction.actingAs`). */
export interface ActingOptions {
  /** The depth of the chain the actor's events begin (0 or absent: a new chain, `causedBy` null). */
  chainDepth?: number;
}

/** What acts as another actor in a queue transaction (`QueueTransaction.actingAs`). */
export type ActingScope<Event extends string = string> = Pick<JobContext<unknown, Event>, 'emit' | 'commands' | 'objects' | 'actions' | 'session'>;

/**
 * Durable work shared by every gateway instance: rows of one of the plugin's own models that carry `dueAt`
 * (timestamptz, null when there is nothing to do) and `claims` (int). Each instance claims due rows with
 * `FOR UPDATE SKIP LOCKED`, moves their `dueAt` a lease ahead and counts the claim, then hands them to `handle`;
 * the handler sets `dueAt` (null when done, a time to come back). A row whose handler died (kill -9) is due again
 * when its lease ends, with `claims` above 1. Instances are woken after the plugin's subscribers commit.
 *
 * Causal chains: a model that also has `causedBy String?` and `chainDepth Int?` columns keeps the chain its items were
 * queued in. A row inserted through `rows` while handling an event (a subscriber, a hook) gets that event's chain one
 * hop further, as the events emitted there do; one inserted in a queue item's transaction gets the item's chain
 * (outside a chain — a route, a job — none; `newChain: true` on the insert begins a new one). What the item's
 * transaction then emits continues that chain at its depth, so a loop through a queue and events is traced and cut by
 * the host's bound (`PLUGIN_MAX_CHAIN_DEPTH`) like one through subscribers: an item past the bound still runs, its
 * events reach no subscriber. (An item that queues the next item itself, with no event between, keeps its depth: such
 * a loop is the plugin's own, and not cut by the host.) A batch's transaction (`handleBatch`) carries the deepest chain of its items (ties: the `causedBy`
 * that sorts last).
 */
export interface QueueDefinition<Settings, Event extends string = string> {
  /** The plugin's model (in its fragment) with `dueAt` and `claims` columns. */
  model: string;
  /**
   * A column of the model the claim returns with each row (`QueueItem.group`, as text), e.g. the run a step belongs to:
   * a handler that locks per group (`lock([...])`) needs no read of its own to know which.
   */
  group?: string;
  /** How long a claimed row stays away from other instances. @default 60000 */
  leaseMs?: number;
  /** How often an idle instance looks for due rows. @default 1000 */
  pollMs?: number;
  /** Rows claimed at once, and handled concurrently, per worker. @default 16 */
  batch?: number;
  /**
   * Batches an instance works on at once (they never share a row). An instance claims one batch at a time (a wake
   * during a claim asks for one more after it, not another claim at once), one per free worker while the queue is
   * behind (its last claim came back full). @default 1
   */
  workers?: number;
  /**
   * Its rows are handled in a workspace where the plugin is switched off too (otherwise they are put off until it is
   * switched on): work that must happen whatever the switch, such as deleting personal data once its time is over.
   * There, the handler cleans up its own rows only (`tx`, `rows`, `sql`): `http`, `emit`, `commands`, `actions`,
   * `objects` and `actingAs` throw PluginSwitchedOffError. @default false
   */
  whileSwitchedOff?: boolean;
  handle(item: QueueItem, context: QueueContext<Settings, Event>): Promise<void>;
  /**
   * Several rows of one workspace claimed together (two or more), for a plugin that can do them in one transaction
   * (one commit, one read of what they share); without it each goes to `handle`. It must see to every item: those
   * it cannot do together it hands to `handle` itself.
   */
  handleBatch?(items: readonly QueueItem[], context: QueueContext<Settings, Event>): Promise<void>;
}

/**
 * What a job declared with `transaction: 'per-call'` gets, once per workspace and run: no transaction of its own, but
 * `transaction(fn)` to open one (committed when `fn` resolves), as often as it needs — work in committed batches, each
 * short (its locks held only that long), each seen by others as soon as it is done.
 */
export interface JobCallsContext<Settings, Event extends string = string> {
  workspaceId: string;
  /**
   * The time of this run in the workspace: the database's, as its first `transaction` call's context has it (the same
   * for every later call; each call's context also has its own). Read it inside a `transaction` callback: read before
   * the first call has begun, it throws (no time is known yet).
   */
  readonly now: Date;
  /**
   * One transaction in the workspace as the plugin's actor (the context a `run` in one transaction gets, settings read
   * again). Each call takes the job's lock for the workspace, as the one transaction does: when another gateway holds it
   * (it is running the job on this workspace between two of its calls) or the plugin was switched off meanwhile, the call
   * throws a signal the host takes as "stop here" — let it through (do not catch it): the run ends for this workspace, not
   * as an error. So does a call after the workspace's first once the run's budget is spent (half the job's interval,
   * across all workspaces): loop until the work is done, and the host ends the run in time; its next run starts with
   * the workspaces this one did not reach.
   */
  transaction<T>(fn: (scope: JobContext<Settings, Event>) => Promise<T>): Promise<T>;
}

/** A periodic task (expiry, recomputation), run by the gateway for every workspace. */
export type JobDefinition<Settings, Event extends string = string> = OneTransactionJob<Settings, Event> | TransactionPerCallJob<Settings, Event>;

/** The default: the whole run of the job in a workspace is one transaction. */
export interface OneTransactionJob<Settings, Event extends string = string> {
  /** Interval between runs, in milliseconds (at least 1,000). */
  everyMs: number;
  transaction?: 'one';
  run(context: JobContext<Settings, Event>): Promise<void>;
}

/**
 * A job that commits as it goes (`context.transaction(fn)` per batch): long work without one long transaction. A run
 * spends at most about half the interval across workspaces (then stops between calls; the next run goes on with the
 * workspaces it did not reach), and a run never starts while the last one on the gateway is still going.
 */
export interface TransactionPerCallJob<Settings, Event extends string = string> {
  /** Interval between runs, in milliseconds (at least 1,000). */
  everyMs: number;
  transaction: 'per-call';
  run(context: JobCallsContext<Settings, Event>): Promise<void>;
}
