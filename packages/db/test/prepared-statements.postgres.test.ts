// Repeated statements are prepared once per connection (statement-names.ts): PostgreSQL then parses and plans them
// once, not on every request. Checked on the connection itself (`pg_prepared_statements` lists its own).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseConfigFromEnv, openDatabase, type Database } from '../src/index.js';
import { statementNamer } from '../src/statement-names.js';
import { createTestPostgres, type TestPostgres } from '../src/testing/index.js';

describe('prepared statements on PostgreSQL', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await createTestPostgres();
  });
  afterAll(async () => {
    await pg?.drop();
  });

  async function preparedAfterRepeating(preparedStatements: boolean) {
    const database: Database = await openDatabase({ kind: 'postgres', url: pg.url, poolSize: 1, preparedStatements }, { migrate: false });
    try {
      const workspaceId = randomUUID();
      for (let i = 0; i < 3; i++) await database.prisma.customer.findMany({ where: { workspaceId }, take: 5 });
      const rows = await database.prisma.$queryRawUnsafe<{ name: string; statement: string }[]>('SELECT name, statement FROM pg_prepared_statements');
      return rows;
    } finally {
      await database.close();
    }
  }

  it('a statement seen twice is prepared on its connection and reused', async () => {
    const prepared = await preparedAfterRepeating(true);
    const customers = prepared.filter((p) => p.name.startsWith('crm_') && p.statement.includes('"Customer"'));
    expect(customers).toHaveLength(1);
  });

  it('DATABASE_PREPARED_STATEMENTS=off sends every statement unnamed', async () => {
    expect(databaseConfigFromEnv({ DATABASE_URL: pg.url, DATABASE_PREPARED_STATEMENTS: 'off' })).toMatchObject({ preparedStatements: false });
    expect(() => databaseConfigFromEnv({ DATABASE_URL: pg.url, DATABASE_PREPARED_STATEMENTS: 'maybe' })).toThrow(/on or off/);
    expect(await preparedAfterRepeating(false)).toEqual([]);
  });
});

describe('statementNamer', () => {
  const query = (sql: string) => ({ sql, args: [], argTypes: [] });
  it('names a text the second time it is seen, the same name every time after; never utility statements', () => {
    const name = statementNamer(2);
    expect(name(query('SELECT 1'))).toBe('');
    const first = name(query('SELECT 1'));
    expect(first).toMatch(/^crm_[0-9a-f]{40}$/);
    expect(name(query('SELECT 1'))).toBe(first);
    expect(name(query('BEGIN'))).toBe('');
    expect(name(query('BEGIN'))).toBe('');
  });
  it('never names a queue claim (FOR UPDATE SKIP LOCKED): planned with its table as it is at each claim', () => {
    const name = statementNamer();
    const claim = 'UPDATE "Job" AS q SET "dueAt" = now() WHERE q.id = ANY(ARRAY(SELECT id FROM "Job" WHERE "dueAt" <= now() LIMIT 5 FOR UPDATE SKIP LOCKED))';
    for (let i = 0; i < 3; i++) expect(name(query(claim))).toBe('');
  });
  it('names at most `limit` texts', () => {
    const name = statementNamer(1);
    name(query('SELECT 1'));
    expect(name(query('SELECT 1'))).not.toBe('');
    name(query('SELECT 2'));
    expect(name(query('SELECT 2'))).toBe('');
  });
});
