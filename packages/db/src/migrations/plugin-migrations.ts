// A plugin's migrations, created the way core's are: replay core's migrations, then those of the plugins it
// requires, then its own into a shadow database, and diff that against core + their fragments + its fragment.
import fs from 'node:fs';
import path from 'node:path';
import { coreMigrationsDir } from './folder.js';
import { coreForeignKeys, coreReferences } from './core-references.js';
import { coreSchemaFiles, diffMigrationsToSchema, type DevToolOptions } from './dev-tool.js';
import { listMigrations, type MigrationsList, readSchemaFiles, type SchemaFile } from './schema-engine.js';

/** What the diff needs to know about a plugin (and about each plugin it requires). */
export interface PluginSchemaSource {
  id: string;
  /** The plugin's schema fragment: a folder of `.prisma` files, or one file. */
  prisma: string;
  migrations: string;
}

export interface PluginDiffOptions extends Pick<DevToolOptions, 'databaseUrl'> {
  plugin: PluginSchemaSource;
  /** Plugins it requires, in dependency order (their tables exist before its migrations run). */
  requires?: readonly PluginSchemaSource[];
}

function fragmentFiles(prisma: string): SchemaFile[] {
  if (fs.statSync(prisma).isDirectory()) return readSchemaFiles(prisma);
  return [{ path: prisma, content: fs.readFileSync(prisma, 'utf8') }];
}

/** Several migrations folders replayed as one, in order (core, then each plugin). */
function combinedMigrations(dirs: readonly { id: string; dir: string }[]): MigrationsList {
  const [first, ...rest] = dirs.map(({ id, dir }) => ({ id, list: listMigrations(dir) }));
  const combined = { ...first!.list, migrationDirectories: first!.list.migrationDirectories.map((d) => ({ ...d, path: `0_${first!.id}_${d.path}` })) };
  rest.forEach(({ id, list }, index) => {
    combined.migrationDirectories.push(...list.migrationDirectories.map((d) => ({ ...d, path: `${index + 1}_${id}_${d.path}` })));
  });
  return combined;
}

/**
 * A plugin refers to core rows by plain id columns with foreign keys written by hand in its migrations (a Prisma
 * relation would need a field on the core model). The engine sees those keys in the shadow database but not in the
 * schema and proposes to drop them: they are intended, so those statements are not drift.
 */
function withoutHandWrittenForeignKeyDrops(script: string): string {
  return script
    .split(/\n\n/)
    .filter((block) => !/^-- DropForeignKey\nALTER TABLE "[^"]+" DROP CONSTRAINT "[^"]+";$/.test(block.trim()))
    .join('\n\n')
    .trim();
}

/** The SQL that would bring a database with the plugin's migrations up to its fragment; empty when they agree. */
export async function diffPluginMigrations(options: PluginDiffOptions): Promise<string> {
  const chain = [...(options.requires ?? []), options.plugin];
  const files = [...coreSchemaFiles(), ...chain.flatMap((p) => fragmentFiles(p.prisma))];
  const migrations = combinedMigrations([{ id: 'core', dir: coreMigrationsDir }, ...chain.map((p) => ({ id: p.id, dir: p.migrations }))]);
  const script = await diffMigrationsToSchema({ ...options, schemaFiles: files, migrations });
  return withoutHandWrittenForeignKeyDrops(script);
}

export interface CreatedPluginMigration {
  /** The new migration's folder; null when the fragment and the migrations already agree. */
  folder: string | null;
  /** Foreign keys to core rows added to it (see core-references.ts). */
  foreignKeys: string[];
  /** `<Model>.<field>` columns named like references to a model that is neither core nor the plugin's: no key. */
  unresolvedReferences: string[];
}

/**
 * Writes `<timestamp>_<name>/migration.sql` into the plugin's migrations folder: the schema engine's diff, plus the
 * foreign keys to core rows that the fragment's new columns mean (the engine cannot know them: see core-references.ts).
 */
export async function createPluginMigration(name: string, options: PluginDiffOptions): Promise<CreatedPluginMigration> {
  const { references, unresolved } = coreReferences(coreSchemaFiles(), fragmentFiles(options.plugin.prisma));
  const sql = await diffPluginMigrations(options);
  if (!sql) return { folder: null, foreignKeys: [], unresolvedReferences: unresolved };
  const foreignKeys = coreForeignKeys(sql, references);
  const dir = options.plugin.migrations;
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const folder = path.join(dir, `${stamp}_${name.replace(/[^a-z0-9_]+/gi, '_').toLowerCase()}`);
  fs.mkdirSync(folder, { recursive: true });
  const lock = path.join(dir, 'migration_lock.toml');
  if (!fs.existsSync(lock)) fs.writeFileSync(lock, 'provider = "postgresql"\n');
  const keys = foreignKeys.length ? `\n\n-- AddForeignKey (to core rows: the fragment's <model>Id columns)\n${foreignKeys.join('\n')}` : '';
  fs.writeFileSync(path.join(folder, 'migration.sql'), `${sql}${keys}\n`);
  return { folder, foreignKeys, unresolvedReferences: unresolved };
}
