// The planner-statistics job (apps/gateway/src/planner-statistics-job.ts): where autovacuum does not analyze (PGlite,
// the embedded default, has none; a server with `autovacuum = off`), a table that grew without statistics is
// analyzed, so a read by ids finds its rows by key instead of walking the workspace's index (docs/performance.md,
// "Session 13").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

/**
 * Customers written straight by SQL: enough pages for the job to look at the table. The connection's counts are then
 * flushed to the statistics system (a backend reports them at most once a second, or when idle), as they would be by
 * the time a round comes.
 */
async function addCustomers(t: TestGateway, count: number): Promise<void> {
  await t.database.sql.withSession(async (session) => {
    await session.query(
      `INSERT INTO "Customer" (id, "workspaceId", name, "updatedAt") SELECT gen_random_uuid(), $1::uuid, 'Customer ' || g, now() FROM generate_series(1, $2::int) g`,
      [t.workspace.workspaceId, count],
    );
    await session.query('SELECT pg_stat_force_next_flush()');
    await session.query('SELECT 1');
  });
}

/** The rows the planner's statistics count in "Customer", and whether they hold the workspace column's (null: none taken). */
async function statistics(t: TestGateway): Promise<number | null> {
  const [row] = await t.database.sql.query<{ rows: number; columns: number }>(
    `SELECT reltuples::float8 AS rows, (SELECT count(*)::int FROM pg_stats WHERE tablename = 'Customer' AND attname = 'workspaceId') AS columns
       FROM pg_class WHERE oid = '"Customer"'::regclass`,
  );
  return row!.columns ? row!.rows : null;
}

/** The index a read of ten customers by id in the workspace (the shape of Prisma's scoped read) takes. */
async function byIdsPlan(t: TestGateway): Promise<string> {
  const ids = (await t.database.sql.query<{ id: string }>(`SELECT id::text FROM "Customer" ORDER BY random() LIMIT 10`)).map((row) => row.id);
  const [row] = await t.database.sql.query<{ 'QUERY PLAN': { Plan: Record<string, unknown> }[] }>(
    `EXPLAIN (FORMAT JSON) SELECT * FROM "Customer" WHERE id = ANY($1::uuid[]) AND "workspaceId" = $2::uuid AND "deletedAt" IS NULL`,
    [ids, t.workspace.workspaceId],
  );
  const names: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    if (node['Index Name']) names.push(String(node['Index Name']));
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk(row!['QUERY PLAN'][0]!.Plan);
  return names.join(',');
}

for (const database of ['pglite', 'postgres'] as const) {
  describe(`planner statistics on ${database}`, () => {
    let t: TestGateway;
    beforeAll(async () => {
      t = await startTestGateway({ database });
      // Kept from autovacuum where the server runs it, so that the job is what analyzes.
      if (database === 'postgres') await t.database.sql.query(`ALTER TABLE "Customer" SET (autovacuum_enabled = false)`);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('analyzes a table that grew without statistics, again when it doubles, not in between', async () => {
      await addCustomers(t, 20);
      expect(await t.gateway.plannerStatistics!.runOnce()).not.toContain('public."Customer"'); // a few pages: left alone
      await addCustomers(t, 4000);
      // An index built now sets the table's row count, but takes no statistics: the table is still due.
      await t.database.sql.query(`CREATE INDEX "Customer_planner_probe_idx" ON "Customer" (name)`);
      expect(await statistics(t)).toBeNull();
      expect(await byIdsPlan(t)).not.toBe('Customer_pkey'); // the planner's guess: a walk of a workspace index
      expect(await t.gateway.plannerStatistics!.runOnce()).toContain('public."Customer"');
      expect(await statistics(t)).toBe(4020);
      expect(await byIdsPlan(t)).toBe('Customer_pkey');

      await addCustomers(t, 1000); // a quarter more
      expect(await t.gateway.plannerStatistics!.runOnce()).not.toContain('public."Customer"');
      await addCustomers(t, 4000); // twice the pages it had
      expect(await t.gateway.plannerStatistics!.runOnce()).toContain('public."Customer"');
      expect(await statistics(t)).toBe(9020);
    });
  });
}
