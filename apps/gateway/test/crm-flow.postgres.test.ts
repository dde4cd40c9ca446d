import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';
import { runCrmFlow } from './flows/crm-flow.js';
import { customerListQuery as CUSTOMER_PAGE } from '../src/testing/index.js';

// The same flow on a real PostgreSQL server (a database of its own, dropped afterwards), plus what only a real
// server shows: concurrent commands, and the statement count of the list query through adapter-pg.
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ database: 'postgres' });
});
afterAll(async () => {
  await t?.close();
});

describe('on PostgreSQL', () => {
  it('a customer’s life through the API works end to end', async () => {
    await runCrmFlow(t);
  });

  it('numbers events gaplessly in commit order under concurrent commands, and records none for failed ones', async () => {
    const ws = await t.createWorkspace('Concurrency');
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        ws.client.request(`mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`, {
          // every sixth one collides on email and must leave nothing behind
          i: { name: `Parallel ${i}`, email: i % 6 === 5 ? 'same@dup.test' : `p${i}@par.test` },
        }),
      ),
    );
    const ok = results.filter((r) => !r.errors).length;
    expect(ok).toBe(24 - 3); // one of the four duplicates wins
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(3);
    const events = await t.database.prisma.event.findMany({ where: { workspaceId: ws.workspaceId }, orderBy: { seq: 'asc' } });
    // customer.created + customer.stage_changed per successful command
    expect(events).toHaveLength(ok * 2);
    expect(events.map((e) => Number(e.seq))).toEqual(events.map((_, i) => i + 1));
    const customers = await t.database.prisma.customer.count({ where: { workspaceId: ws.workspaceId } });
    expect(customers).toBe(ok);
  });

  it('keeps the list query at a constant number of statements through adapter-pg', async () => {
    const ws = await t.createWorkspace('Statements');
    const { prisma } = t.database;
    const rows = await prisma.customer.createManyAndReturn({
      data: Array.from({ length: 55 }, (_, i) => ({ workspaceId: ws.workspaceId, name: `C${i}` })),
    });
    await prisma.activity.createMany({
      data: rows.flatMap((c) => Array.from({ length: 6 }, () => ({ workspaceId: ws.workspaceId, customerId: c.id, type: 'NOTE' as const, channel: 'WEB' as const, subject: 'n', occurredAt: new Date() }))),
    });
    await ws.client.query(CUSTOMER_PAGE, { first: 1 });
    const small = await t.sql.during(() => ws.client.query(CUSTOMER_PAGE, { first: 10 }));
    const large = await t.sql.during(() => ws.client.query(CUSTOMER_PAGE, { first: 50 }));
    expect(large.length).toBe(small.length);
    expect(large.length).toBeLessThanOrEqual(2);
  });
});
