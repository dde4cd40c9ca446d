// `crm plugin migration <dir> <name>`: a plugin's next migration, by diffing core + fragments against the migrations.
// Works on an unbuilt plugin: the fragment and the migrations folder are found by convention in its folder.
import fs from 'node:fs';
import path from 'node:path';
import { createPluginMigration, type CreatedPluginMigration, type PluginSchemaSource } from '@crm/db/dev-tools';
import type { Plugin } from '../plugin.js';
import { importPlugin, loadPlugins } from '../host/load-plugins.js';
import { createPluginHost } from '../host/plugin-host.js';

const sourceOf = (plugin: Plugin): PluginSchemaSource | null =>
  plugin.paths.prisma && plugin.paths.migrations ? { id: plugin.id, prisma: plugin.paths.prisma, migrations: plugin.paths.migrations } : null;

/** A plugin's id from its package name when it is not built: `@acme/crm-plugin-nps` → `nps`. */
const idFromPackageName = (name: string) => name.replace(/^@[^/]+\//, '').replace(/^(crm-)?plugin-/, '');

export interface PluginFolder {
  /** The built plugin, when its entry imports (its `requires` and paths then count). */
  plugin: Plugin | null;
  source: PluginSchemaSource;
}

/** The plugin in `dir`: its definition when built, else its fragment and migrations folder by convention. */
export async function pluginFolder(dir: string): Promise<PluginFolder> {
  const built = await importPlugin(dir).then(
    ({ plugin }) => plugin,
    () => null,
  );
  const own = built && sourceOf(built);
  if (own) return { plugin: built, source: own };
  const folder = path.join(dir, 'prisma/schema');
  const single = path.join(dir, 'prisma/schema.prisma');
  const prisma = fs.existsSync(folder) ? folder : fs.existsSync(single) ? single : null;
  if (!prisma) throw new Error(`${dir} has no schema fragment (prisma/schema/ or prisma/schema.prisma)`);
  const name = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name ?? path.basename(dir);
  return { plugin: null, source: { id: built?.id ?? idFromPackageName(name), prisma, migrations: path.join(dir, 'prisma/migrations') } };
}

/**
 * Writes `<timestamp>_<name>/migration.sql` into the plugin's migrations folder (`folder: null` when nothing changed),
 * foreign keys to core rows included. The plugins it requires are looked up among the available ones. PostgreSQL at
 * `databaseUrl` hosts the shadow database (fast); without it an in-memory PGlite does (slower, ~1 GB).
 */
export async function createMigrationFor(
  target: PluginFolder,
  name: string,
  options: { databaseUrl?: string; root?: string } = {},
): Promise<CreatedPluginMigration> {
  const { plugin, source } = target;
  let requires: PluginSchemaSource[] = [];
  if (plugin?.requires.plugins.length) {
    const { available } = await loadPlugins({ env: { CRM_PLUGINS: '' }, ...(options.root ? { root: options.root } : {}) });
    const ordered = createPluginHost([plugin, ...available.filter((a) => plugin.requires.plugins.includes(a.id)).map((a) => a.plugin)]).plugins;
    requires = ordered.filter((p) => p.id !== plugin.id).map(sourceOf).filter((s) => s !== null);
  }
  return createPluginMigration(name, { plugin: source, requires, ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}) });
}
