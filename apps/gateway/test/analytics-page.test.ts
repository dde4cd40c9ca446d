// Customer.analytics is batched (a page costs the same statements whatever its size), and the model refits itself
// in the background after purchases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ clvRefresh: { debounceMs: 150, maxDelayMs: 1000 } });
});
afterAll(async () => {
  await t?.close();
});

const DAY = 86_400_000;
const MODEL = `{ clvModel { id customers trigger fittedAt } }`;

async function waitForModel(check: (model: { id: string; customers: number; trigger: string } | null) => boolean) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const model = (await t.workspace.client.query(MODEL)).clvModel;
    if (check(model)) return model;
    if (Date.now() > deadline) throw new Error(`No background fit in time (last: ${JSON.stringify(model)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('background refits', () => {
  it('fits after an import and again after a recorded order, never during the request', async () => {
    const { client } = t.workspace;
    const rows = ['customer,orderedAt,total'];
    for (let c = 0; c < 60; c++) {
      const visits = 1 + (c % 4);
      for (let v = 0; v < visits; v++) rows.push(`cust-${c}@page.test,${new Date(Date.now() - (300 - c - v * 40) * DAY).toISOString().slice(0, 10)},${10 + c}.50`);
    }
    const imported = await client.query(`mutation ($csv: String!) { importOrders(input: { csv: $csv }) { imported } }`, { csv: rows.join('\n') });
    expect(imported.importOrders.imported).toBe(rows.length - 1);
    // The import answered before any fit: the model comes a moment later.
    const first = await waitForModel((m) => m !== null);
    expect(first).toMatchObject({ customers: 60, trigger: 'background' });

    const customer = await t.database.prisma.customer.findFirstOrThrow({ where: { workspaceId: t.workspace.workspaceId, email: 'cust-0@page.test' } });
    const globalId = Buffer.from(`Customer:${customer.id}`).toString('base64');
    await client.query(`mutation ($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } } }`, {
      input: { customerId: globalId, lines: [{ sku: 'X-1', quantity: 1, unitPrice: '12.00' }] },
    });
    const second = await waitForModel((m) => m !== null && m.id !== first.id);
    expect(second.trigger).toBe('background');
    await waitForIdle();
    const history = (await client.query(`{ clvModels(first: 5) { id } }`)).clvModels.map((m: { id: string }) => m.id);
    expect(history.slice(0, 2)).toEqual([second.id, first.id]);
  });
});

async function waitForIdle() {
  while (t.gateway.clvRefresher?.busy) await new Promise((resolve) => setTimeout(resolve, 50));
}

const PAGE = /* GraphQL */ `
  query ($first: Int!) {
    customers(first: $first, orderBy: [{ field: PREDICTED_LIFETIME_VALUE, direction: DESC }]) {
      edges { node { name analytics {
        historicalRevenue margin profit shareOfWallet probabilityAlive expectedPurchases(weeks: 26) expectedOrderValue
        predictedLifetimeValue rfm { recency frequency monetary segment }
      } } }
    }
  }
`;

describe('no N+1 on Customer.analytics', () => {
  it('runs the same, small number of SQL statements for a page of 10 and a page of 50', async () => {
    const { client } = t.workspace;
    await waitForIdle();
    await client.query(PAGE, { first: 1 }); // warm the key cache
    const small = await t.sql.during(() => client.query(PAGE, { first: 10 }));
    const large = await t.sql.during(() => client.query(PAGE, { first: 50 }));
    expect(large.length).toBe(small.length);
    // The page, the settings, the analytics of all its customers.
    expect(large.length).toBeLessThanOrEqual(3);
    const page = await client.query(PAGE, { first: 50 });
    expect(page.customers.edges).toHaveLength(50);
    expect(page.customers.edges.every((e: { node: { analytics: { rfm: unknown } } }) => e.node.analytics.rfm !== null)).toBe(true);
  });
});
