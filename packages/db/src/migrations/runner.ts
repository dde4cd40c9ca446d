import { randomUUID } from 'node:crypto';
import type { SqlDatabase, SqlSession } from '../sql.js';
import type { Migration } from './folder.js';

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Same table Prisma's schema engine keeps, so `prisma migrate status` agrees where the native engine exists. */
const createTable = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** Arbitrary but fixed: every instance of the gateway and the CLI take the same advisory lock. */
const MIGRATION_LOCK_KEY = 7_263_120_001;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Applies pending migrations in order, each in its own transaction, under a session advisory lock so that
 * instances starting together apply each migration once. This is the start-up path: it compares names and
 * checksums with `_prisma_migrations` and never loads the (slow) schema engine.
 */
export async function applyMigrations(db: SqlDatabase, migrations: readonly Migration[]): Promise<MigrationReport> {
  return db.withSession(async (session) => {
    await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await applyLocked(session, migrations);
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}

async function applyLocked(session: SqlSession, migrations: readonly Migration[]): Promise<MigrationReport> {
  await session.exec(createTable);
  const rows = await session.query<AppliedRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
  );
  const applied = new Map(rows.filter((r) => r.rolled_back_at === null).map((r) => [r.migration_name, r]));
  const report: MigrationReport = { applied: [], alreadyApplied: 0 };
  for (const migration of migrations) {
    const row = applied.get(migration.name);
    if (row) {
      if (row.finished_at === null) {
        throw new MigrationError(
          `Migration ${migration.name} started but did not finish. Inspect the database, then mark it rolled back ` +
            `(UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${migration.name}').`,
        );
      }
      if (row.checksum !== migration.checksum) {
        throw new MigrationError(`Migration ${migration.name} was changed after it was applied; add a new migration instead.`);
      }
      report.alreadyApplied++;
      continue;
    }
    await applyOne(session, migration);
    report.applied.push(migration.name);
  }
  return report;
}

async function applyOne(session: SqlSession, migration: Migration): Promise<void> {
  const startedAt = new Date();
  await session.exec('BEGIN');
  try {
    await session.exec(migration.sql);
    await session.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, now(), $3, $4, 1)`,
      [randomUUID(), migration.checksum, migration.name, startedAt],
    );
    await session.exec('COMMIT');
  } catch (error) {
    await session.exec('ROLLBACK');
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${reason}`);
  }
}
