// Test databases: a migrated PGlite template built once per run (cached across runs by migration checksum), loaded
// into a fresh in-memory PGlite per test file (~0.7 s instead of a 3-6 s initdb); and throwaway PostgreSQL
// databases for the scale-out suites.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type Database, fromPGlite, fromPool, type OpenDatabaseOptions, pgliteExtensions } from '../database.js';
import { coreMigrations, type Migration } from '../migrations/folder.js';

const pgliteVersion = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
}).dependencies['@electric-sql/pglite'];

function templateKey(migrations: readonly Migration[]): string {
  const hash = createHash('sha256');
  hash.update(`pglite ${pgliteVersion}\n`);
  for (const migration of migrations) hash.update(`${migration.name}:${migration.checksum}\n`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Path of a tarball of a migrated, empty PGlite data directory, made if missing. `extra` migrations (plugins')
 * are applied after the core ones. Safe to call from several processes at once (atomic rename).
 */
export async function ensurePGliteTemplate(extra: readonly Migration[] = []): Promise<string> {
  const migrations = [...coreMigrations(), ...extra];
  const file = path.join(os.tmpdir(), `crm-pglite-template-${templateKey(migrations)}.tar`);
  if (fs.existsSync(file)) return file;
  const pglite = await PGlite.create('memory://', { extensions: pgliteExtensions });
  const database = fromPGlite(pglite);
  try {
    await database.migrate(extra);
    const dump = await pglite.dumpDataDir('none');
    const temp = `${file}.${process.pid}.${randomUUID()}`;
    fs.writeFileSync(temp, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(temp, file);
  } finally {
    await database.close();
  }
  return file;
}

/** A fresh in-memory database loaded from a template made by {@link ensurePGliteTemplate}. Close it. */
export async function openTemplateDatabase(templateFile: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  const loadDataDir = new Blob([fs.readFileSync(templateFile)]);
  const pglite = await PGlite.create('memory://', { extensions: pgliteExtensions, loadDataDir });
  return fromPGlite(pglite, options);
}

export interface TestPostgres {
  url: string;
  database: Database;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** The server the scale-out tests use. @default postgres://postgres@127.0.0.1:5432/postgres */
export const testPostgresUrl = () => process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Creates a uniquely named, migrated PostgreSQL database (dropped by `drop()`). */
export async function createTestPostgres(extra: readonly Migration[] = [], options: OpenDatabaseOptions = {}): Promise<TestPostgres> {
  const adminUrl = testPostgresUrl();
  const name = `crm_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = fromPool(new pg.Pool({ connectionString: url.toString(), max: 10 }), options);
  await database.migrate(extra);
  return {
    url: url.toString(),
    database,
    async drop() {
      await database.close();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
