// The cross-sell benchmark of docs/performance.md. Usage (from the repository root):
//   npm run bench:cross-sell -- [--customers 10000] [--products 200] [--requests 500]
// Seeds a fresh PostgreSQL database (created and dropped by the plugin test kit) with the core demo data for
// `customers` customers, tops the catalog up to `products` products with extra affinity groups bought by a share of
// the customers, rebuilds the rules, then times `customer(id) { crossSellSuggestions(first: 5) }` over HTTP for
// random customers, one request at a time. Also times incremental updates (one recorded order until its subscriber
// committed). Prints one JSON line.
import { parseArgs } from 'node:util';
import { seedWorkspace } from '@crm/core';
import { crossSell } from '@crm/plugin-cross-sell';
import { startPluginTestGateway } from '@crm/plugin-testing';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '10000' },
    products: { type: 'string', default: '200' },
    requests: { type: 'string', default: '500' },
  },
});
const customers = Number(args.customers);
const productTarget = Number(args.products);
const requests = Number(args.requests);
const log = (line: string) => process.stderr.write(`[bench:cross-sell] ${line}\n`);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const summary = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: +percentile(sorted, 50).toFixed(2), p95: +percentile(sorted, 95).toFixed(2), max: +sorted.at(-1)!.toFixed(2), n: ms.length };
};
// Deterministic pseudo-random numbers (mulberry32): the same data on every run.
let state = 7;
const random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const kit = await startPluginTestGateway({ plugins: [crossSell], database: 'postgres', rateLimit: { perMinute: 0 } });
try {
  const { prisma } = kit.database;
  const workspaceId = kit.workspace.workspaceId;
  const client = kit.workspace.client;
  let started = performance.now();
  log(`seeding ${customers} customers (core demo data)…`);
  await seedWorkspace(prisma, workspaceId, { customers, seed: 42 });
  const existing = await prisma.product.count({ where: { workspaceId } });
  const extra = Math.max(0, productTarget - existing);
  await prisma.product.createMany({
    data: Array.from({ length: extra }, (_, i) => ({ workspaceId, sku: `XS-${String(i).padStart(3, '0')}`, name: `Extra product ${i}`, unitPrice: '20.00' })),
  });
  // Extra affinity groups of 8 products: 60 % of the customers buy 1 to 4 products of one group.
  const customerIds = (await prisma.customer.findMany({ where: { workspaceId }, select: { id: true } })).map((c) => c.id);
  const orders: { id: string; workspaceId: string; customerId: string; orderedAt: Date; total: string }[] = [];
  const lines: { workspaceId: string; orderId: string; sku: string; quantity: number; unitPrice: string; total: string }[] = [];
  for (const customerId of customerIds) {
    if (!extra || random() > 0.6) continue;
    const group = Math.floor(random() * Math.ceil(extra / 8));
    const skus = new Set<string>();
    const count = 1 + Math.floor(random() * 4);
    for (let i = 0; i < count; i++) skus.add(`XS-${String(Math.min(extra - 1, group * 8 + Math.floor(random() * 8))).padStart(3, '0')}`);
    const id = crypto.randomUUID();
    orders.push({ id, workspaceId, customerId, orderedAt: new Date(Date.now() - random() * 365 * 86_400_000), total: (20 * skus.size).toFixed(2) });
    for (const sku of skus) lines.push({ workspaceId, orderId: id, sku, quantity: 1, unitPrice: '20.00', total: '20.00' });
  }
  for (let i = 0; i < orders.length; i += 5000) await prisma.order.createMany({ data: orders.slice(i, i + 5000) });
  for (let i = 0; i < lines.length; i += 5000) await prisma.orderLine.createMany({ data: lines.slice(i, i + 5000) });
  const totals = {
    customers: await prisma.customer.count({ where: { workspaceId } }),
    products: await prisma.product.count({ where: { workspaceId } }),
    orders: await prisma.order.count({ where: { workspaceId } }),
    orderLines: await prisma.orderLine.count({ where: { workspaceId } }),
  };
  log(`seeded ${JSON.stringify(totals)} in ${((performance.now() - started) / 1000).toFixed(1)} s; rebuilding the rules…`);

  started = performance.now();
  const rebuilt = (await client.query(`mutation { rebuildCrossSellRules { customers products pairs } }`)).rebuildCrossSellRules;
  const rebuildMs = performance.now() - started;
  // Statistics as autovacuum would have them on a workspace that has been running: without them the planner guesses
  // row counts of the freshly filled tables (the bench measures seconds after the bulk insert).
  await prisma.$executeRawUnsafe('ANALYZE');
  log(`rebuilt ${JSON.stringify(rebuilt)} in ${(rebuildMs / 1000).toFixed(1)} s; analyzed; timing ${requests} suggestion requests…`);

  const query = `query ($id: ID!) { customer(id: $id) { crossSellSuggestions(first: 5) { product { sku name } score confidence lift reason } } }`;
  const globalIds = (await client.query(`{ customers(first: 100) { edges { node { id } } } }`)).customers.edges.map((e: { node: { id: string } }) => e.node.id as string);
  for (let i = 0; i < 30; i++) await client.query(query, { id: globalIds[i % globalIds.length] }); // warm-up
  // Interleaved with a baseline (the same customer's name only): on a shared, loaded machine the difference is the figure.
  const suggestionMs: number[] = [];
  const baselineMs: number[] = [];
  let empty = 0;
  for (let i = 0; i < requests; i++) {
    const id = globalIds[Math.floor(random() * globalIds.length)];
    let t0 = performance.now();
    await client.query(`query ($id: ID!) { customer(id: $id) { name } }`, { id });
    baselineMs.push(performance.now() - t0);
    t0 = performance.now();
    const data = await client.query(query, { id });
    suggestionMs.push(performance.now() - t0);
    if (!data.customer.crossSellSuggestions.length) empty++;
  }

  // Incremental: one order through recordOrder, until the subscriber has committed its counts.
  const incrementalMs: number[] = [];
  for (let i = 0; i < 30; i++) {
    const customerId = globalIds[Math.floor(random() * globalIds.length)];
    const t0 = performance.now();
    await client.query(`mutation ($c: ID!, $sku: String!) { recordOrder(input: { customerId: $c, lines: [{ sku: $sku, quantity: 1 }] }) { order { id } } }`, {
      c: customerId,
      sku: `XS-${String(Math.floor(random() * extra)).padStart(3, '0')}`,
    });
    await kit.settled();
    incrementalMs.push(performance.now() - t0);
  }
  process.stdout.write(
    `${JSON.stringify({
      bench: 'cross-sell',
      database: 'postgres',
      data: { ...totals, ...rebuilt },
      rebuildMs: Math.round(rebuildMs),
      suggestionsForOneCustomerMs: summary(suggestionMs),
      baselineCustomerNameMs: summary(baselineMs),
      loadAverage: (await import('node:os')).loadavg().map((l) => +l.toFixed(2)),
      emptySuggestionLists: empty,
      orderToUpdatedRulesMs: summary(incrementalMs),
    })}\n`,
  );
} finally {
  await kit.close();
}
