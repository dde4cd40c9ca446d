import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ clvRefresh: false });
});
afterAll(async () => {
  await t?.close();
});

const IMPORT = /* GraphQL */ `
  mutation ($csv: String!) {
    importOrders(input: { csv: $csv }) { imported customersCreated skipped rejected rows errorCount errors { line field message } }
  }
`;
const CUSTOMERS = /* GraphQL */ `
  query {
    customers(first: 5, orderBy: [{ field: NAME, direction: ASC }]) {
      totalCount
      edges { node { name email externalRef lifecycleStage lifetimeValue orderCount firstOrderAt lastOrderAt
        orders(first: 3) { edges { node { orderRef orderedAt total cost lines { sku quantity unitPrice total } } } } } }
    }
  }
`;

const FILE = [
  'customer,orderedAt,total,sku,quantity,orderRef',
  'ann@shop.test,2026-01-05,10.00,,,A-1',
  // Two rows with one orderRef: two lines of one order (a catalog sku gets its unit cost).
  'ann@shop.test,20260119,20.50,TEA-1,2,A-2',
  'ann@shop.test,20260119,5.00,MUG-9,1,A-2',
  // No orderRef: a reference derived from the row keeps a re-run idempotent.
  'REF-7,2026-02-01T10:30:00+02:00,100,,,',
  'REF-7,2026-03-01,50,,,',
  '"Pat@Shop.test",2026-03-02,7.25,,,P-1',
].join('\n');

describe('importOrders', () => {
  it('imports orders, creates unknown customers, matches known ones and keeps their purchase figures right', async () => {
    const { client, workspaceId } = t.workspace;
    await client.query(`mutation { createProduct(input: { sku: "TEA-1", name: "Tea", unitPrice: "9.00", unitCost: "4.00" }) { product { id } } }`);
    await client.query(`mutation { createCustomer(input: { name: "Pat", email: "pat@shop.test", lifecycleStage: LEAD }) { customer { id } } }`);

    const result = await client.query(IMPORT, { csv: FILE });
    expect(result.importOrders).toEqual({ imported: 5, customersCreated: 2, skipped: 0, rejected: 0, rows: 6, errorCount: 0, errors: [] });

    const page = await client.query(CUSTOMERS);
    const byName = Object.fromEntries(page.customers.edges.map((e: { node: { name: string } }) => [e.node.name, e.node]));
    expect(page.customers.totalCount).toBe(3);
    expect(byName['ann@shop.test']).toMatchObject({
      email: 'ann@shop.test', externalRef: null, lifecycleStage: 'CUSTOMER', lifetimeValue: '35.50', orderCount: 2,
      firstOrderAt: '2026-01-05T00:00:00.000Z', lastOrderAt: '2026-01-19T00:00:00.000Z',
    });
    const twoLines = byName['ann@shop.test'].orders.edges.find((e: { node: { orderRef: string } }) => e.node.orderRef === 'A-2').node;
    expect(twoLines).toMatchObject({ total: '25.50', cost: '8.00' });
    expect(twoLines.lines).toEqual(
      expect.arrayContaining([
        { sku: 'TEA-1', quantity: 2, unitPrice: '10.25', total: '20.50' },
        { sku: 'MUG-9', quantity: 1, unitPrice: '5.00', total: '5.00' },
      ]),
    );
    expect(byName['REF-7']).toMatchObject({ email: null, externalRef: 'REF-7', lifetimeValue: '150.00', orderCount: 2, firstOrderAt: '2026-02-01T08:30:00.000Z' });
    // The lead who bought is a customer now, with the change in the stage history.
    expect(byName.Pat).toMatchObject({ lifecycleStage: 'CUSTOMER', lifetimeValue: '7.25', orderCount: 1 });
    const history = await t.database.prisma.lifecycleChange.findMany({ where: { workspaceId, customer: { email: 'pat@shop.test' } }, orderBy: { changedAt: 'asc' } });
    expect(history.map((h) => [h.fromStage, h.toStage])).toEqual([[null, 'LEAD'], ['LEAD', 'CUSTOMER']]);

    // One summary event for the batch, not one per order.
    const events = await t.database.prisma.event.findMany({ where: { workspaceId, type: { in: ['orders.imported', 'order.recorded'] } } });
    expect(events.map((e) => e.type)).toEqual(['orders.imported']);
    expect(events[0]!.payload).toMatchObject({ orders: 5, customersCreated: 2, skipped: 0, total: '192.75', firstOrderedAt: '2026-01-05T00:00:00.000Z' });
  });

  it('changes nothing when the same file comes again', async () => {
    const { client, workspaceId } = t.workspace;
    const before = await client.query(CUSTOMERS);
    const eventsBefore = await t.database.prisma.event.count({ where: { workspaceId } });
    const again = await client.query(IMPORT, { csv: FILE });
    expect(again.importOrders).toMatchObject({ imported: 0, customersCreated: 0, skipped: 5, errorCount: 0 });
    expect(await client.query(CUSTOMERS)).toEqual(before);
    expect(await t.database.prisma.event.count({ where: { workspaceId } })).toBe(eventsBefore);
  });

  it('reports bad rows by line and field, and writes nothing of the file', async () => {
    const { client, workspaceId } = t.workspace;
    const ordersBefore = await t.database.prisma.order.count({ where: { workspaceId } });
    const csv = [
      'orderRef,customer,total,orderedAt', // any column order
      'N-1,new@shop.test,12.00,2026-04-01',
      'N-2,,12.00,2026-04-01',
      'N-3,x@shop.test,12.999,2026-04-01',
      'N-4,y@shop.test,5,2026-02-30',
      'N-5,not-an-email@,5,2026-04-01',
    ].join('\r\n');
    const result = await client.query(IMPORT, { csv });
    expect(result.importOrders).toMatchObject({ imported: 0, customersCreated: 0, rejected: 1, rows: 5, errorCount: 4 });
    expect(result.importOrders.errors).toEqual([
      { line: 3, field: 'customer', message: 'Must not be empty' },
      { line: 4, field: 'total', message: expect.stringContaining('Not an amount') },
      { line: 5, field: 'orderedAt', message: expect.stringContaining('Not a date') },
      { line: 6, field: 'customer', message: expect.stringContaining('Not a valid email') },
    ]);
    expect(await t.database.prisma.order.count({ where: { workspaceId } })).toBe(ordersBefore);
    expect(await t.database.prisma.customer.count({ where: { workspaceId, email: 'new@shop.test' } })).toBe(0);
  });

  it('refuses a file without the required columns, and keys that are not ADMIN', async () => {
    const { client, workspaceId } = t.workspace;
    const missing = await client.request(IMPORT, { csv: 'customer,total\nann@shop.test,1.00' });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'csv' });
    expect(missing.errors?.[0]?.message).toContain('orderedAt');
    const member = await t.issueKey(workspaceId, 'MEMBER');
    expect(await member.errorCode(IMPORT, { csv: FILE })).toBe('FORBIDDEN');
  });

  it('keeps workspaces apart: the same emails in another workspace are other customers', async () => {
    const other = await t.createWorkspace('Other shop');
    const result = await other.client.query(IMPORT, { csv: FILE });
    expect(result.importOrders).toMatchObject({ imported: 5, customersCreated: 3, skipped: 0 });
    const mine = await t.workspace.client.query(CUSTOMERS);
    expect(mine.customers.totalCount).toBe(3);
    const ann = mine.customers.edges.find((e: { node: { name: string } }) => e.node.name === 'ann@shop.test').node;
    expect(ann).toMatchObject({ lifetimeValue: '35.50', orderCount: 2 });
  });
});

describe('a file of several MB through GraphQL', () => {
  it('imports 40,000 orders in one transaction when the body limit allows it', async () => {
    // A file this size is what REQUEST_TIMEOUT_MS is raised for (docs/operations.md): the default 10 s deadline is
    // not what this test is about.
    const big = await startTestGateway({ clvRefresh: false, maxBodyBytes: 8 * 1024 * 1024, requestTimeoutMs: 300_000 });
    try {
      const rows = ['customer,orderedAt,total,sku,quantity,orderRef'];
      for (let i = 0; i < 40_000; i++) rows.push(`buyer-${i % 5000}@big.test,2026-0${1 + (i % 9)}-${10 + (i % 19)}T10:00:00Z,${(i % 97) + 0.5},SKU-${i % 40},1,BIG-${i}`);
      const csv = rows.join('\n');
      expect(csv.length).toBeGreaterThan(2_000_000);
      const result = await big.workspace.client.query(IMPORT, { csv });
      expect(result.importOrders).toMatchObject({ imported: 40_000, customersCreated: 5000, errorCount: 0 });
      const [figures] = await big.database.prisma.$queryRawUnsafe<{ orders: number; revenue: string; ltv: string }[]>(
        `SELECT (SELECT count(*)::int FROM "Order" WHERE "workspaceId" = $1::uuid) AS orders,
                (SELECT sum(total)::text FROM "Order" WHERE "workspaceId" = $1::uuid) AS revenue,
                (SELECT sum("lifetimeValue")::text FROM "Customer" WHERE "workspaceId" = $1::uuid) AS ltv`,
        big.workspace.workspaceId,
      );
      expect(figures!.orders).toBe(40_000);
      expect(figures!.ltv).toBe(figures!.revenue);
    } finally {
      await big.close();
    }
  }, 120_000);
});
