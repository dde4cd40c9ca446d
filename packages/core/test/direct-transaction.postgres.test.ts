// On the gateway's pool a command opens its transaction itself and Prisma's interactive transaction only when its body
// uses Prisma on `tx` (`@crm/db`'s direct-transaction.ts): one transaction either way, the same timeout as Prisma's.
import { CommandTransaction, type Database, executeRawIn, fromPool, postgresPool, queryRawIn, restrictTransaction } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRunner } from '../src/command.js';
import { createCustomer } from '../src/services/customers.js';
import { systemSession } from '../src/session.js';
import { createWorkspace } from '../src/workspaces.js';

let target: TestPostgres;
let gatewayDb: Database;
let gatewayPool: ReturnType<typeof postgresPool>;
/** Every statement (ours and Prisma's), and those Prisma's client sent (its own query log). */
const statements: string[] = [];
const throughPrisma: string[] = [];

beforeAll(async () => {
  target = await createTestPostgres();
  gatewayPool = postgresPool({ kind: 'postgres', url: target.url, poolSize: 2 });
  gatewayDb = fromPool(gatewayPool, { onQuery: ({ query }) => statements.push(query) });
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

  it("past its timeout while Prisma waits on a lock: what Prisma sends next is refused, never autocommitted", async () => {
    const { workspaceId } = await createWorkspace(target.database.prisma, { name: 'straddle' });
    const customer = await target.database.prisma.customer.create({ data: { workspaceId, name: 'C' } });
    const holderPool = postgresPool({ kind: 'postgres', url: target.url, poolSize: 1 });
    const holder = await holderPool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM "Customer" WHERE id = $1 FOR UPDATE`, [customer.id]);
      const caller = new CommandRunner({ prisma: gatewayDb.prisma, timeoutMs: 300 }).callerFor(systemSession(workspaceId));
      let tx: object | null = null;
      const straddling = caller.run(async (scope) => {
        await scope.tx.customer.count();
        tx = scope.tx;
        // Its first statement waits on the lock past the timeout; the task's insert comes after it.
        await scope.tx.customer.update({ where: { id: customer.id }, data: { name: 'X', tasks: { create: { workspaceId, title: 'leaked' } } } });
      });
      const outcome = straddling.catch((error: unknown) => error);
      // The lock is let go once the timeout has ended the command's transaction (no clock of the test's own).
      while (!tx || CommandTransaction.of(tx)) await new Promise((resolve) => setTimeout(resolve, 20));
      await holder.query('ROLLBACK');
      expect(await outcome).toMatchObject({ code: 'P2028' });
      const tasks = await target.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Task" WHERE "workspaceId" = $1`, [workspaceId]);
      const names = await target.database.sql.query<{ name: string }>(`SELECT name FROM "Customer" WHERE id = $1`, [customer.id]);
      expect({ tasks: tasks[0]!.n, name: names[0]!.name }).toEqual({ tasks: 0, name: 'C' });
      // Its connection went back to the pool, idle (none held, none lost).
      expect(gatewayPool.totalCount - gatewayPool.idleCount).toBe(0);
    } finally {
      holder.release();
      await holderPool.end();
    }
  });

  it("counts its timeout from its connection on, for Prisma's transaction too: a wait for the pool does not shorten it", async () => {
    const { workspaceId } = await createWorkspace(target.database.prisma, { name: 'pool wait' });
    const pool = postgresPool({ kind: 'postgres', url: target.url, poolSize: 1 });
    const db = fromPool(pool);
    try {
      const caller = new CommandRunner({ prisma: db.prisma, timeoutMs: 1_000 }).callerFor(systemSession(workspaceId));
      // The pool's only connection is held for most of the timeout; the command waits for it, then uses Prisma for
      // less than the whole timeout but more than what was left of it when it asked for the connection.
      const held = await pool.connect();
      const freed = new Promise<void>((resolve) => setTimeout(() => resolve(held.release()), 700));
      const run = caller.run(async (scope) => {
        await scope.tx.customer.count();
        await new Promise((resolve) => setTimeout(resolve, 500));
        await scope.tx.task.create({ data: { workspaceId, title: 'in time' } });
      });
      await freed;
      await run;
      const tasks = await target.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Task" WHERE "workspaceId" = $1`, [workspaceId]);
      expect(tasks[0]!.n).toBe(1);
      expect(pool.totalCount - pool.idleCount).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('opened by a Prisma call sent with raw statements, through delegates held from before and a restricted view', async () => {
    const { workspaceId } = await createWorkspace(target.database.prisma, { name: 'together' });
    const caller = new CommandRunner({ prisma: gatewayDb.prisma }).callerFor(systemSession(workspaceId));
    const seen = await caller.run(async (scope) => {
      const held = scope.tx.task;
      // A view as plugin work acting as a role gets (access-scope.ts): every row readable, every write allowed.
      const view = restrictTransaction(scope.tx, { readCondition: () => null, write: (_model, _operation, args) => args });
      const [, , raw] = await Promise.all([
        held.count(),
        executeRawIn(scope.tx, `INSERT INTO "Task" (id, "workspaceId", title, "updatedAt") VALUES (gen_random_uuid(), $1::uuid, 'raw', now())`, workspaceId),
        queryRawIn<{ n: number }>(scope.tx, `SELECT count(*)::int AS n FROM "Task" WHERE "workspaceId" = $1::uuid`, workspaceId),
      ]);
      await view.task.create({ data: { workspaceId, title: 'through the view' } });
      const after = await held.count();
      const viewed = await view.task.count();
      const queried = await scope.tx.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "Task" WHERE "workspaceId" = $1::uuid`, workspaceId);
      return { raw: raw[0]!.n, after, viewed, queried: queried[0]!.n };
    });
    // One transaction: every read after them sees both writes. (The first Prisma call waits for Prisma's transaction
    // to open, so raw statements sent beside it may run before it: call order holds among raw statements only.)
    expect(seen).toEqual({ raw: 1, after: 2, viewed: 2, queried: 2 });
    const tasks = await target.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Task" WHERE "workspaceId" = $1`, [workspaceId]);
    expect(tasks[0]!.n).toBe(2);
    expect(gatewayPool.totalCount - gatewayPool.idleCount).toBe(0);
  });

  it("retried after a serialization failure with Prisma's transaction opened in the failed attempt: the retry's own", async () => {
    const { workspaceId } = await createWorkspace(target.database.prisma, { name: 'retried' });
    const caller = new CommandRunner({ prisma: gatewayDb.prisma }).callerFor(systemSession(workspaceId));
    let attempts = 0;
    await caller.run(async (scope) => {
      attempts++;
      await scope.tx.company.create({ data: { workspaceId, name: `Attempt ${attempts}` } });
      // PostgreSQL's own serialization failure (SQLSTATE 40001), once: the runner runs the command again from the start.
      if (attempts === 1) await executeRawIn(scope.tx, `DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'could not serialize access'; END $$`);
    });
    expect(attempts).toBe(2);
    const companies = await target.database.sql.query<{ name: string }>(`SELECT name FROM "Company" WHERE "workspaceId" = $1`, [workspaceId]);
    expect(companies.map((company) => company.name)).toEqual(['Attempt 2']);
    expect(gatewayPool.totalCount - gatewayPool.idleCount).toBe(0);
  });
});
