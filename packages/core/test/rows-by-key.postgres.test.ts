// The statements of the commands a workflow's steps call find their rows by key, whatever the table's statistics: on a
// table never analyzed (a fresh database's first minute) `"id" = ANY(…) AND "workspaceId" = $2` walked the workspace's
// entries of an index led by `workspaceId` (9,800 index entries a statement at 200 workflow runs a second), and a
// task's customer was checked by a Prisma read before its insert (docs/performance.md, "Session 12").
import { type Database, fromPool, postgresPool } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRunner } from '../src/command.js';
import { updateCustomersTags } from '../src/services/customer-tags.js';
import { createTasks } from '../src/services/task-creation.js';
import { systemSession } from '../src/session.js';
import { createWorkspace } from '../src/workspaces.js';

let target: TestPostgres;
let gatewayDb: Database;
const statements: { query: string; params: unknown[] }[] = [];
let runner: CommandRunner;
let workspaceId: string;
let customers: string[];

beforeAll(async () => {
  target = await createTestPostgres();
  gatewayDb = fromPool(postgresPool({ kind: 'postgres', url: target.url, poolSize: 2 }), {
    onQuery: ({ query, params }) => statements.push({ query, params: JSON.parse(params) as unknown[] }),
  });
  runner = new CommandRunner({ prisma: gatewayDb.prisma });
  ({ workspaceId } = await createWorkspace(target.database.prisma, { name: 'by key' }));
  const other = await createWorkspace(target.database.prisma, { name: 'another' });
  // Tables without statistics, as in a fresh database: no ANALYZE, and autovacuum kept from running one.
  for (const table of ['Customer', 'Task']) await target.database.sql.query(`ALTER TABLE "${table}" SET (autovacuum_enabled = false)`);
  for (const [workspace, count] of [[workspaceId, 3000], [other.workspaceId, 200]] as const) {
    await target.database.sql.query(
      `INSERT INTO "Customer" (id, "workspaceId", name, "updatedAt") SELECT gen_random_uuid(), $1::uuid, 'Customer ' || g, now() FROM generate_series(1, $2::int) g`,
      [workspace, count],
    );
  }
  customers = (await target.database.sql.query<{ id: string }>(`SELECT id::text FROM "Customer" WHERE "workspaceId" = $1 ORDER BY random() LIMIT 20`, [workspaceId])).map((r) => r.id);
});
afterAll(async () => {
  await gatewayDb?.close();
  await target?.drop();
});

/** The scans of "Customer" in the plan of a logged statement (EXPLAIN, not run). */
async function customerScans(statement: { query: string; params: unknown[] }): Promise<string[]> {
  const [row] = await target.database.sql.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${statement.query}`, statement.params);
  const scans: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    if (node['Relation Name'] === 'Customer' && String(node['Node Type']).includes('Scan')) scans.push(`${String(node['Node Type'])}${node['Index Name'] ? ` ${String(node['Index Name'])}` : ''}`);
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk((row!['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
  return scans;
}

describe('the tag and task commands on tables without statistics', () => {
  it('tags: the customers are locked and read each by its key, and updated without walking the workspace', async () => {
    statements.length = 0;
    const results = await updateCustomersTags(runner.callerFor(systemSession(workspaceId)), { items: customers.map((id) => ({ id, add: ['by-key'] })) });
    expect(results.every((result) => 'value' in result)).toBe(true);
    const lock = statements.find((s) => s.query.includes('FOR UPDATE'))!;
    const update = statements.find((s) => s.query.startsWith('UPDATE "Customer"'))!;
    expect(await customerScans(lock)).toEqual(['Index Scan Customer_pkey']);
    // The update's scan is the planner's to choose by the table's size (its id array or the whole, small, table); never
    // an index led by `workspaceId`.
    for (const scan of await customerScans(update)) expect(scan).toMatch(/Customer_pkey|^Seq Scan$/);
  });

  it('tasks: one statement, the insert, which checks each customer by its key; a customer gone fails its item alone', async () => {
    const [trashed] = customers.slice(-1);
    await target.database.sql.query(`UPDATE "Customer" SET "deletedAt" = now() WHERE id = $1`, [trashed]);
    const theirs = (await target.database.sql.query<{ id: string }>(`SELECT id::text FROM "Customer" WHERE "workspaceId" <> $1 LIMIT 1`, [workspaceId]))[0]!.id;
    const named = [...customers.slice(0, 10), trashed!, theirs, '00000000-0000-4000-8000-000000000000'];
    statements.length = 0;
    const results = await createTasks(runner.callerFor(systemSession(workspaceId)), { items: [...named.map((customerId) => ({ title: 'Call', customerId })), { title: 'No customer' }] });
    const written = statements.filter((s) => !/^(BEGIN|COMMIT)/.test(s.query) && !s.query.startsWith('INSERT INTO "Event"') && !s.query.includes('FROM "Event"'));
    expect(written.map((s) => s.query.slice(0, 18))).toEqual(['INSERT INTO "Task"']);
    expect(await customerScans(written[0]!)).toEqual(['Index Scan Customer_pkey']);
    expect(results.slice(0, 10).every((result) => 'value' in result && result.value.customerId !== null)).toBe(true);
    for (const result of results.slice(10, 13)) expect(result).toMatchObject({ error: { code: 'NOT_FOUND', field: 'customerId' } });
    expect(results[13]).toMatchObject({ value: { title: 'No customer', customerId: null } });
    const stored = await target.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Task" WHERE "workspaceId" = $1`, [workspaceId]);
    expect(Number(stored[0]!.n)).toBe(11);
  });
});
