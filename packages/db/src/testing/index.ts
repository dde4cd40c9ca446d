// Test databases: a migrated PGlite template built once per run (cached across runs by migration checksum), loaded
// into a fresh in-memory PGlite per test file (~0.7 s instead of a 3-6 s initdb); and throwaway PostgreSQL
// databases for the scale-out suites, copied from a migrated template database the same way (CREATE DATABASE …
// TEMPLATE takes ~0.2 s where running every migration took ~4 s on a loaded machine).
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type Database, fromPGlite, fromPool, type OpenDatabaseOptions, pgliteExtensions, postgresPool } from '../database.js';
import { coreMigrations, type Migration } from '../migrations/folder.js';

const pgliteVersion = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
}).dependencies['@electric-sql/pglite'];

/** Names a template by what built it: the engine and every migration's checksum. */
function templateKey(engine: string, migrations: readonly Migration[]): string {
  const hash = createHash('sha256');
  hash.update(`${engine}\n`);
  for (const migration of migrations) hash.update(`${migration.name}:${migration.checksum}\n`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Path of a tarball of a migrated, empty PGlite data directory, made if missing. `extra` migrations (plugins')
 * are applied after the core ones. Safe to call from several processes at once (atomic rename).
 */
export async function ensurePGliteTemplate(extra: readonly Migration[] = []): Promise<string> {
  const migrations = [...coreMigrations(), ...extra];
  const file = path.join(os.tmpdir(), `crm-pglite-template-${templateKey(`pglite ${pgliteVersion}`, migrations)}.tar`);
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

const databaseUrl = (serverUrl: string, name: string) => {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

/**
 * Name of a migrated, empty template database on the test server, made if missing (core's migrations then `extra`).
 * Kept across runs like the PGlite template: its name carries the migrations' checksums, so a changed migration
 * gets a new one. Built under an advisory lock and renamed into place, so processes starting together build it once;
 * connections to it are then refused, because CREATE DATABASE … TEMPLATE fails while anyone is connected.
 */
async function ensurePostgresTemplate(adminUrl: string, extra: readonly Migration[]): Promise<string> {
  const name = `crm_template_${templateKey('postgres', [...coreMigrations(), ...extra])}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const exists = async () => (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  try {
    if (await exists()) return name;
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    try {
      if (await exists()) return name;
      const building = `${name}_building`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`); // left by a run that was killed
      await admin.query(`CREATE DATABASE "${building}"`);
      const database = fromPool(new pg.Pool({ connectionString: databaseUrl(adminUrl, building), max: 2 }));
      try {
        await database.migrate(extra);
      } finally {
        await database.close();
      }
      // A closed pool's server processes may still be exiting; RENAME refuses a database anyone is connected to.
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [building]);
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS false IS_TEMPLATE true`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
    }
  } finally {
    await admin.end();
  }
  return name;
}

/**
 * Creates a uniquely named, migrated PostgreSQL database (dropped by `drop()`): a copy of the template database for
 * these migrations (see {@link ensurePostgresTemplate}).
 */
export async function createTestPostgres(extra: readonly Migration[] = [], options: OpenDatabaseOptions = {}): Promise<TestPostgres> {
  const adminUrl = testPostgresUrl();
  const template = await ensurePostgresTemplate(adminUrl, extra);
  const name = `crm_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(adminUrl, name);
  // The gateway's own pool (`postgresPool`: pipelined transactions, so a command's last write and its events ride with
  // its COMMIT), so that tests run the path production does; its waits bounded generously for a loaded machine.
  const database = fromPool(postgresPool({ kind: 'postgres', url, poolSize: 10, timeoutMs: 60_000 }), options);
  // A check, not work: on a copy of the template it finds every migration applied.
  await database.migrate(extra);
  return {
    url,
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
