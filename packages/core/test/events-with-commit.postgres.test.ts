// On the gateway's pool (pipelined clients) a command's events are inserted in its COMMIT's own write
// (`@crm/db`'s command-transaction.ts). An aborted pipelined transaction answers COMMIT with ROLLBACK, not an error:
// a failing insert must still fail the command, with a code, and leave nothing of it written.
import { type Database, fromPool, postgresPool } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRunner } from '../src/command.js';
import type { RecordedEvent } from '../src/events.js';
import { createCustomer } from '../src/services/customers.js';
import { systemSession } from '../src/session.js';
import { createWorkspace } from '../src/workspaces.js';

let target: TestPostgres;
let gatewayDb: Database;
const statements: string[] = [];
const published: RecordedEvent[] = [];
let runner: CommandRunner;

beforeAll(async () => {
  target = await createTestPostgres();
  gatewayDb = fromPool(postgresPool({ kind: 'postgres', url: target.url, poolSize: 2 }), { onQuery: ({ query }) => statements.push(query) });
  runner = new CommandRunner({ prisma: gatewayDb.prisma, onCommitted: (events) => published.push(...events) });
});
afterAll(async () => {
  await gatewayDb?.close();
  await target?.drop();
});

describe("a command's events inserted with its COMMIT", () => {
  it('are committed with the command and handed over numbered; the insert is still reported as a statement', async () => {
    const { workspaceId } = await createWorkspace(target.database.prisma, { name: 'with commit' });
    const caller = runner.callerFor(systemSession(workspaceId));
    statements.length = 0;
    const customer = await createCustomer(caller, { name: 'Ada' });
    expect(statements.filter((sql) => sql.startsWith('INSERT INTO "Event"'))).toHaveLength(1);
    const stored = await target.database.sql.query<{ id: string; seq: string }>(`SELECT id::text, seq::text AS seq FROM "Event" WHERE "workspaceId" = $1 AND "subjectId" = $2 ORDER BY seq`, [workspaceId, customer.id]);
    expect(stored.map((event) => event.seq)).toEqual(['1', '2']); // customer.created, customer.stage_changed
    expect(published.map((event) => [event.id, String(event.seq)])).toEqual(stored.map((event) => [event.id, event.seq]));
  });

  it('a failing insert fails the command with a coded error, and nothing of the command is written', async () => {
    const { workspaceId } = await createWorkspace(target.database.prisma, { name: 'failing insert' });
    const caller = runner.callerFor(systemSession(workspaceId));
    published.length = 0;
    const failing = caller.run(async (scope) => {
      const customer = await createCustomer({ ...caller, run: (fn) => fn(scope) }, { name: 'Grace' });
      // PostgreSQL's jsonb refuses a NUL character (22P05): the events' insert fails, after the customer's.
      scope.emit('customer.updated', { type: 'Customer', id: customer.id }, { note: 'a\u0000b' } as never);
    });
    await expect(failing).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    const rows = await target.database.sql.query<{ customers: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM "Customer" WHERE "workspaceId" = $1) AS customers, (SELECT count(*)::int FROM "Event" WHERE "workspaceId" = $1) AS events`,
      [workspaceId],
    );
    expect(rows).toEqual([{ customers: 0, events: 0 }]);
    expect(published).toEqual([]);
    // The connections are clean: the next command commits.
    await createCustomer(caller, { name: 'Grace' });
    expect(published.map((event) => event.seq)).toEqual([1n, 2n]);
  });
});
