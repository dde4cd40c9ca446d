// What a plugin author writes: the shape `definePlugin` accepts. Everything a plugin contributes is declared
// here as data and functions; nothing runs until a host composes the plugin.
import type { Caller, CommandScope, CrmEventMap, CrmEventType, ObjectDeclaration, Session } from '@crm/core';
import type { Role, ScopedPrisma, ScopedTransaction } from '@crm/db';
import type { Builder } from '@crm/graph';
import type { z } from 'zod';
import type { CoreCommands } from './core-commands.js';
import type { PluginSql } from './plugin-sql.js';
import type { PluginCommandScope, PluginToolkit } from './toolkit.js';

/** Settings schema: a zod object whose every field has a default, so `{}` parses to a complete value. */
export type SettingsSchema = z.ZodType<Record<string, unknown>>;

/** An event as a subscriber receives it (after commit). `payload` is typed by the event map. */
export interface DeliveredEvent<K extends CrmEventType = CrmEventType> {
  /** Stable across re-deliveries: the key of idempotency. */
  id: string;
  type: K;
  workspaceId: string;
  subjectType: string;
  subjectId: string;
  actor: string;
  occurredAt: Date;
  payload: CrmEventMap[K];
}

/** `emit`, narrowed to the plugin's own event types (the keys of its `events`): a core event does not type-check. */
export type OwnEmit<Event extends string> = <K extends Extract<CrmEventType, Event>>(
  type: K,
  subject: { type: string; id: string },
  payload: CrmEventMap[K],
) => void;

/** What a subscriber gets besides the event: one transaction of its own, as the plugin's system actor. */
export interface SubscriberContext<Settings, Event extends string = string> {
  /** Workspace-scoped transaction: the subscriber's writes and its "processed" mark commit together. */
  tx: ScopedTransaction;
  /**
   * Records one of the plugin's own events (declared in `events`) in the same transaction (published after commit,
   * delivered to subscribers in turn). A core event or another plugin's is refused (`PLUGIN_FAILED`).
   */
  emit: OwnEmit<Event>;
  /** The core's commands in this transaction, with the core's validation, role checks and events (see {@link CoreCommands}). */
  commands: CoreCommands;
  /** `actor` is `plugin:<id>`, role ADMIN, in the event's workspace. */
  session: Session;
  /** The workspace's settings of this plugin (defaults filled in). */
  settings: Settings;
  /** 1 on the first try; the host retries a throwing subscriber with backoff. */
  attempt: number;
  /** One read-only SQL statement in the event's workspace, inside `tx` (see `PluginSql`). */
  sql: PluginSql;
}

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

/** What a hook gets: the command's own transaction. */
export interface HookContext<Settings, Event extends string = string> {
  tx: ScopedTransaction;
  /** Records one of the plugin's own events (declared in `events`); a core or another plugin's event is refused. */
  emit: OwnEmit<Event>;
  /** The core's commands in the command's transaction (their events are not hooked again). */
  commands: CoreCommands;
  session: Session;
  settings: Settings;
  /** One read-only SQL statement in the command's workspace, inside `tx`. */
  sql: PluginSql;
}

/**
 * Runs inside the core command's transaction, before commit, once per matching event the command emitted. Throw a
 * `CrmError` (e.g. `veto('CREDIT_HOLD', '…')`, `badInput`, `conflict`) to veto: the command rolls back and the client
 * gets its code, `extensions.reason` (with `veto`) and `extensions.plugin`. Anything else it throws (a bug) fails the
 * command with `PLUGIN_FAILED` naming the plugin and the hook.
 */
export type Hook<K extends CrmEventType, Settings, Event extends string = string> = (event: PendingEventOf<K>, context: HookContext<Settings, Event>) => Promise<void>;

/** Named functions per event type, e.g. `{ 'order.recorded': { earnPoints: async (event, ctx) => … } }`. */
export type SubscriberMap<Settings, Event extends string = string> = { [K in CrmEventType]?: Record<string, Subscriber<K, Settings, Event>> };
export type HookMap<Settings, Event extends string = string> = { [K in CrmEventType]?: Record<string, Hook<K, Settings, Event>> };

/** An event the plugin publishes. Its payload type comes from declaration merging into `CrmEventMap`. */
export interface PublishedEvent {
  /** The type of the row the event is about (a Node type of the schema, e.g. `LoyaltyAccount`). */
  subject: string;
  description?: string;
}

/** A named permission and the roles that hold it. */
export interface PermissionDefinition {
  roles: readonly Role[];
  description?: string;
}

/** What `seed` gets: the workspace to fill with demo data. */
export interface SeedContext<Settings> {
  workspaceId: string;
  /** Workspace-scoped client. */
  db: ScopedPrisma;
  settings: Settings;
  /** Deterministic randomness in [0, 1), so demo data is the same on every fresh start. */
  random: () => number;
  /** One read-only SQL statement in the workspace. */
  sql: PluginSql;
  /**
   * The core's commands, each a command of its own as `plugin:<id>`: demo rows in core tables go through them (with
   * the core's validation and events), never straight into the tables.
   */
  commands: CoreCommands;
}

/** What a job gets, once per workspace and run: one transaction in that workspace, as the plugin's actor. */
export interface JobContext<Settings, Event extends string = string> {
  tx: ScopedTransaction;
  /** Records one of the plugin's own events (declared in `events`). */
  emit: OwnEmit<Event>;
  /** The core's commands in this transaction, as `plugin:<id>`. */
  commands: CoreCommands;
  session: Session;
  settings: Settings;
  workspaceId: string;
  /** The time of this run. */
  now: Date;
  /** One read-only SQL statement in the workspace, inside `tx`. */
  sql: PluginSql;
}

/** A periodic task (expiry, recomputation), run by the gateway for every workspace. */
export interface JobDefinition<Settings, Event extends string = string> {
  /** Interval between runs, in milliseconds (at least 1,000). */
  everyMs: number;
  run(context: JobContext<Settings, Event>): Promise<void>;
}

/**
 * The plugin's part in a person's data (docs/data.md), run inside the core command's transaction: a plugin that keeps
 * rows about customers implements all three, so merges lose nothing and exports and erasures reach its tables.
 */
export interface PersonalDataHandlers<Settings> {
  /** `mergeCustomers`: move (or combine: a ledger's points) the rows of `mergedIds` onto `keepId`; rows moved per table. */
  merge(input: { keepId: string; mergedIds: readonly string[] }, context: HookContext<Settings>): Promise<Record<string, number>>;
  /** `exportPersonalData`: everything the plugin holds about the customer, as JSON. */
  export(customerId: string, context: HookContext<Settings>): Promise<Record<string, unknown>>;
  /** `erasePerson`: delete or scrub everything the plugin holds about the customer (before the customer row goes). */
  erase(customerId: string, context: HookContext<Settings>): Promise<void>;
}

/** Retry policy of a plugin's subscribers. */
export interface DeliveryPolicy {
  /** Tries before a delivery is recorded as FAILED. @default 5 */
  attempts?: number;
  /** Wait before the second try; doubles at each further try. @default 200 */
  backoffMs?: number;
}

/**
 * A dashboard panel the plugin ships: a browser ES module, built with the plugin, that the dashboard loads from the
 * gateway (`/plugins/<id>/panels/<panel>.js`) and mounts on its page, e.g. a customer's. Its default export:
 * `mount(element, { customerId, query }) => cleanup?`, where `query(document, variables)` runs GraphQL with the
 * signed-in user's key and resolves with `data` (throws with the errors). No framework is imposed: plain DOM, or a
 * framework bundled into the module. See docs/plugins/dashboard-panels.md.
 */
export interface DashboardPanelDefinition {
  /** Shown above the panel. */
  title: string;
  /** Where it shows: `customer` (the customer page, given `customerId`). */
  slot: 'customer';
  /** The built module, e.g. `new URL('../dashboard/nps-panel.js', import.meta.url)`. */
  module: string | URL;
}

/** Everything `definePlugin` takes. Only `id` and `version` are required. */
export interface PluginDefinition<Settings extends SettingsSchema = SettingsSchema, Permission extends string = string, Event extends string = string> {
  /** Stable, kebab-case (`loyalty`, `cross-sell`): names the plugin in CRM_PLUGINS, migrations and actors. */
  id: string;
  /** The plugin's own semver version. */
  version: string;
  description?: string;
  requires?: {
    /** Semver range of the core this plugin works with, e.g. `^0.1.0`. @default any */
    core?: string;
    /** Ids of plugins that must be enabled too; they are set up first. */
    plugins?: readonly string[];
  };
  /**
   * The plugin's Prisma schema fragment: a folder of `.prisma` files or one file (by convention `prisma/schema`).
   * Its models must have a `workspaceId` column (they are tenant-scoped like core models) and refer to core rows by
   * plain id columns (`customerId String @db.Uuid`) with foreign keys written in the migration.
   */
  prisma?: string | URL;
  /** The plugin's Prisma migrations folder (by convention `prisma/migrations`). */
  migrations?: string | URL;
  /** Per-workspace settings: a zod object with defaults; ADMIN keys read and update it through GraphQL. */
  settings?: Settings;
  /** Named permissions mapped onto roles, checked with `plugin.authorize(context, name)`. */
  permissions?: Record<Permission, PermissionDefinition>;
  /** Events the plugin publishes (declare their payloads in `CrmEventMap`). */
  events?: Record<Event, PublishedEvent>;
  /** GraphQL contributions: types, queries, mutations, subscriptions, fields on core types. */
  graphql?: (builder: Builder, plugin: PluginToolkit<z.output<Settings>, Permission, Event>) => void;
  subscribers?: SubscriberMap<z.output<Settings>, Event>;
  hooks?: HookMap<z.output<Settings>, Event>;
  /** Demo data for the demo workspace and `crm seed`. */
  seed?: (context: SeedContext<z.output<Settings>>) => Promise<void>;
  delivery?: DeliveryPolicy;
  /** Periodic tasks by name, run per workspace (under a lock: one instance at a time), e.g. expiry. */
  jobs?: Record<string, JobDefinition<z.output<Settings>, Event>>;
  /** Merging, exporting and erasing a customer's data in the plugin's tables. */
  personalData?: PersonalDataHandlers<z.output<Settings>>;
  /** Dashboard panels by id (kebab-case), loaded by the dashboard without editing it. */
  dashboard?: { panels: Record<string, DashboardPanelDefinition> };
  /**
   * The plugin's objects, declared like core's (`defineObject`, docs/architecture.md "The declared object model"):
   * each gets its GraphQL type and, with `plural`/`single`, its root fields with the filter language, ordering,
   * aggregates, group-by, search and the one-statement read engine. The model must be one of the plugin's Prisma
   * models (with `workspaceId`); relations are declared only where the fragment has the Prisma relation. With a
   * `writer`, the object gets the generic writes too (`createXs`, `updateXs`, `deleteXs`, `upsertX` on its
   * `uniqueKeys`, CSV import; docs/data.md), for the fields declared `write`.
   */
  objects?: readonly PluginObjectDeclaration<z.output<Settings>, Permission, NoInfer<Event>>[];
}

/** An object declaration of a plugin: core's, with the plugin's own writer. */
export type PluginObjectDeclaration<Settings = unknown, Permission extends string = string, Event extends string = string> = Omit<ObjectDeclaration, 'writer'> & {
  writer?: PluginObjectWriter<Settings, Permission, Event>;
};

/**
 * How the generic writes write one record of a plugin object, inside the bulk command's transaction. Each function
 * does what the plugin's own single-record mutation does (validate with `parseInput`, check, write, `emit`); a
 * thrown CrmError refuses that row. The caller must hold `permission`.
 */
export interface PluginObjectWriter<Settings = unknown, Permission extends string = string, Event extends string = string> {
  permission: NoInfer<Permission>;
  create?(input: Record<string, unknown>, scope: PluginCommandScope<Settings, Event>): Promise<{ id: string }>;
  update?(id: string, patch: Record<string, unknown>, scope: PluginCommandScope<Settings, Event>): Promise<{ id: string }>;
  delete?(id: string, reason: string | null, scope: PluginCommandScope<Settings, Event>): Promise<void>;
  /** A unique-key value as stored and matched, and its column (see `ObjectWriter.key` in @crm/core). */
  key?(field: string, value: unknown): { column: string; value: unknown } | null;
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
  readonly registerGraphql: ((builder: Builder) => void) | null;
  readonly seed: ((context: HostContext<SeedContext<unknown>> & { caller: Caller }) => Promise<void>) | null;
  readonly jobs: readonly JobEntry[];
  readonly panels: readonly DashboardPanelEntry[];
  /** The plugin's object declarations, each marked with the plugin's id. */
  readonly objects: readonly ObjectDeclaration[];
  /** Null when the plugin keeps no personal data. */
  readonly personalData: PersonalDataEntry | null;
}

/** `personalData` as the host calls it (the wrapper adds settings parsing and the plugin's `sql`). */
export interface PersonalDataEntry {
  merge(input: { keepId: string; mergedIds: readonly string[] }, context: HostContext<HookContext<unknown>>): Promise<Record<string, number>>;
  export(customerId: string, context: HostContext<HookContext<unknown>>): Promise<Record<string, unknown>>;
  erase(customerId: string, context: HostContext<HookContext<unknown>>): Promise<void>;
}

export interface JobEntry {
  readonly name: string;
  readonly everyMs: number;
  run(context: HostContext<JobContext<unknown>>): Promise<void>;
}

/**
 * A context as the host builds it: `definePlugin`'s wrapper adds the plugin's own `sql` (it knows the plugin's
 * tables) and `commands`, and narrows `emit` to the plugin's own events.
 */
export type HostContext<C> = Omit<C, 'sql' | 'commands'>;

/** Raw stored settings in, the plugin's typed handler out. */
export interface SubscriberEntry {
  readonly event: string;
  readonly name: string;
  handle(event: DeliveredEvent, context: HostContext<SubscriberContext<unknown>>): Promise<void>;
}

export interface HookEntry {
  readonly event: string;
  readonly name: string;
  handle(event: PendingEventOf<CrmEventType>, context: HostContext<HookContext<unknown>>): Promise<void>;
}

export interface SettingsEntry {
  /** Stored JSON → complete settings (defaults filled in), or the problems with their paths. */
  parse(raw: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; issues: { path: string; message: string }[] };
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
