// A plugin's `sql` tag outside a request (tests, tools): the same table rules as inside the plugin.
import type { Plugin } from '../plugin.js';
import { createPluginSql, type PluginSql, type RawQueryRunner } from '../plugin-sql.js';
import { type TableAccess, tableAccessFor } from '../table-access.js';

/** The `sql` tag `plugin` gets in `workspaceId`, running on `runner` (a Prisma client or transaction). */
export function sqlFor(plugin: Plugin, runner: RawQueryRunner, workspaceId: string): PluginSql {
  let access: TableAccess | null = null;
  return createPluginSql(runner, workspaceId, () => (access ??= tableAccessFor(plugin.paths.prisma)));
}
