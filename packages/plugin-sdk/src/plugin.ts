// A validated plugin as hosts see it: what `definePlugin` returns, its typed functions wrapped into entries that a
// host calls alike for every plugin, and the services the host shares with them.
import type { Caller, CommandScope, CrmEventType, EventCause, ObjectDeclaration, Permissions } from '@crm/core';
import type { Builder } from '@crm/graph';
import type { ActionInfo } from './actions.js';
import type { EventCatalog } from './event-catalog.js';
import type { SeedContext, PermissionDefinition } from './definition.js';
import type { DeliveredEvent, DeliveryPolicy, HookContext, PendingEventOf, PublishedEvent, SubscriberContext } from './events.js';
import type { WrapperBuilt } from './handler-scope.js';
import type { FieldInQuestion, FieldUsersHandler, HostFieldRenameContext, HostObjectRenameContext, ObjectRename } from './field-users.js';
import type { ActingOptions, JobContext, QueueItem, QueueTransaction } from './jobs.js';
import type { EventInterest } from './interest.js';
import type { OutboundHttp } from './outbound-http.js';
import type { RawQueryRunner } from './plugin-sql.js';
import type { RecordAccess } from './record-access.js';
import type { PluginRequest, PluginResponse } from './routes.js';

/** What the host shares with every plugin: records of the composed object model, the actions, outgoing HTTP. */
export interface HostServices {
  readonly objects: RecordAccess;
  readonly actions: readonly ActionEntry[];
  /** The event types the host knows: core's and the installed plugins' declared ones, with their subject. */
  readonly events: EventCatalog;
}

/** An action as the host calls it (input parsed, settings parsed, the plugin's scope added by `definePlugin`). */
export interface ActionEntry extends ActionInfo {
  /** `permissions`: the role it is called `as` (its tools are bounded by them), the caller's when it has some. */
  run(input: unknown, context: HostContext<HookContext<unknown>> & { permissions?: Permissions }): Promise<Record<string, unknown>>;
}

export interface QueueEntry {
  readonly name: string;
  readonly model: string;
  /** The column the claim returns as `QueueItem.group`, or null. */
  readonly group: string | null;
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly batch: number;
  readonly workers: number;
  /** Handled in a workspace where the plugin is switched off too (QueueDefinition.whileSwitchedOff). */
  readonly whileSwitchedOff: boolean;
  handle(item: QueueItem, context: HostQueueContext): Promise<void>;
  handleBatch?(items: readonly QueueItem[], context: HostQueueContext): Promise<void>;
}

/** The queue context as the host builds it: transactions get the plugin's scope from `definePlugin`'s wrapper. */
export interface HostQueueContext {
  workspaceId: string;
  now: Date;
  transaction<T>(fn: (scope: HostContext<QueueTransaction<unknown>>) => Promise<T>, options?: { actor?: string }): Promise<T>;
  http: OutboundHttp;
  report(error: unknown, about?: string | readonly string[]): void;
}

/** A route as the host serves it. */
export interface RouteEntry {
  readonly name: string;
  readonly maxBodyBytes: number;
  /** Refusals (401, 403, 404) counted per client address by the host's limit (429 past it). */
  readonly limitRefusals: boolean;
  handle(request: PluginRequest, context: HostRouteContext): Promise<PluginResponse>;
}

/** The route context as the host builds it (the plugin's scope added by `definePlugin`'s wrapper). */
export interface HostRouteContext {
  workspaceId: string;
  now: Date;
  transaction<T>(fn: (scope: HostContext<QueueTransaction<unknown>>) => Promise<T>, options?: { actor?: string }): Promise<T>;
  wake(): void;
}

/** A panel as the host serves it. */
export interface DashboardPanelEntry {
  readonly id: string;
  readonly title: string;
  readonly slot: 'customer';
  /** Absolute path of the module file. */
  readonly file: string;
}

/**
 * A validated, frozen plugin: what `definePlugin` returns and what hosts compose. Its typed functions are wrapped
 * into the entries below (settings parsed with the plugin's own schema), so a host handles every plugin alike.
 */
export interface Plugin {
  readonly kind: 'crm-plugin';
  readonly id: string;
  readonly version: string;
  readonly description: string | null;
  readonly requires: { readonly core: string | null; readonly plugins: readonly string[] };
  /** `prisma` and `migrations` as absolute paths. */
  readonly paths: { readonly prisma: string | null; readonly migrations: string | null };
  readonly permissions: Readonly<Record<string, PermissionDefinition>>;
  readonly events: Readonly<Record<string, PublishedEvent>>;
  readonly subscribers: readonly SubscriberEntry[];
  readonly hooks: readonly HookEntry[];
  readonly delivery: Required<DeliveryPolicy>;
  /** Problems found by `definePlugin`; a host refuses to start while any plugin has one. */
  readonly problems: readonly PluginProblem[];
  /** Null when the plugin has no settings. */
  readonly settings: SettingsEntry | null;
  /** Registers the plugin's GraphQL contributions; null when it has none. */
  readonly registerGraphql: ((builder: Builder, services?: HostServices) => void) | null;
  readonly actions: readonly ActionEntry[];
  readonly queues: readonly QueueEntry[];
  readonly routes: readonly RouteEntry[];
  readonly seed: ((context: HostContext<SeedContext<unknown>> & { caller: Caller }) => Promise<void>) | null;
  readonly jobs: readonly JobEntry[];
  readonly panels: readonly DashboardPanelEntry[];
  /** The plugin's object declarations, each marked with the plugin's id. */
  readonly objects: readonly ObjectDeclaration[];
  /** Null when the plugin keeps no personal data. */
  readonly personalData: PersonalDataEntry | null;
  /** Null when the plugin stores nothing that names custom fields (the wrapper parses the stored settings). */
  readonly fieldUsers: FieldUsersHandler<unknown> | null;
  /** Null when the plugin stores nothing that names custom fields by name. */
  readonly fieldRenamed: ((field: FieldInQuestion, context: HostFieldRenameContext) => Promise<void>) | null;
  /** Null when the plugin stores nothing that names custom objects. */
  readonly customObjectRenamed: ((rename: ObjectRename, context: HostObjectRenameContext) => Promise<void>) | null;
}

/** `personalData` as the host calls it (the wrapper adds settings parsing and the plugin's `sql`). */
export interface PersonalDataEntry {
  merge(input: { keepId: string; mergedIds: readonly string[] }, context: HostContext<HookContext<unknown>>): Promise<Record<string, number>>;
  export(customerId: string, context: HostContext<HookContext<unknown>>): Promise<Record<string, unknown>>;
  erase(customerId: string, context: HostContext<HookContext<unknown>>): Promise<void>;
  /** Undefined when the plugin has no last phase. */
  eraseLast?(customerId: string, context: HostContext<HookContext<unknown>>): Promise<void>;
}

export interface JobEntry {
  readonly name: string;
  readonly everyMs: number;
  /** 'per-call': the run commits as it goes, and the host may stop it between calls (its budget across workspaces). */
  readonly transaction: 'one' | 'per-call';
  /** The host gives every run its transactions through `transaction` (one call for a job in one transaction). */
  run(context: HostJobCalls): Promise<void>;
}

/** A job's run in one workspace as the host hands it: transactions opened on demand, each under the job's lock. */
export interface HostJobCalls {
  workspaceId: string;
  /** The database's time as the run's first transaction in the workspace told it (a getter: throws before it). */
  readonly now: Date;
  transaction<T>(fn: (scope: HostContext<JobContext<unknown>>) => Promise<T>): Promise<T>;
}

/**
 * A context as the host builds it: `definePlugin`'s wrapper adds the plugin's own `sql` (it knows the plugin's
 * tables) and `commands`, and narrows `emit` to the plugin's own events.
 */
export type HostContext<C> = Omit<C, WrapperBuilt | 'actingAs' | 'inChainOf'> & {
  /** The host's shared services (records, actions); without them, core's objects and no actions. */
  services?: HostServices;
  /**
   * The causal chain the work queued here continues (`rows` give it to a queue's items): a handled event's one hop
   * further (subscribers, hooks), a queue item's own; absent outside a chain (routes, jobs).
   */
  chain?: EventCause | null;
} & (C extends { actingAs(actor: string): unknown } ? { actingAs(actor: string, options?: ActingOptions): Pick<CommandScope, 'tx' | 'emit' | 'session'> } : unknown) &
  (C extends { inChainOf(event: DeliveredEvent): unknown } ? { inChainOf(event: DeliveredEvent): ChainedScope } : unknown);

/** The same transaction handling another event of the batch: its `emit` carries that event's chain, as does `chain`. */
export type ChainedScope = Pick<CommandScope, 'tx' | 'emit' | 'session'> & { chain: EventCause };

/** Raw stored settings in, the plugin's typed handler out. */
export interface SubscriberEntry {
  readonly event: string;
  readonly name: string;
  handle(event: DeliveredEvent, context: HostContext<SubscriberContext<unknown>>): Promise<void>;
  /** Null: every event of its type is delivered. */
  readonly interest: InterestEntry | null;
}

/** A subscriber's interest as the host reads it (the plugin's `sql` added by `definePlugin`). */
export interface InterestEntry {
  of(context: { workspaceId: string; db: RawQueryRunner }): Promise<EventInterest>;
  readonly changedBy: ReadonlySet<string>;
}

export interface HookEntry {
  readonly event: string;
  readonly name: string;
  handle(event: PendingEventOf<CrmEventType>, context: HostContext<HookContext<unknown>>): Promise<void>;
}

export interface SettingsEntry {
  /** Stored JSON → complete settings (defaults filled in), or the problems with their paths. */
  parse(raw: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; issues: { path: string; message: string }[] };
  /**
   * Stored JSON → complete settings, leniently: a top-level key that does not validate takes its default (logged once
   * per workspace and key); the others keep their stored values. For reads; a write parses strictly.
   */
  read(raw: unknown, workspaceId: string): Record<string, unknown>;
  /** The settings with every default: what a workspace that never changed them gets. */
  readonly defaults: Record<string, unknown>;
  /** The settings' top-level keys: a patch naming any other is refused. */
  readonly keys: readonly string[];
}

/** One problem, compiler-style: which plugin, where in its definition, what is wrong. */
export interface PluginProblem {
  plugin: string;
  path: string;
  message: string;
}
