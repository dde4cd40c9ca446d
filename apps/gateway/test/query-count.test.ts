// No N+1 on the customer list: the statement count does not grow with the page, on both read paths — the SQL
// projection (one statement) and Pothos' prisma plugin (what answers any operation the projection declines).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { customerListQuery as CUSTOMER_PAGE, startTestGateway, TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
/** The same database served without the SQL projection. */
let pothosOnly: Gateway;
let pothosClient: TestClient;

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
  pothosOnly = createGateway({ database: t.database, logger: createLogger('error'), sqlProjection: false });
  pothosClient = new TestClient(await pothosOnly.listen(0), t.workspace.apiKey);
  // Warm the key caches: authentication is not what we count.
  await t.workspace.client.query('{ viewer { role } }');
  await pothosClient.query('{ viewer { role } }');
});
afterAll(async () => {
  await pothosOnly?.close(1000);
  await t?.close();
});

describe('no N+1 on the customer list', () => {
  for (const path of ['projection', 'pothos'] as const) {
    const clientOf = () => (path === 'projection' ? t.workspace.client : pothosClient);
    const most = path === 'projection' ? 1 : 2; // one statement building the JSON | one joined SELECT + the count

    it(`${path}: the same, small number of statements for a page of 10 and a page of 50`, async () => {
      const run = (first: number) => t.sql.during(() => clientOf().query(CUSTOMER_PAGE, { first }));
      const small = await run(10);
      const large = await run(50);
      expect(large.length).toBe(small.length);
      expect(large.length).toBeLessThanOrEqual(most);

      const page = await clientOf().query(CUSTOMER_PAGE, { first: 50 });
      expect(page.customers.edges).toHaveLength(50);
      const first = page.customers.edges[0].node;
      expect(first.activities.edges).toHaveLength(5);
      expect(first.orders.edges).toHaveLength(5);
      expect(first.company.name).toBe('Acme');
    });

    it(`${path}: constant on a page after a cursor too`, async () => {
      const firstPage = await clientOf().query(CUSTOMER_PAGE, { first: 5 });
      const after = firstPage.customers.pageInfo.endCursor;
      const small = await t.sql.during(() => clientOf().query(CUSTOMER_PAGE, { first: 10, after }));
      const large = await t.sql.during(() => clientOf().query(CUSTOMER_PAGE, { first: 50, after }));
      expect(large.length).toBe(small.length);
      if (path === 'projection') expect(large).toHaveLength(1);
    });
  }
});
