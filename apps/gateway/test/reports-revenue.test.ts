// `reports { revenueByMonth }` over HTTP on orders recorded through the API, whose sums are worked out by hand below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
const now = new Date();
/** The first instant of the month `offset` months from the current one (UTC). */
const monthStart = (offset: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
const key = (offset: number) => monthStart(offset).toISOString().slice(0, 7);

const REVENUE = /* GraphQL */ `query ($months: Int) { reports { revenueByMonth(months: $months) { month revenue orders } } }`;

async function order(client: TestClient, orderedAt: Date, ...prices: string[]) {
  const customer = await client.query(`mutation { createCustomer(input: { name: "Buyer" }) { customer { id } } }`);
  await client.query(`mutation ($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } } }`, {
    input: {
      customerId: customer.createCustomer.customer.id,
      orderedAt: orderedAt.toISOString(),
      lines: prices.map((unitPrice, i) => ({ sku: `SKU-${i}`, quantity: 1, unitPrice })),
    },
  });
}

beforeAll(async () => {
  t = await startTestGateway();
  const a = t.workspace.client;
  await order(a, monthStart(0), '5.00', '5.00'); // this month, its first instant: 10.00
  await order(a, new Date(monthStart(0).getTime() + 1000), '20.50'); // this month: 20.50
  await order(a, new Date(monthStart(0).getTime() - 1), '100.00'); // last month, its last millisecond: 100.00
  await order(a, new Date(monthStart(-2).getTime() + 86_400_000 * 10), '7.25'); // two months ago: 7.25
  await order(a, new Date(monthStart(-2).getTime() + 86_400_000 * 20), '0.75'); // two months ago: 0.75
  await order(a, new Date(monthStart(-12).getTime() + 86_400_000 * 3), '999.00'); // 12 months ago: outside the default 12
  // Another workspace's order this month must not count.
  const b = await t.createWorkspace('Workspace B');
  await order(b.client, monthStart(0), '5000.00');
});
afterAll(async () => {
  await t?.close();
});

describe('reports.revenueByMonth', () => {
  it('sums the orders of each calendar month, oldest first, months without orders at zero', async () => {
    const { reports } = await t.workspace.client.query(REVENUE, { months: 3 });
    expect(reports.revenueByMonth).toEqual([
      { month: key(-2), revenue: '8.00', orders: 2 }, // 7.25 + 0.75
      { month: key(-1), revenue: '100.00', orders: 1 },
      { month: key(0), revenue: '30.50', orders: 2 }, // 10.00 + 20.50 (another workspace's 5000.00 left out)
    ]);
  });

  it('covers the last 12 months by default, and more when asked', async () => {
    const { reports } = await t.workspace.client.query(REVENUE);
    const months = reports.revenueByMonth as { month: string; revenue: string; orders: number }[];
    expect(months.map((m) => m.month)).toEqual(Array.from({ length: 12 }, (_, i) => key(i - 11)));
    expect(months[0]).toEqual({ month: key(-11), revenue: '0.00', orders: 0 });
    expect(months.reduce((sum, m) => sum + Number(m.revenue), 0)).toBe(138.5); // 8 + 100 + 30.50, not the 999
    const longer = await t.workspace.client.query(REVENUE, { months: 13 });
    expect(longer.reports.revenueByMonth[0]).toEqual({ month: key(-12), revenue: '999.00', orders: 1 });
  });

  it('is one SQL statement, readable by every role', async () => {
    const readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    let answer: Record<string, any> = {};
    const statements = await t.sql.during(async () => {
      answer = await readOnly.query(REVENUE, { months: 24 });
    });
    expect(answer.reports.revenueByMonth).toHaveLength(24);
    expect(statements).toHaveLength(1);
  });

  it('refuses a month count outside 1–60 with BAD_USER_INPUT on `months`', async () => {
    for (const months of [0, 61, -3]) {
      const result = await t.workspace.client.request(REVENUE, { months });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'months' });
    }
  });
});
