import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

const CREATE_PRODUCT = /* GraphQL */ `
  mutation ($input: CreateProductInput!) { createProduct(input: $input) { product { id sku name unitPrice unitCost category active } } }
`;
const RECORD_ORDER = /* GraphQL */ `
  mutation ($input: RecordOrderInput!) {
    recordOrder(input: $input) {
      order { id orderRef orderedAt total cost currency channel lines { sku quantity unitPrice total product { sku } } }
      customer { id lifecycleStage lifetimeValue orderCount firstOrderAt lastOrderAt }
    }
  }
`;
const FIGURES = /* GraphQL */ `
  query ($id: ID!) { customer(id: $id) { lifecycleStage lifetimeValue orderCount firstOrderAt lastOrderAt orders { totalCount } } }
`;

/** The row id inside an opaque global id (base64 of `Type:id`), to look at the stored event. */
const rowIdOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1];

async function newCustomer(client: TestClient, name: string, lifecycleStage = 'CUSTOMER'): Promise<string> {
  const data = await client.query(`mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, {
    input: { name, lifecycleStage },
  });
  return data.createCustomer.customer.id;
}

describe('products', () => {
  it('creates a product, refuses a second one with the same sku, and updates it', async () => {
    const { client } = t.workspace;
    const created = await client.query(CREATE_PRODUCT, {
      input: { sku: 'TEA-1', name: 'Green tea', unitPrice: '4.5', unitCost: '1.20', category: 'Tea' },
    });
    const product = created.createProduct.product;
    expect(product).toMatchObject({ sku: 'TEA-1', name: 'Green tea', unitPrice: '4.50', unitCost: '1.20', category: 'Tea', active: true });

    const dup = await client.request(CREATE_PRODUCT, { input: { sku: 'TEA-1', name: 'Other tea', unitPrice: '1.00' } });
    expect(dup.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'sku' });
    const negative = await client.request(CREATE_PRODUCT, { input: { sku: 'TEA-2', name: 'Tea', unitPrice: '-1.00' } });
    expect(negative.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'unitPrice' });

    const updated = await client.query(
      `mutation ($input: UpdateProductInput!) { updateProduct(input: $input) { product { id sku unitPrice category active } } }`,
      { input: { id: product.id, unitPrice: '4.75', category: null, active: false } },
    );
    expect(updated.updateProduct.product).toEqual({ id: product.id, sku: 'TEA-1', unitPrice: '4.75', category: null, active: false });
    const byId = await client.query(`query ($id: ID!) { product(id: $id) { name } }`, { id: product.id });
    expect(byId.product).toEqual({ name: 'Green tea' });

    // Another workspace may use the same sku and cannot see this product.
    const other = await t.createWorkspace('Other shop');
    await other.client.query(CREATE_PRODUCT, { input: { sku: 'TEA-1', name: 'Their tea', unitPrice: '3.00' } });
    expect((await other.client.query(`query ($id: ID!) { product(id: $id) { name } }`, { id: product.id })).product).toBeNull();
  });
});

describe('recording orders', () => {
  it('computes the total and cost on the server from the lines, with catalog prices where none is given', async () => {
    const { client } = t.workspace;
    await client.query(CREATE_PRODUCT, { input: { sku: 'MUG', name: 'Mug', unitPrice: '12.50', unitCost: '4.10' } });
    const customerId = await newCustomer(client, 'Buyer One');
    const result = await client.query(RECORD_ORDER, {
      input: {
        customerId,
        orderedAt: '2026-01-15T10:00:00Z',
        orderRef: 'A-1001',
        channel: 'WEB',
        currency: 'eur',
        lines: [
          { sku: 'LOOSE-LEAF', quantity: 3, unitPrice: '19.99' },
          { sku: 'MUG', quantity: 2 },
          { sku: 'MUG', quantity: 1, unitPrice: '10.00' },
        ],
      },
    });
    const { order, customer } = result.recordOrder;
    // 3 × 19.99 + 2 × 12.50 + 1 × 10.00, as an exact decimal string.
    expect(order.total).toBe('94.97');
    expect(order.cost).toBe('12.30'); // 3 mugs × 4.10; the unknown sku has no cost
    expect(order).toMatchObject({ orderRef: 'A-1001', orderedAt: '2026-01-15T10:00:00.000Z', currency: 'EUR', channel: 'WEB' });
    expect(order.lines).toEqual([
      { sku: 'LOOSE-LEAF', quantity: 3, unitPrice: '19.99', total: '59.97', product: null },
      { sku: 'MUG', quantity: 2, unitPrice: '12.50', total: '25.00', product: { sku: 'MUG' } },
      { sku: 'MUG', quantity: 1, unitPrice: '10.00', total: '10.00', product: { sku: 'MUG' } },
    ]);
    expect(customer).toMatchObject({ id: customerId, lifetimeValue: '94.97', orderCount: 1 });

    const byId = await client.query(`query ($id: ID!) { order(id: $id) { total customer { id } } }`, { id: order.id });
    expect(byId.order).toEqual({ total: '94.97', customer: { id: customerId } });

    // The event carries the priced lines for loyalty and cross-sell consumers.
    const event = await t.database.prisma.event.findFirst({ where: { type: 'order.recorded', subjectId: rowIdOf(order.id) } });
    expect(event?.payload).toEqual({
      customerId: rowIdOf(customerId),
      total: '94.97',
      orderedAt: '2026-01-15T10:00:00.000Z',
      skus: ['LOOSE-LEAF', 'MUG'],
      lines: [
        { sku: 'LOOSE-LEAF', quantity: 3, unitPrice: '19.99' },
        { sku: 'MUG', quantity: 2, unitPrice: '12.50' },
        { sku: 'MUG', quantity: 1, unitPrice: '10.00' },
      ],
    });
  });

  it('keeps lifetimeValue, orderCount and the first and last order dates, and filters on lifetimeValue', async () => {
    const ws = await t.createWorkspace('Figures shop');
    const c = ws.client;
    const big = await newCustomer(c, 'Big spender');
    const small = await newCustomer(c, 'Small spender');
    await c.query(RECORD_ORDER, { input: { customerId: big, orderedAt: '2026-03-01T09:00:00Z', lines: [{ sku: 'A', quantity: 2, unitPrice: '20.00' }] } });
    // Recorded later but placed earlier: lastOrderAt stays on March 1st, firstOrderAt moves back.
    await c.query(RECORD_ORDER, { input: { customerId: big, orderedAt: '2026-02-01T09:00:00Z', lines: [{ sku: 'B', quantity: 1, unitPrice: '15.50' }] } });
    await c.query(RECORD_ORDER, { input: { customerId: small, orderedAt: '2026-03-02T09:00:00Z', lines: [{ sku: 'A', quantity: 1, unitPrice: '20.00' }] } });

    const figures = await c.query(FIGURES, { id: big });
    expect(figures.customer).toEqual({
      lifecycleStage: 'CUSTOMER',
      lifetimeValue: '55.50',
      orderCount: 2,
      firstOrderAt: '2026-02-01T09:00:00.000Z',
      lastOrderAt: '2026-03-01T09:00:00.000Z',
      orders: { totalCount: 2 },
    });
    const filtered = await c.query(`{ customers(filter: { lifetimeValue: { gte: "50.00" } }) { totalCount edges { node { id } } } }`);
    expect(filtered.customers.totalCount).toBe(1);
    expect(filtered.customers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([big]);
  });

  it('adds up simultaneous orders of one customer exactly (0.10 six times, where floats give 0.6000000000000001)', async () => {
    const ws = await t.createWorkspace('Busy shop');
    const customerId = await newCustomer(ws.client, 'Frequent buyer');
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        ws.client.query(RECORD_ORDER, { input: { customerId, orderRef: `P-${i}`, lines: [{ sku: 'X', quantity: 1, unitPrice: '0.10' }] } }),
      ),
    );
    const figures = await ws.client.query(FIGURES, { id: customerId });
    expect(figures.customer).toMatchObject({ lifetimeValue: '0.60', orderCount: 6, orders: { totalCount: 6 } });
  });

  it('converts a prospect or lead to CUSTOMER with the first purchase, and leaves later stages alone', async () => {
    const { client } = t.workspace;
    const prospect = await newCustomer(client, 'Pat Prospect', 'PROSPECT');
    const result = await client.query(RECORD_ORDER, { input: { customerId: prospect, lines: [{ sku: 'MUG', quantity: 1 }] } });
    expect(result.recordOrder.customer).toMatchObject({ lifecycleStage: 'CUSTOMER', lifetimeValue: '12.50', orderCount: 1 });
    const history = await client.query(`query ($id: ID!) { customer(id: $id) { stageHistory { fromStage toStage reason } } }`, { id: prospect });
    expect(history.customer.stageHistory).toEqual([
      { fromStage: null, toStage: 'PROSPECT', reason: null },
      { fromStage: 'PROSPECT', toStage: 'CUSTOMER', reason: 'First purchase' },
    ]);

    const advocate = await newCustomer(client, 'Avery Advocate', 'ADVOCATE');
    const again = await client.query(RECORD_ORDER, { input: { customerId: advocate, lines: [{ sku: 'MUG', quantity: 1 }] } });
    expect(again.recordOrder.customer.lifecycleStage).toBe('ADVOCATE');
  });

  it('writes nothing when a line is bad, naming the line', async () => {
    const { client } = t.workspace;
    const customerId = await newCustomer(client, 'Careful Buyer', 'LEAD');
    const ordersBefore = (await client.query(`{ orders { totalCount } }`)).orders.totalCount;
    const figuresBefore = (await client.query(FIGURES, { id: customerId })).customer;
    const lines = [
      { sku: 'MUG', quantity: 1 },
      { sku: 'NEW-THING', quantity: 2, unitPrice: '5.00' },
      { sku: 'UNKNOWN-SKU', quantity: 1 },
    ];
    const unpriced = await client.request(RECORD_ORDER, { input: { customerId, orderRef: 'BAD-1', lines } });
    expect(unpriced.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lines.2.unitPrice' });
    const zero = await client.request(RECORD_ORDER, { input: { customerId, lines: [lines[0], lines[1], { sku: 'MUG', quantity: 0 }] } });
    expect(zero.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lines.2.quantity' });
    const fractional = await client.request(RECORD_ORDER, { input: { customerId, lines: [lines[0], lines[1], { sku: 'X', quantity: 1, unitPrice: '1.005' }] } });
    expect(fractional.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lines.2.unitPrice' });
    const none = await client.request(RECORD_ORDER, { input: { customerId, lines: [] } });
    expect(none.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lines' });

    expect((await client.query(`{ orders { totalCount } }`)).orders.totalCount).toBe(ordersBefore);
    expect((await client.query(FIGURES, { id: customerId })).customer).toEqual(figuresBefore);
    expect(figuresBefore).toMatchObject({ lifecycleStage: 'LEAD', lifetimeValue: '0.00', orderCount: 0, lastOrderAt: null });
    // The orderRef of the failed order was not kept either.
    const ok = await client.query(RECORD_ORDER, { input: { customerId, orderRef: 'BAD-1', lines: [lines[0]] } });
    expect(ok.recordOrder.order.orderRef).toBe('BAD-1');
  });

  it('refuses a duplicate orderRef with CONFLICT, leaving the customer unchanged', async () => {
    const { client } = t.workspace;
    const customerId = await newCustomer(client, 'Repeat Importer');
    await client.query(RECORD_ORDER, { input: { customerId, orderRef: 'R-7', lines: [{ sku: 'MUG', quantity: 1 }] } });
    const dup = await client.request(RECORD_ORDER, { input: { customerId, orderRef: 'R-7', lines: [{ sku: 'MUG', quantity: 4 }] } });
    expect(dup.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'orderRef' });
    expect((await client.query(FIGURES, { id: customerId })).customer).toMatchObject({ lifetimeValue: '12.50', orderCount: 1 });
  });

  it('checks the customer and the key', async () => {
    const { client } = t.workspace;
    const other = await t.createWorkspace('Foreign shop');
    const foreign = await newCustomer(other.client, 'Not yours');
    const notFound = await client.request(RECORD_ORDER, { input: { customerId: foreign, lines: [{ sku: 'MUG', quantity: 1 }] } });
    expect(notFound.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customerId' });
    const badId = await client.request(RECORD_ORDER, { input: { customerId: 'nonsense', lines: [{ sku: 'MUG', quantity: 1 }] } });
    expect(badId.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customerId' });
    const future = await client.request(RECORD_ORDER, {
      input: { customerId: await newCustomer(client, 'Time traveller'), orderedAt: '2999-01-01T00:00:00Z', lines: [{ sku: 'MUG', quantity: 1 }] },
    });
    expect(future.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'orderedAt' });

    const readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    const customerId = await newCustomer(client, 'Read-only target');
    expect(await readOnly.errorCode(RECORD_ORDER, { input: { customerId, lines: [{ sku: 'MUG', quantity: 1 }] } })).toBe('FORBIDDEN');
    expect(await readOnly.errorCode(CREATE_PRODUCT, { input: { sku: 'RO', name: 'Nope', unitPrice: '1.00' } })).toBe('FORBIDDEN');
    const member = await t.issueKey(t.workspace.workspaceId, 'MEMBER');
    const recorded = await member.query(RECORD_ORDER, { input: { customerId, lines: [{ sku: 'MUG', quantity: 2 }] } });
    expect(recorded.recordOrder.order.total).toBe('25.00');
  });
});

// PGlite runs one transaction at a time; real concurrency (row locks, unique-index races) needs PostgreSQL.
describe('recording orders on PostgreSQL', () => {
  let pg: TestGateway;
  beforeAll(async () => {
    pg = await startTestGateway({ database: 'postgres' });
  });
  afterAll(async () => {
    await pg?.close();
  });

  it('keeps the figures exact under simultaneous orders and lets only one of two equal orderRefs in', async () => {
    const { client } = pg.workspace;
    const customerId = await newCustomer(client, 'Rush buyer', 'PROSPECT');
    const days = ['2026-01-05', '2026-01-01', '2026-01-09', '2026-01-03', '2026-01-07', '2026-01-02', '2026-01-08', '2026-01-04'];
    await Promise.all(
      days.map((day, i) => client.query(RECORD_ORDER, { input: { customerId, orderedAt: `${day}T12:00:00Z`, orderRef: `C-${i}`, lines: [{ sku: 'X', quantity: 1, unitPrice: '0.10' }] } })),
    );
    const figures = await client.query(FIGURES, { id: customerId });
    expect(figures.customer).toEqual({
      lifecycleStage: 'CUSTOMER',
      lifetimeValue: '0.80',
      orderCount: 8,
      firstOrderAt: '2026-01-01T12:00:00.000Z',
      lastOrderAt: '2026-01-09T12:00:00.000Z',
      orders: { totalCount: 8 },
    });
    const history = await client.query(`query ($id: ID!) { customer(id: $id) { stageHistory { toStage } } }`, { id: customerId });
    expect(history.customer.stageHistory).toEqual([{ toStage: 'PROSPECT' }, { toStage: 'CUSTOMER' }]); // converted once

    const racing = await Promise.all(
      [1, 2].map(() => client.request(RECORD_ORDER, { input: { customerId, orderRef: 'SAME', lines: [{ sku: 'X', quantity: 1, unitPrice: '1.00' }] } })),
    );
    expect(racing.filter((r) => !r.errors).length).toBe(1);
    expect(racing.find((r) => r.errors)?.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'orderRef' });
    expect((await client.query(FIGURES, { id: customerId })).customer).toMatchObject({ lifetimeValue: '1.80', orderCount: 9 });
  });
});
