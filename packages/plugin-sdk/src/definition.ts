// What a plugin author writes: the shape `definePlugin` accepts. Everything a plugin contributes is declared
// here as data and functions; nothing runs until a host composes the plugin. The parts it refers to live in files of
// their own: events.ts (hooks, subscribers), actions.ts, jobs.ts (jobs, queues), outbound-http.ts, routes.ts (incoming
// HTTP); plugin.ts is what
// `definePlugin` returns.
import type { ObjectDeclaration } from '@crm/core';
import type { Role, ScopedPrisma } from '@crm/db';
import type { Builder } from '@crm/graph';
import type { z } from 'zod';
import type { ActionDefinition } from './actions.js';
import type { CoreCommands } from './core-commands.js';
import type { DeliveryPolicy, HookContext, HookMap, PublishedEvent, SubscriberMap } from './events.js';
import type { CustomObjectRenamedHandler, FieldRenamedHandler, FieldUsersHandler } from './field-users.js';
import type { JobDefinition, QueueDefinition } from './jobs.js';
import type { PluginSql } from './plugin-sql.js';
import type { RouteDefinition } from './routes.js';
import type { PluginCommandScope, PluginToolkit } from './toolkit.js';
import type { PluginLock } from './plugin-lock.js';

/** Settings schema: a zod object whose every field has a default, so `{}` parses to a complete value. */
export type SettingsSchema = z.ZodType<Record<string, unknown>>;

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

/**
 * The plugin's part in a person's data (docs/data.md), run inside the core command's transaction: a plugin that keeps
 * rows about customers implements all three, so merges lose nothing and exports and erasures reach its tables.
 */
export interface PersonalDataHandlers<Settings> {
  /** `mergeCustomers`: move (or combine: a ledger's points) the rows of `mergedIds` onto `keepId`; rows moved per table. */
  merge(input: { keepId: string; mergedIds: readonly string[] }, context: PersonalDataContext<Settings>): Promise<Record<string, number>>;
  /** `exportPersonalData`: everything the plugin holds about the customer, as JSON. */
  export(customerId: string, context: PersonalDataContext<Settings>): Promise<Record<string, unknown>>;
  /** `erasePerson`: delete or scrub everything the plugin holds about the customer (before the customer row goes). */
  erase(customerId: string, context: PersonalDataContext<Settings>): Promise<void>;
  /**
   * Optional: the erasure's last phase, called after the core's own work (its scans of events and activities, the
   * customer row's deletion), in the same transaction. A lock the plugin's other transactions wait for (e.g. one that
   * keeps them from reading the customer while the erasure is under way) is taken here, so it is held from here to the
   * commit only, not through the core's work. The customer row is gone by then: read what you need of it in `erase`.
   */
  eraseLast?(customerId: string, context: PersonalDataContext<Settings>): Promise<void>;
}

/**
 * A hook's context plus the plugin's `lock` (as in its commands): a handler that changes rows the plugin's own
 * transactions guard with a lock (a workflow run's steps) takes the same lock first.
 */
export interface PersonalDataContext<Settings> extends HookContext<Settings> {
  lock: PluginLock;
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
  /**
   * Which of the plugin's stored things name a custom field (`{ type, id, name }` each): asked when an ADMIN deletes
   * one, which is then refused listing them (`extensions.usedBy`) unless forced. Read-only, in the deleting command's
   * transaction; `context.filterUses(object, filter)` tells whether a stored filter reads the field.
   */
  fieldUsers?: FieldUsersHandler<z.output<Settings>>;
  /**
   * A custom field is being renamed: rewrite the plugin's stored things that name it (in the renaming transaction;
   * `context.renameInFilter(object, filter)` rewrites a stored filter as saved segments are), so they keep working.
   */
  fieldRenamed?: FieldRenamedHandler<z.output<Settings>>;
  /** A custom object is being renamed: rewrite the plugin's stored things that name it (in the renaming transaction). */
  customObjectRenamed?: CustomObjectRenamedHandler<z.output<Settings>>;
  /** Dashboard panels by id (kebab-case), loaded by the dashboard without editing it. */
  dashboard?: { panels: Record<string, DashboardPanelDefinition> };
  /** What other plugins may ask this one to do, by name (`awardPoints` → `loyalty.awardPoints`). */
  // biome-ignore lint: each action has its own input type
  actions?: Record<string, ActionDefinition<z.output<Settings>, Event, any>>;
  /** Durable work queues, by name, shared by every gateway instance. */
  queues?: Record<string, QueueDefinition<z.output<Settings>, Event>>;
  /** HTTP endpoints (incoming webhooks) by name (kebab-case): `POST /plugins/<id>/<name>/<workspaceId>/…`. */
  routes?: Record<string, RouteDefinition<z.output<Settings>, Event>>;
  /**
   * The plugin's objects, declared like core's (`defineObject`, docs/architecture.md "The declared object model"):
   * each gets its GraphQL type and, with `plural`/`single`, its root fields with the filter language, ordering,
   * aggregates, group-by, search and the one-statement read engine. The model must be one of the plugin's Prisma
   * models (with `workspaceId`); relations are declared only where the fragment has the Prisma relation. With a
   * `writer`, the object gets the generic writes too (`createXs`, `updateXs`, `deleteXs`, `upsertX` on its
   * `uniqueKeys`, CSV import; docs/data.md), for the fields declared `write`. A model with `deletedAt` (and
   * `deletedBy`, `deleteReason`, `trashedWithId`) gets the trash like core objects: `deleteX`, `restoreX`,
   * `destroyX`, `trash(object: X)`, retention, `x.trashed|restored|destroyed` events (docs/plugins/api-reference.md).
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
/**
 * A plugin object's update as a rule (core's `UpdateRule`, its events with the plugin's scope). `change` is pure: the
 * record's new column values (a Prisma update's `data`; undefined: unchanged) or null for no change; throwing refuses
 * that record with the error (a CrmError keeps its code; anything else is the plugin's failure, PLUGIN_FAILED).
 * A rule that needs the database (a unique name) leaves it to the table's unique index: the batch then runs again
 * record by record through `update`, which reports the record at fault.
 */
export interface PluginUpdateRule<Settings = unknown, Event extends string = string> {
  /** The update's input schema: the patch with `id` (and `expectedUpdatedAt`, `customFields` where the object takes them). */
  schema: z.ZodType<{ id: string; expectedUpdatedAt?: Date | null; customFields?: unknown }>;
  /** `customFields`: the record's checked custom values (undefined: unchanged). */
  change(input: never, before: never, customFields: Record<string, unknown> | undefined): object | null;
  /** Once written: the record's events, as `update` emits them. */
  announce(scope: PluginCommandScope<Settings, Event>, before: never, after: never, input: never): void | Promise<void>;
}

export interface PluginObjectWriter<Settings = unknown, Permission extends string = string, Event extends string = string> {
  permission: NoInfer<Permission>;
  create?(input: Record<string, unknown>, scope: PluginCommandScope<Settings, Event>): Promise<{ id: string }>;
  update?(id: string, patch: Record<string, unknown>, scope: PluginCommandScope<Settings, Event>): Promise<{ id: string }>;
  /**
   * What `update` does to one record, as a rule the host runs for many at once (`updateXs`, upserts, a workflow's
   * to-many `updateRecord` through `objects.updateRelated`): core's declared batch writer locks and reads the records
   * (the key's rows, never the trash), parses each patch with `schema`, checks custom values and the references the
   * object declares writable once per batch, writes them with one UPDATE and reads them back, then `announce`s each.
   * A few statements for 3 records or 100. Without it, each record runs `update`. The plugin's own `update` should
   * run the same rule (its `change` and `announce`), so the two paths cannot drift.
   */
  updateRule?: PluginUpdateRule<Settings, Event>;
  /**
   * @default when the model has a `deletedAt` column, the trash (docs/data.md "Trash"): `deleteXs` moves records to it,
   * like `deleteX`, `restoreX`, `destroyX` and `trash(object: X)`; without `deletedAt`, no deletes unless given here.
   */
  delete?(id: string, reason: string | null, scope: PluginCommandScope<Settings, Event>): Promise<void>;
  /** A unique-key value as stored and matched, and its column (see `ObjectWriter.key` in @crm/core). */
  key?(field: string, value: unknown): { column: string; value: unknown } | null;
}
