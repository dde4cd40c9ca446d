// The plugin's side of the GraphQL boundary: what `graphql(builder, plugin)` gets as `plugin`. Every resolver of a
// plugin reaches settings, permissions, commands and batching through it, so none needs core internals.
import { type Caller, type CommandScope, CrmError, type CustomValues, customValuesOf, forbidden } from '@crm/core';
import type { GraphContext } from '@crm/graph';
import { type CoreCommands, coreCommandsIn } from './core-commands.js';
import type { ActionInfo } from './actions.js';
import type { EventCatalog } from './event-catalog.js';
import type { PermissionDefinition } from './definition.js';
import type { OwnEmit } from './events.js';
import type { HostServices } from './plugin.js';
import type { RecordAccess } from './record-access.js';
import { pluginLock } from './plugin-lock.js';
import { createOwnRows, type OwnModels, type OwnRows } from './own-rows.js';
import { createPluginSql, type PluginSql } from './plugin-sql.js';
import { type RequestLoader, requestLoader } from './request-loader.js';
import { readStoredSettings } from './settings-store.js';
import type { TableAccess } from './table-access.js';
import type { PluginLock } from './plugin-lock.js';

/** A command's scope plus the plugin's settings in that workspace. */
export interface PluginCommandScope<Settings, Event extends string = string> extends Omit<CommandScope, 'emit'> {
  /** Records one of the plugin's own events (declared in `events`); a core or another plugin's event is refused. */
  emit: OwnEmit<Event>;
  settings: Settings;
  /**
   * The core's commands in this transaction, as the request's caller: the core's validation, role checks and events
   * (and other plugins' hooks) apply, e.g. `await commands.createTask({ title, customerId })`.
   */
  commands: CoreCommands;
  /** One read-only SQL statement in the command's workspace, inside its transaction (see {@link PluginSql}). */
  sql: PluginSql;
  /** Writes of the plugin's own models in one statement, inside the transaction (see {@link OwnRows}). */
  rows: OwnRows;
  /**
   * Waits for, then holds until the transaction ends, a lock on `key` in this plugin and workspace: commands of the
   * plugin that lock the same key (e.g. a customer's id) run one after another. For check-then-write rules such as a
   * cap, where two concurrent commands could each pass the check. A PostgreSQL transaction-scoped advisory lock.
   * Several keys (an array) are taken in one statement, in sorted order (two transactions locking overlapping sets
   * do not deadlock). Resolves to the database's time of its statement (`statement_timestamp()`): "now" by the
   * database's clock, which the plugin's due times may be compared with, at no extra round trip.
   */
  lock: PluginLock;
  /**
   * The custom values to store for a record of `object` (one of the plugin's objects declared `customFields: true`):
   * `input` is the `customFields` of the command's input (by field name, as `customFieldsInput` offers them), `before`
   * the record as it was (null: a create). Checked in this transaction like core's (types, options, ranges, required,
   * unique, the key's role): BAD_USER_INPUT, CONFLICT or FORBIDDEN naming `customFields.<name>`. Undefined: an update
   * that changes none (leave the column as it is); else write the result to the record's `customFields` column.
   */
  customValues(object: string, input: unknown, before?: { id: string; customFields: unknown } | null): Promise<CustomValues | undefined>;
}

export interface PluginToolkit<Settings, Permission extends string, Event extends string = string> {
  /** The plugin's id. */
  readonly id: string;
  /** The caller's workspace settings of this plugin, defaults filled in. */
  settings(context: GraphContext): Promise<Settings>;
  /** The request's caller when it holds `permission`; UNAUTHENTICATED or FORBIDDEN otherwise. */
  authorize(context: GraphContext, permission: Permission): Caller;
  /**
   * Runs a command: checks `permission`, then one transaction (workspace-scoped) whose events are published after
   * commit. Throw a CrmError to fail with its code; everything rolls back.
   */
  run<T>(context: GraphContext, permission: Permission, fn: (scope: PluginCommandScope<Settings, Event>) => Promise<T>): Promise<T>;
  /**
   * The caller's `sql` tag when it holds `permission`: one read-only statement over the core's tables and the plugin's
   * own, every table narrowed to the caller's workspace (see {@link PluginSql}).
   */
  sql(context: GraphContext, permission: Permission): PluginSql;
  /** A batching loader for fields on lists (one query per page); see {@link RequestLoader}. */
  loader<K, V>(batch: (keys: readonly K[], context: GraphContext) => Promise<ReadonlyMap<K, V>>): RequestLoader<K, V>;
  /** Records of every declared object (core's and the enabled plugins'), the filter language, event → record change. */
  readonly objects: RecordAccess;
  /** The actions the enabled plugins declare (to check a reference to one before it runs). */
  readonly actions: readonly ActionInfo[];
  /** The event types the host knows (core's and the installed plugins'), to check a reference to one before it is used. */
  readonly events: EventCatalog;
}

/** Builds the plugin's command scope over a core command scope (its settings, own events, commands, sql, locks). */
export function pluginScopeFactory<Settings, Event extends string>(
  id: string,
  parseSettings: (raw: unknown, workspaceId: string) => Settings,
  tableAccess: () => TableAccess,
  ownEmit: (emit: CommandScope['emit']) => CommandScope['emit'],
  own: () => OwnModels,
): (scope: CommandScope) => Promise<PluginCommandScope<Settings, Event>> {
  return async (scope) => ({
    ...scope,
    emit: ownEmit(scope.emit) as OwnEmit<Event>,
    commands: coreCommandsIn(scope),
    settings: parseSettings(await readStoredSettings(scope.tx, scope.session.workspaceId, id), scope.session.workspaceId),
    sql: createPluginSql(id, scope.tx, scope.session.workspaceId, tableAccess, scope.permissions),
    rows: createOwnRows(id, scope.tx, scope.session.workspaceId, own),
    lock: pluginLock(scope.tx, id, scope.session.workspaceId),
    customValues: (object, input, before) =>
      customValuesOf(scope, object, input, before ? { id: before.id, values: (before.customFields ?? {}) as CustomValues } : null, scope.permissions),
  });
}

export function createToolkit<Settings, Permission extends string, Event extends string>(
  id: string,
  permissions: Readonly<Record<string, PermissionDefinition>>,
  parseSettings: (raw: unknown, workspaceId: string) => Settings,
  tableAccess: () => TableAccess,
  ownEmit: (emit: CommandScope['emit']) => CommandScope['emit'],
  services: HostServices,
  own: () => OwnModels,
): PluginToolkit<Settings, Permission, Event> {
  const scopeOf = pluginScopeFactory<Settings, Event>(id, parseSettings, tableAccess, ownEmit, own);
  const authorize = (context: GraphContext, permission: Permission): Caller => {
    const caller = context.caller;
    if (!caller) throw new CrmError('UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <apiKey>');
    const roles = permissions[permission]?.roles ?? [];
    // The key's permissions decide (a custom role names the plugin permissions it holds; scopes narrow them).
    const held = context.permissions ? context.permissions.holdsPluginPermission(id, permission, roles) : roles.includes(caller.session.role);
    if (!held) {
      throw forbidden(`This needs the ${id} permission "${permission}" (roles: ${roles.join(', ') || 'none'}); your API key is ${caller.session.role}`);
    }
    return caller;
  };
  return {
    id,
    async settings(context) {
      const caller = context.caller;
      if (!caller) throw new CrmError('UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <apiKey>');
      return parseSettings(await readStoredSettings(caller.db, caller.session.workspaceId, id), caller.session.workspaceId);
    },
    authorize,
    run(context, permission, fn) {
      const caller = authorize(context, permission);
      // The permission decided who may run it; the runner's own role floor is the lowest role.
      return caller.run(async (scope) => fn(await scopeOf(scope)), { role: 'READ_ONLY' });
    },
    sql(context, permission) {
      const caller = authorize(context, permission);
      // Narrowed by the key's permissions, like every other read made for it.
      return createPluginSql(id, caller.db, caller.session.workspaceId, tableAccess, context.permissions);
    },
    loader: (batch) => requestLoader(batch),
    objects: services.objects,
    actions: services.actions.map(({ run: _run, ...info }) => info),
    events: services.events,
  };
}
