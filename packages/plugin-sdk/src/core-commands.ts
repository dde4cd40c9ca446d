// The core's commands as a plugin calls them: derived from @crm/core's exported services in this one place, so a
// command the core adds is a command plugins get, with the same input type, validation, role checks and events.
// Each runs inside the plugin's running transaction (hook, subscriber, job, or `plugin.run`): the core change and the
// plugin's own rows commit or roll back together, and other plugins' hooks see its events.
import * as core from '@crm/core';
import { type Caller, type CommandScope, CrmError, type ObjectCatalog, requireRole, restoreRecord, type TrashedRow, trashObjectNames, type TrashObjectName, trashRecord } from '@crm/core';
import type { ScopedPrisma } from '@crm/db';
import { type ActingRole, actingScope } from './record-writes.js';

/** How a core command is named: a verb, then what it acts on (`createTask`, `moveDeal`, `logActivity`). */
const COMMAND_NAME = /^(create|update|delete|complete|convert|log|move|record|rename|add|remove)[A-Z]/;
type CommandVerb = 'create' | 'update' | 'delete' | 'complete' | 'convert' | 'log' | 'move' | 'record' | 'rename' | 'add' | 'remove';

/**
 * Services a plugin never runs: access (keys, users, roles), webhooks, workspaces, the workspace's metadata (custom
 * fields and objects), custom objects' records, and helpers that are not commands (they take a transaction, not a caller). A plugin acting as
 * `plugin:<id>` (ADMIN) must not mint credentials, widen permissions or change the workspace's schema.
 */
const NOT_FOR_PLUGINS = [
  'createApiKey', 'revokeApiKey', 'updateApiKey', 'createUser', 'updateUser', 'createRole', 'updateRole', 'deleteRole',
  'createWebhook', 'updateWebhook', 'deleteWebhook', 'createWorkspace', 'recordStageChange', 'updateAnalyticsSettings',
  'renameCustomField', 'deleteCustomField', 'createCustomFieldIndexes', 'renameCustomObject', 'deleteCustomObject',
  // A custom object's records: a plugin is written without knowing a workspace's objects (their ids and fields).
  'createCustomRecord', 'updateCustomRecord', 'deleteCustomRecord',
  'recordEventType',
  // Helpers named like commands (one rewrites a stored filter, plugins get it through `fieldRenamed`'s context; one
  // clears a deleted field's values; one builds an object's batch writer from its update rule).
  'renameInFilter', 'removeFieldValues', 'updateBatchOf',
] as const;

type CoreModule = typeof core;
type IsCommand<F> = F extends (caller: Caller, input: infer _I) => Promise<unknown> ? true : false;

/** The names of the core's commands that plugins may run. */
export type CoreCommandName = {
  [K in keyof CoreModule]: K extends `${CommandVerb}${string}`
    ? K extends (typeof NOT_FOR_PLUGINS)[number]
      ? never
      : IsCommand<CoreModule[K]> extends true
        ? K
        : never
    : never;
}[keyof CoreModule];

/** How a plugin runs a core command. */
export interface CommandOptions {
  /**
   * Run it with this role's rights (a custom role's current grants, a key's scopes) instead of the plugin's own: the
   * command's role floor applies to the role, and its reads and writes go through the data layer as they would for a
   * key of that role (FORBIDDEN naming the field for an object or field it may not write; rows it may not see are not
   * there). A workflow's step acts as the key that published it.
   * @default the transaction's own rights (a plugin's background work: ADMIN)
   */
  as?: ActingRole;
}

/** A core command without its caller: the plugin's transaction and session stand in for it. */
type Bound<F> = F extends (caller: Caller, input: infer I) => Promise<infer R> ? (input: I, options?: CommandOptions) => Promise<R> : never;

/**
 * The trash's commands for each trashable core object, named as the GraphQL mutations: `deleteCustomer({ id, reason })`
 * moves a customer (with what is trashed with it) to the trash, `restoreCustomer({ id })` brings it back; the same
 * rules, role checks and events (`customer.trashed`, `.restored`) as over GraphQL (docs/data.md, "Trash"). Destroying
 * for good is not offered: it is an ADMIN's decision, and plugin sessions act as ADMIN.
 */
export type TrashCommands = {
  readonly [K in TrashObjectName as `delete${Capitalize<K>}`]: (input: { id: string; reason?: string | null }, options?: CommandOptions) => Promise<TrashedRow>;
} & {
  readonly [K in TrashObjectName as `restore${Capitalize<K>}`]: (input: { id: string }, options?: CommandOptions) => Promise<TrashedRow>;
};

/** The names of the trash commands (`deleteCustomer`, `restoreCustomer`, …). */
export type TrashCommandName = keyof TrashCommands;

/**
 * Every core command, typed from its service: `commands.createTask({ title, customerId })`,
 * `commands.moveDeal({ id, stageId })`, `commands.updateCustomer({ id, lifecycleStage })`, and the trash's
 * `commands.deleteCustomer({ id, reason })` / `commands.restoreCustomer({ id })`. Ids are row ids (the `customerId` of
 * an event's payload, `rowId(globalId, 'Customer')`), not GraphQL global ids.
 */
export type CoreCommands = { readonly [K in CoreCommandName]: Bound<CoreModule[K]> } & TrashCommands;

type Service = (caller: Caller, input: unknown) => Promise<unknown>;
const excluded = new Set<string>(NOT_FOR_PLUGINS);
const coreServices = (Object.entries(core) as [string, unknown][]).filter(
  (entry): entry is [CoreCommandName, Service] => typeof entry[1] === 'function' && COMMAND_NAME.test(entry[0]) && !excluded.has(entry[0]),
);

const capitalised = <K extends string>(name: K) => (name.charAt(0).toUpperCase() + name.slice(1)) as Capitalize<K>;

type Command = (caller: Caller, input: never) => Promise<unknown>;

/** Every command as `(caller, input)`: the core's services and the trash's, by the names plugins call them. */
const allCommands: readonly [string, Command][] = [
  ...coreServices,
  ...trashObjectNames.flatMap((name): [string, Command][] => [
    [`delete${capitalised(name)}`, (caller, input: { id: string; reason?: string | null }) => trashRecord(caller, name, input)],
    [`restore${capitalised(name)}`, (caller, input: { id: string }) => restoreRecord(caller, name, input)],
  ]),
];

/** The names, for documentation and tests. */
export const coreCommandNames: readonly (CoreCommandName | TrashCommandName)[] = allCommands.map(([name]) => name as CoreCommandName | TrashCommandName).sort();

/** A caller whose `run` joins the running transaction instead of opening another one. */
function joined(scope: CommandScope): Caller {
  return {
    session: scope.session,
    // Reads inside the command go through the same transaction.
    db: scope.tx as unknown as ScopedPrisma,
    // The core command's own role floor still applies to the session (the caller's, or the plugin's own).
    run: (fn, options) => {
      requireRole(scope.session, options?.role ?? 'MEMBER');
      return fn(scope);
    },
  };
}

/**
 * The running transaction acting as `role`: its session and permissions, and the transaction narrowed by them in the
 * data layer (core's `rowAccessOf`: the rule a key of that role meets).
 */
async function actingCaller(scope: CommandScope, catalog: ObjectCatalog, role: ActingRole): Promise<Caller> {
  const acting = await actingScope(scope, catalog, role);
  return joined(acting ? { ...scope, ...acting } : scope);
}

/**
 * The core's commands bound to a running command's scope. With `catalog` (the declared objects) they can act as a
 * role (`{ as }`); without it, asking them to is the plugin's mistake.
 */
export function coreCommandsIn(scope: CommandScope, catalog?: ObjectCatalog): CoreCommands {
  const caller = joined(scope);
  return Object.fromEntries(
    allCommands.map(([name, command]) => [
      name,
      async (input: never, options?: CommandOptions) => {
        if (!options?.as) return command(caller, input);
        if (!catalog) throw new CrmError('PLUGIN_FAILED', `commands.${name}(…, { as }) acts as a role in subscriber, job, action and queue contexts only`);
        return command(await actingCaller(scope, catalog, options.as), input);
      },
    ]),
  ) as unknown as CoreCommands;
}

/** The core's commands for a caller: each call is a command (a transaction) of its own; it acts as its caller only. */
export function coreCommandsFor(caller: Caller): CoreCommands {
  return Object.fromEntries(allCommands.map(([name, command]) => [name, (input: never) => command(caller, input)])) as unknown as CoreCommands;
}
