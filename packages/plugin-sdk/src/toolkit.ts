// The plugin's side of the GraphQL boundary: what `graphql(builder, plugin)` gets as `plugin`. Every resolver of a
// plugin reaches settings, permissions, commands and batching through it, so none needs core internals.
import { type Caller, type CommandScope, CrmError, forbidden } from '@crm/core';
import type { GraphContext } from '@crm/graph';
import { type RequestLoader, requestLoader } from './request-loader.js';
import type { PermissionDefinition } from './definition.js';
import { readStoredSettings } from './settings-store.js';

/** A command's scope plus the plugin's settings in that workspace. */
export interface PluginCommandScope<Settings> extends CommandScope {
  settings: Settings;
}

export interface PluginToolkit<Settings, Permission extends string> {
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
  run<T>(context: GraphContext, permission: Permission, fn: (scope: PluginCommandScope<Settings>) => Promise<T>): Promise<T>;
  /** A batching loader for fields on lists (one query per page); see {@link RequestLoader}. */
  loader<K, V>(batch: (keys: readonly K[], context: GraphContext) => Promise<ReadonlyMap<K, V>>): RequestLoader<K, V>;
}

export function createToolkit<Settings, Permission extends string>(
  id: string,
  permissions: Readonly<Record<string, PermissionDefinition>>,
  parseSettings: (raw: unknown) => Settings,
): PluginToolkit<Settings, Permission> {
  const authorize = (context: GraphContext, permission: Permission): Caller => {
    const caller = context.caller;
    if (!caller) throw new CrmError('UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <apiKey>');
    const roles = permissions[permission]?.roles ?? [];
    if (!roles.includes(caller.session.role)) {
      throw forbidden(`This needs the ${id} permission "${permission}" (roles: ${roles.join(', ') || 'none'}); your API key is ${caller.session.role}`);
    }
    return caller;
  };
  return {
    id,
    async settings(context) {
      const caller = context.caller;
      if (!caller) throw new CrmError('UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <apiKey>');
      return parseSettings(await readStoredSettings(caller.db, caller.session.workspaceId, id));
    },
    authorize,
    run(context, permission, fn) {
      const caller = authorize(context, permission);
      // The permission decided who may run it; the runner's own role floor is the lowest role.
      return caller.run(
        async (scope) => fn({ ...scope, settings: parseSettings(await readStoredSettings(scope.tx, scope.session.workspaceId, id)) }),
        { role: 'READ_ONLY' },
      );
    },
    loader: (batch) => requestLoader(batch),
  };
}
