import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPool } from '../src/database.js';
import { coreMigrations, readMigrationsFolder } from '../src/migrations/folder.js';
import { MigrationError } from '../src/migrations/runner.js';
import { createTestPostgres, type TestPostgres } from '../src/testing/index.js';

let target: TestPostgres;
beforeAll(async () => {
  // A migrated database; the tests below reset it to empty where they need to.
  target = await createTestPostgres();
});
afterAll(async () => {
  await target?.drop();
});

async function resetSchema() {
  await target.database.sql.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
}

describe('start-up migration runner (PostgreSQL)', () => {
  it('applies each pending migration once when several instances start together', async () => {
    await resetSchema();
    const instances = Array.from({ length: 4 }, () => fromPool(new pg.Pool({ connectionString: target.url, max: 2 })));
    try {
      const reports = await Promise.all(instances.map((db) => db.migrate()));
      const applied = reports.flatMap((r) => r.applied);
      expect(applied).toEqual(coreMigrations().map((m) => m.name));
      const rows = await target.database.sql.query<{ n: string }>('SELECT count(*)::text AS n FROM "_prisma_migrations"');
      expect(rows[0]!.n).toBe(String(coreMigrations().length));
      const again = await instances[0]!.migrate();
      expect(again).toEqual({ applied: [], alreadyApplied: coreMigrations().length });
    } finally {
      await Promise.all(instances.map((db) => db.close()));
    }
  });

  it('rolls a failing migration back whole and records nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-migrations-'));
    fs.mkdirSync(path.join(dir, '20990101000000_broken'));
    fs.writeFileSync(
      path.join(dir, '20990101000000_broken', 'migration.sql'),
      'CREATE TABLE "half_written" (id int);\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nSELECT no_such_function();\n',
    );
    const broken = readMigrationsFolder(dir, 'test');
    await expect(target.database.migrate(broken)).rejects.toBeInstanceOf(MigrationError);
    const tables = await target.database.sql.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_written'");
    expect(tables).toHaveLength(0);
    const recorded = await target.database.sql.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = 'test/20990101000000_broken'`);
    expect(recorded).toHaveLength(0);
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const [first] = coreMigrations();
    const edited = { ...first!, checksum: '0'.repeat(64) };
    await expect(target.database.migrate()).resolves.toBeDefined();
    const { applyMigrations } = await import('../src/migrations/runner.js');
    await expect(applyMigrations(target.database.sql, [edited])).rejects.toThrow(/changed after it was applied/);
  });
});
