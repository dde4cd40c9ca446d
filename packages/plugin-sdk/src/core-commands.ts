// The core's commands as a plugin calls them: derived from @crm/core's exported services in this one place, so a
// command the core adds is a command plugins get, with the same input type, validation, role checks and events.
// Each runs inside the plugin's running transaction (hook, subscriber, job, or `plugin.run`): the core change and the
// plugin's own rows commit or roll back together, and other plugins' hooks see its events.
import * as core from '@crm/core';
import { type Caller, type CommandScope, requireRole, restoreRecord, type TrashedRow, trashObjectNames, type TrashObjectName, trashRecord } from '@crm/core';
import type { ScopedPrisma } from '@crm/db';

/** How a core command is named: a verb, then what it acts on (`createTask`, `moveDeal`, `logActivity`). */
const COMMAND_NAME = /^(create|update|delete|complete|convert|log|move|record|rename)[A-Z]/;
type CommandVerb = 'create' | 'update' | 'delete' | 'complete' | 'convert' | 'log' | 'move' | 'record' | 'rename';

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

/** A core command without its caller: the plugin's transaction and session stand in for it. */
type Bound<F> = F extends (caller: Caller, input: infer I) => Promise<infer R> ? (input: I) => Promise<R> : never;

/**
 * The trash's commands for each trashable core object, named as the GraphQL mutations: `deleteCustomer({ id, reason })`
 * moves a customer (with what is trashed with it) to the trash, `restoreCustomer({ id })` brings it back; the same
 * rules, role checks and events (`customer.trashed`, `.restored`) as over GraphQL (docs/data.md, "Trash"). Destroying
 * for good is not offered: it is an ADMIN's decision, and plugin sessions act as ADMIN.
 */
export type TrashCommands = {
  readonly [K in TrashObjectName as `delete${Capitalize<K>}`]: (input: { id: string; reason?: string | null }) => Promise<TrashedRow>;
} & {
  readonly [K in TrashObjectName as `restore${Capitalize<K>}`]: (input: { id: string }) => Promise<TrashedRow>;
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

/** The trash commands for a caller, derived from core's list of trashable objects. */
function trashCommandsFor(caller: Caller): TrashCommands {
  return Object.fromEntries(
    trashObjectNames.flatMap((name) => [
      [`delete${capitalised(name)}`, (input: { id: string; reason?: string | null }) => trashRecord(caller, name, input)],
      [`restore${capitalised(name)}`, (input: { id: string }) => restoreRecord(caller, name, input)],
    ]),
  ) as unknown as TrashCommands;
}

/** The names, for documentation and tests. */
export const coreCommandNames: readonly (CoreCommandName | TrashCommandName)[] = [
  ...coreServices.map(([name]) => name),
  ...trashObjectNames.flatMap((name) => [`delete${capitalised(name)}`, `restore${capitalised(name)}`] as TrashCommandName[]),
].sort();

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

/** The core's commands bound to a running command's scope. */
export function coreCommandsIn(scope: CommandScope): CoreCommands {
  return coreCommandsFor(joined(scope));
}

/** The core's commands for a caller: each call is a command (a transaction) of its own. */
export function coreCommandsFor(caller: Caller): CoreCommands {
  const services = Object.fromEntries(coreServices.map(([name, service]) => [name, (input: unknown) => service(caller, input)]));
  return { ...services, ...trashCommandsFor(caller) } as unknown as CoreCommands;
}
