import { diffPluginMigrations } from '@crm/db/dev-tools';
import { testPostgresUrl } from '@crm/db/testing';
import type { Plugin } from '@crm/plugin-sdk';
import { createPluginHost } from '@crm/plugin-sdk/host';

/**
 * The SQL your migrations lack to match your schema fragment ('' when they agree): replays core's, your
 * requirements' and your migrations into a shadow database on the test PostgreSQL server and diffs them with
 * Prisma's schema engine. Foreign keys to core rows that you wrote by hand are not reported.
 */
export async function missingPluginMigrations(plugin: Plugin): Promise<string> {
  const ordered = createPluginHost([plugin, ...(await requirementsOf(plugin))]).plugins;
  const source = (p: Plugin) => {
    if (!p.paths.prisma || !p.paths.migrations) return null;
    return { id: p.id, prisma: p.paths.prisma, migrations: p.paths.migrations };
  };
  const own = source(plugin);
  if (!own) return '';
  const requires = ordered.filter((p) => p.id !== plugin.id).map(source).filter((s) => s !== null);
  return diffPluginMigrations({ databaseUrl: testPostgresUrl(), plugin: own, requires });
}

async function requirementsOf(plugin: Plugin): Promise<Plugin[]> {
  if (!plugin.requires.plugins.length) return [];
  const { loadPlugins } = await import('@crm/plugin-sdk/host');
  const { available } = await loadPlugins({ env: { CRM_PLUGINS: '' } });
  return available.filter((a) => plugin.requires.plugins.includes(a.id)).map((a) => a.plugin);
}
