// A plugin's `sql` tag and `rows` outside a request (tests, tools): the same table rules as inside the plugin.
import type { Permissions } from '@crm/core';
import type { Plugin } from '../plugin.js';
import { createOwnRows, type OwnModels, type OwnRows, ownModels } from '../own-rows.js';
import { createPluginSql, type PluginSql, type RawQueryRunner } from '../plugin-sql.js';
import { type TableAccess, tableAccessFor } from '../table-access.js';

/**
 * The `sql` tag `plugin` gets in `workspaceId`, running on `runner` (a Prisma client or transaction); with an API key's
 * `permissions`, narrowed by them as in a request.
 */
export function sqlFor(plugin: Plugin, runner: RawQueryRunner, workspaceId: string, permissions?: Permissions): PluginSql {
  let access: TableAccess | null = null;
  return createPluginSql(plugin.id, runner, workspaceId, () => (access ??= tableAccessFor(plugin.paths.prisma)), permissions);
}

/** The `rows` (writes of its own models, see `OwnRows`) `plugin` gets in `workspaceId`, running on `runner`. */
export function rowsFor(plugin: Plugin, runner: RawQueryRunner, workspaceId: string): OwnRows {
  let own: OwnModels | null = null;
  return createOwnRows(plugin.id, runner, workspaceId, () => (own ??= ownModels(plugin.paths.prisma)));
}
