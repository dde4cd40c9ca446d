import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';
import { customerListQuery as CUSTOMER_PAGE } from '../src/testing/index.js';


let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
  const { prisma } = t.database;
  const workspaceId = t.workspace.workspaceId;
  const owner = await prisma.user.create({ data: { workspaceId, name: 'Owner', email: 'owner@team.test' } });
  const company = await prisma.company.create({ data: { workspaceId, name: 'Acme', domain: 'acme.test' } });
  const customers = await prisma.customer.createManyAndReturn({
    data: Array.from({ length: 60 }, (_, i) => ({ workspaceId, name: `Customer ${i}`, email: `c${i}@shop.test`, ownerId: owner.id, companyId: company.id })),
  });
  const day = 86_400_000;
  await prisma.activity.createMany({
    data: customers.flatMap((c) =>
      Array.from({ length: 7 }, (_, k) => ({ workspaceId, customerId: c.id, type: 'CALL' as const, channel: 'PHONE' as const, subject: `Call ${k}`, occurredAt: new Date(Date.now() - k * day) })),
    ),
  });
  await prisma.order.createMany({
    data: customers.flatMap((c) => Array.from({ length: 6 }, (_, k) => ({ workspaceId, customerId: c.id, orderedAt: new Date(Date.now() - k * day), total: '10.00' }))),
  });
});
afterAll(async () => {
  await t?.close();
});

describe('no N+1 on the customer list', () => {
  it('runs the same, small number of SQL statements for a page of 10 and a page of 50', async () => {
    const { client } = t.workspace;
    await client.query(CUSTOMER_PAGE, { first: 1 }); // warm the key cache: authentication is not what we count
    const run = (first: number) => t.sql.during(() => client.query(CUSTOMER_PAGE, { first }));
    const small = await run(10);
    const large = await run(50);
    expect(large.length).toBe(small.length);
    expect(large.length).toBeLessThanOrEqual(2); // one joined SELECT (relationJoins) + the count

    const page = await client.query(CUSTOMER_PAGE, { first: 50 });
    expect(page.customers.edges).toHaveLength(50);
    const first = page.customers.edges[0].node;
    expect(first.activities.edges).toHaveLength(5);
    expect(first.orders.edges).toHaveLength(5);
    expect(first.company.name).toBe('Acme');
  });

  it('keeps the statement count constant on a page after a cursor too', async () => {
    const { client } = t.workspace;
    const firstPage = await client.query(CUSTOMER_PAGE, { first: 5 });
    const after = firstPage.customers.pageInfo.endCursor;
    const small = await t.sql.during(() => client.query(CUSTOMER_PAGE, { first: 10, after }));
    const large = await t.sql.during(() => client.query(CUSTOMER_PAGE, { first: 50, after }));
    expect(large.length).toBe(small.length);
  });
});
