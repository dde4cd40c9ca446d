import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pgliteExtensions } from '../database.js';
import { pgFactory, pgliteFactory, type ClosableFactory } from './adapter-factories.js';
import { coreMigrationsDir } from './folder.js';
import { createSchemaEngine, listMigrations, type MigrationsList, noFilter, readSchemaFiles, schemaDir, type SchemaFile } from './schema-engine.js';

export interface DevToolOptions {
  /** PostgreSQL server to use for shadow databases (fast); an in-memory PGlite otherwise (slow, ~1 GB). */
  databaseUrl?: string;
  schemaFiles?: SchemaFile[];
  migrationsDir?: string;
  /** A replay list built by the caller (plugins: core's folder then theirs); overrides `migrationsDir`. */
  migrations?: MigrationsList;
}

async function withEngine<T>(options: DevToolOptions, fn: (engine: Awaited<ReturnType<typeof createSchemaEngine>>, files: SchemaFile[]) => Promise<T>) {
  let factory: ClosableFactory;
  if (options.databaseUrl) {
    factory = pgFactory(options.databaseUrl);
  } else {
    factory = pgliteFactory(await PGlite.create('memory://', { extensions: pgliteExtensions }));
  }
  const files = options.schemaFiles ?? coreSchemaFiles();
  const engine = await createSchemaEngine(factory, files);
  try {
    return await fn(engine, files);
  } finally {
    engine.free();
    await factory.close();
  }
}

/** The core schema: every file of the schema folder except the composed plugin fragments (prisma/schema/plugins/). */
export function coreSchemaFiles(): SchemaFile[] {
  const plugins = path.join(schemaDir, 'plugins') + path.sep;
  return readSchemaFiles(schemaDir).filter((file) => !file.path.startsWith(plugins));
}

/**
 * The SQL that would bring a database migrated with the folder up to the schema; empty when they agree.
 * Uses a shadow database (created and dropped on the PostgreSQL server when `databaseUrl` is given).
 */
export async function diffMigrationsToSchema(options: DevToolOptions = {}): Promise<string> {
  const migrations = withPlainTriggers(options.migrations ?? listMigrations(options.migrationsDir ?? coreMigrationsDir));
  return withEngine(options, async (engine, files) => {
    const result = await engine.diff({
      from: { tag: 'migrations', ...migrations },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: null,
      filters: noFilter,
    });
    const script = withoutKnownExtensions((result.stdout ?? '').trim(), migrations);
    return script === '-- This is an empty migration.' ? '' : script;
  });
}

/**
 * Prisma's schema describer panics on a constraint trigger (its pg_constraint row has contype 't'), and Prisma
 * models no triggers anyway: the shadow database gets each `CREATE CONSTRAINT TRIGGER` as a plain trigger. Only
 * the drift check's copy changes; databases are migrated with the files as written.
 */
function withPlainTriggers(migrations: MigrationsList): MigrationsList {
  const plain = (sql: string) =>
    sql.replace(/CREATE CONSTRAINT TRIGGER([^;]*?)\s+(?:NOT DEFERRABLE|DEFERRABLE)(?:\s+INITIALLY\s+(?:DEFERRED|IMMEDIATE))?/g, 'CREATE TRIGGER$1');
  return {
    ...migrations,
    migrationDirectories: migrations.migrationDirectories.map((dir) =>
      dir.migrationFile.content.tag === 'ok'
        ? { ...dir, migrationFile: { ...dir.migrationFile, content: { tag: 'ok', value: plain(dir.migrationFile.content.value) } } }
        : dir,
    ),
  };
}

/**
 * Through a driver adapter the WASM engine does not see extensions in the shadow database, so it proposes
 * `CREATE EXTENSION IF NOT EXISTS "x"` again even when a migration already creates it. Drop exactly those
 * statements (idempotent, and present in the folder); anything else is real drift.
 */
function withoutKnownExtensions(script: string, migrations: MigrationsList): string {
  const created = new Set<string>();
  for (const dir of migrations.migrationDirectories) {
    if (dir.migrationFile.content.tag !== 'ok') continue;
    for (const match of dir.migrationFile.content.value.matchAll(/CREATE EXTENSION IF NOT EXISTS "([\w-]+)"/g)) created.add(match[1]!);
  }
  return script
    .split(/\n\n/)
    .filter((block) => {
      const match = /^-- CreateExtension\nCREATE EXTENSION IF NOT EXISTS "([\w-]+)";$/.exec(block.trim());
      return !(match && created.has(match[1]!));
    })
    .join('\n\n')
    .trim();
}

/** Creates `<timestamp>_<name>/migration.sql` from the schema, like `prisma migrate dev --create-only`. */
export async function createMigration(name: string, options: DevToolOptions = {}): Promise<string | null> {
  const migrationsDir = options.migrationsDir ?? coreMigrationsDir;
  writeLockFile(migrationsDir);
  const sql = await diffMigrationsToSchema(options);
  if (!sql) return null;
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const folder = path.join(migrationsDir, `${stamp}_${name.replace(/[^a-z0-9_]+/gi, '_').toLowerCase()}`);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'migration.sql'), `${sql}\n`);
  return folder;
}

/** The engine reads the connector from `migration_lock.toml`; a new folder needs one first. */
function writeLockFile(migrationsDir: string) {
  const lock = path.join(migrationsDir, 'migration_lock.toml');
  if (fs.existsSync(lock)) return;
  fs.mkdirSync(migrationsDir, { recursive: true });
  fs.writeFileSync(lock, '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n');
}
