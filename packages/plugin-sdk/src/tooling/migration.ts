// `crm plugin migration <dir> <name>`: a plugin's next migration, by diffing core + fragments against the migrations.
import { createPluginMigration, type PluginSchemaSource } from '@crm/db/dev-tools';
import type { Plugin } from '../definition.js';
import { loadPlugins } from '../host/load-plugins.js';
import { createPluginHost } from '../host/plugin-host.js';

const sourceOf = (plugin: Plugin): PluginSchemaSource | null =>
  plugin.paths.prisma && plugin.paths.migrations ? { id: plugin.id, prisma: plugin.paths.prisma, migrations: plugin.paths.migrations } : null;

/**
 * Writes `<timestamp>_<name>/migration.sql` into the plugin's migrations folder (null when nothing changed). The
 * plugins it requires are looked up among the available ones. PostgreSQL at `databaseUrl` hosts the shadow
 * database (fast); without it an in-memory PGlite does (slow, ~1 GB).
 */
export async function createMigrationFor(plugin: Plugin, name: string, options: { databaseUrl?: string; root?: string } = {}): Promise<string | null> {
  const own = sourceOf(plugin);
  if (!own) throw new Error(`plugin ${plugin.id} declares no prisma fragment and migrations folder`);
  let requires: PluginSchemaSource[] = [];
  if (plugin.requires.plugins.length) {
    const { available } = await loadPlugins({ env: { CRM_PLUGINS: '' }, ...(options.root ? { root: options.root } : {}) });
    const ordered = createPluginHost([plugin, ...available.filter((a) => plugin.requires.plugins.includes(a.id)).map((a) => a.plugin)]).plugins;
    requires = ordered.filter((p) => p.id !== plugin.id).map(sourceOf).filter((s) => s !== null);
  }
  return createPluginMigration(name, { plugin: own, requires, ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}) });
}
