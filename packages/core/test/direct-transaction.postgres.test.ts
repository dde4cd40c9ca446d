// On the gateway's pool a command opens its transaction itself and Prisma's interactive transaction only when its body
// uses Prisma on `tx` (`@crm/db`'s direct-transaction.ts): one transaction either way, the same timeout as Prisma's.
import { CommandTransaction, type Database, executeRawIn, fromPool, postgresPool, queryRawIn } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRunner } from '../src/command.js';
import { createCustomer } from '../src/services/customers.js';
import { systemSession } from '../src/session.js';
import { createWorkspace } from '../src/workspaces.js';

let target: TestPostgres;
let gatewayDb: Database;
/** Every statement (ours and Prisma's), and those Prisma's client sent (its own query log). */
const statements: string[] = [];
const throughPrisma: string[] = [];

beforeAll(async () => {
  target = await createTestPostgres();
  gatewayDb = fromPool(postgresPool({ kind: 'postgres', url: target.url, poolSize: 2 }), { onQuery: ({ query }) => statements.push(query) });
  gatewayDb.prisma.$on('query' as never, (event: { query: string }) => throughPrisma.push(event.query));
});
afterAll(async () => {
  await gatewayDb?.close();
  await target?.drop();
});

const countIn = async (workspaceId: string) =>
  (await target.database.sql.query<{ customers: number; events: number }>(
    `SELECT (SELECT count(*)::int FROM "Customer" WHERE "workspaceId" = $1) AS customers, (SELECT count(*)::int FROM "Event" WHERE "workspaceId" = $1) AS events`,
    [workspaceId],
  ))[0];

describe("a command's own transaction", () => {
  it('of raw statements only: Prisma sends nothing, not even a BEGIN', async () => {
    const { workspaceId } = await createWorkspace(target.database.prisma, { name: 'raw only' });
    const caller = new CommandRunner({ prisma: gatewayDb.prisma, onCommitted: () => {} }).callerFor(systemSession(workspaceId));
    // The first reads the workspace's cached facts (custom fields, whether it has segments) through Prisma, in its transaction.
    await createCustomer(caller, { name: 'First' });
    statements.length = 0;
    throughPrisma.length = 0;
    await createCustomer(caller, { name: 'Ada' });
    expect(throughPrisma).toEqual([]);
    // Reported as Prisma's own path reports them: BEGIN not (it rides with the first statement), COMMIT last.
    expect(statements.map((sql) => sql.trim().split(/\s+/).slice(0, 3).join(' '))).toEqual(['WITH c AS', 'INSERT INTO "Event"', 'COMMIT']);
    expect(await countIn(workspaceId)).toEqual({ customers: 2, events: 4 });
  });

  it("with Prisma in its body: Prisma's calls run in the same transaction, see its raw writes and roll back with it", async () => {
    const { workspaceId } = await createWorkspace(target.database.prisma, { name: 'mixed' });
    const caller = new CommandRunner({ prisma: gatewayDb.prisma }).callerFor(systemSession(workspaceId));
    throughPrisma.length = 0;
    const seen: number[] = [];
    const failing = caller.run(async (scope) => {
      await createCustomer({ ...caller, run: (fn) => fn(scope) }, { name: 'Grace' });
      // A model call after a raw insert: it sees the uncommitted row, so it runs on the command's connection.
      seen.push(await scope.tx.customer.count({ where: { name: 'Grace' } }));
      await scope.tx.task.create({ data: { workspaceId, title: 'Call Grace' } });
      seen.push((await queryRawIn<{ n: number }>(scope.tx, `SELECT count(*)::int AS n FROM "Task" WHERE "workspaceId" = $1::uuid`, workspaceId))[0]!.n);
      await executeRawIn(scope.tx, `SELECT 1/0`);
    });
    await expect(failing).rejects.toBeTruthy();
    expect(seen).toEqual([1, 1]);
    expect(throughPrisma.some((sql) => sql.includes('"Task"'))).toBe(true);
    const tasks = await target.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Task" WHERE "workspaceId" = $1`, [workspaceId]);
    expect(tasks[0]!.n).toBe(0);
    expect(await countIn(workspaceId)).toEqual({ customers: 0, events: 0 });
    // The same again, ending well: all of it is committed, and the connections are clean for the next command.
    await caller.run(async (scope) => {
      await createCustomer({ ...caller, run: (fn) => fn(scope) }, { name: 'Grace' });
      await scope.tx.task.create({ data: { workspaceId, title: 'Call Grace' } });
    });
    expect(await countIn(workspaceId)).toEqual({ customers: 1, events: 2 });
  });

  it('past its timeout: rolled back, the command failed, its later statements refused, nothing kept', async () => {
    const { workspaceId } = await createWorkspace(target.database.prisma, { name: 'timeout' });
    const caller = new CommandRunner({ prisma: gatewayDb.prisma, timeoutMs: 300 }).callerFor(systemSession(workspaceId));
    let later: unknown = null;
    const slow = caller.run(async (scope) => {
      await createCustomer({ ...caller, run: (fn) => fn(scope) }, { name: 'Slow' });
      // Waits (without a clock of its own) until the timeout has ended the transaction: its connection let go.
      while (CommandTransaction.of(scope.tx)) await new Promise((resolve) => setTimeout(resolve, 20));
      later = await executeRawIn(scope.tx, `SELECT 1`).catch((error: unknown) => error);
    });
    await expect(slow).rejects.toMatchObject({ code: 'P2028' });
    expect(later).toMatchObject({ code: 'P2028' });
    expect(await countIn(workspaceId)).toEqual({ customers: 0, events: 0 });
    const open = await target.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`);
    expect(open[0]!.n).toBe(0);
    // Both of the pool's connections still serve commands.
    const next = new CommandRunner({ prisma: gatewayDb.prisma }).callerFor(systemSession(workspaceId));
    await Promise.all([createCustomer(next, { name: 'A' }), createCustomer(next, { name: 'B' })]);
    expect(await countIn(workspaceId)).toEqual({ customers: 2, events: 4 });
  });
});
