import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

let t: TestGateway;
let ws: TestWorkspace;
let ada: string;
let bob: string;
let dealId: string;
beforeAll(async () => {
  t = await startTestGateway();
  ws = t.workspace;
  const q = ws.client.query.bind(ws.client);
  const create = async (name: string) =>
    (await q(`mutation ($n: String!) { createCustomer(input: { name: $n }) { customer { id } } }`, { n: name })).createCustomer.customer.id as string;
  ada = await create('Ada');
  bob = await create('Bob');
  await q(`mutation ($id: ID!) { updateCustomer(input: { id: $id, phone: "+44 20 7946 0000" }) { customer { id } } }`, { id: ada });
  await q(`mutation ($c: ID!) { logActivity(input: { customerId: $c, type: CALL, channel: PHONE, subject: "Intro", occurredAt: "2026-03-01T10:00:00Z" }) { activity { id } } }`, { c: ada });
  const pipeline = (await q(`{ pipelines { id stages { id isWon isLost } } }`)).pipelines[0];
  dealId = (
    await q(`mutation ($i: CreateDealInput!) { createDeal(input: $i) { deal { id } } }`, {
      i: { title: 'Big one', customerId: ada, pipelineId: pipeline.id, stageId: pipeline.stages[0].id, amount: '500.00' },
    })
  ).createDeal.deal.id;
  const won = pipeline.stages.find((s: { isWon: boolean }) => s.isWon).id;
  await q(`mutation ($id: ID!, $s: ID!) { moveDeal(input: { id: $id, stageId: $s }) { deal { id } } }`, { id: dealId, s: won });
  await q(`mutation ($c: ID!) { recordOrder(input: { customerId: $c, orderedAt: "2026-03-05T09:00:00Z", lines: [{ sku: "A", quantity: 1, unitPrice: "9.99" }] }) { order { id } } }`, { c: ada });
  await q(`mutation ($c: ID!) { createTicket(input: { customerId: $c, subject: "Broken", priority: LOW }) { ticket { id } } }`, { c: bob });
});
afterAll(async () => {
  await t?.close();
});

const HISTORY = `query ($id: ID!, $first: Int, $after: String, $types: [String!]) {
  customer(id: $id) { history(first: $first, after: $after, types: $types) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { type cursor subjectType subject { id } payload } } } }
}`;
interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { type: string; cursor: string; occurredAt: string; subjectType: string; subject: { id: string } | null; payload: Record<string, unknown> } }[];
}
const history = async (variables: Record<string, unknown>) => (await ws.client.query<{ customer: { history: Page } }>(HISTORY, variables)).customer.history;
const types = (page: Page) => page.edges.map((e) => e.node.type);

describe('Customer.history', () => {
  it('lists the customer’s events and the events that name them, newest first, page by page', async () => {
    const all = await history({ id: ada, first: 50 });
    expect(types(all)).toEqual([
      'order.recorded', // the first order moved her lifecycle stage, in the same command
      'customer.stage_changed',
      'customer.updated',
      'deal.won',
      'deal.stage_changed',
      'deal.created',
      'activity.logged',
      'customer.updated',
      'customer.stage_changed',
      'customer.created',
    ]);
    expect(all.totalCount).toBe(10);
    expect(all.edges.every((e) => e.cursor === e.node.cursor)).toBe(true);
    expect(all.edges.find((e) => e.node.type === 'deal.won')?.node).toMatchObject({ subjectType: 'Deal', subject: { id: dealId } });

    const first = await history({ id: ada, first: 4 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await history({ id: ada, first: 4, after: first.pageInfo.endCursor });
    const third = await history({ id: ada, first: 4, after: second.pageInfo.endCursor });
    expect([...types(first), ...types(second), ...types(third)]).toEqual(types(all));
    expect(third.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by type, and keeps other customers’ events out', async () => {
    const deals = await history({ id: ada, first: 10, types: ['deal.created', 'deal.won'] });
    expect(types(deals)).toEqual(['deal.won', 'deal.created']);
    expect(deals.totalCount).toBe(2);
    expect(types(await history({ id: bob, first: 10 }))).toEqual(['ticket.opened', 'customer.stage_changed', 'customer.created']);
  });

  it('is invisible to another workspace', async () => {
    const other = await t.createWorkspace('Other');
    const seen = await other.client.query(HISTORY, { id: ada, first: 5 });
    expect(seen.customer).toBeNull();
  });

  it('rejects a cursor that is not an event cursor', async () => {
    const result = await ws.client.request(HISTORY, { id: ada, first: 5, after: 'bm9wZQ' });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

const EVENTS = `query ($first: Int, $after: String, $last: Int, $before: String, $types: [String!], $subjectId: ID, $from: DateTime, $to: DateTime) {
  events(first: $first, after: $after, last: $last, before: $before, types: $types, subjectId: $subjectId, from: $from, to: $to) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { type cursor occurredAt subjectType } } }
}`;
const events = async (variables: Record<string, unknown>) => (await ws.client.query<{ events: Page }>(EVENTS, variables)).events;

describe('Query.events', () => {
  it('pages through the whole workspace log, newest first', async () => {
    const all = await events({ first: 100 });
    const count = await t.database.prisma.event.count({ where: { workspaceId: ws.workspaceId } });
    expect(all.totalCount).toBe(count);
    expect(all.edges).toHaveLength(count);
    const seqs = all.edges.map((e) => Number(Buffer.from(e.node.cursor, 'base64url').toString().split(':')[1]));
    expect(seqs).toEqual(seqs.map((_, i) => count - i)); // every event, newest first, no gap
    const firstPage = await events({ first: 3 });
    const next = await events({ first: 3, after: firstPage.pageInfo.endCursor });
    expect([...firstPage.edges, ...next.edges].map((e) => e.node.cursor)).toEqual(all.edges.slice(0, 6).map((e) => e.node.cursor));
    // `last` + `before`: the three events just newer than the sixth, in the same (newest-first) order.
    const back = await events({ last: 3, before: all.edges[5]!.node.cursor });
    expect(back.edges.map((e) => e.node.cursor)).toEqual(all.edges.slice(2, 5).map((e) => e.node.cursor));
  });

  it('filters by types, subject and time', async () => {
    const deals = await events({ first: 10, types: ['deal.created', 'deal.won'] });
    expect(types(deals)).toEqual(['deal.won', 'deal.created']);
    const aboutDeal = await events({ first: 10, subjectId: dealId });
    expect(types(aboutDeal)).toEqual(['deal.won', 'deal.stage_changed', 'deal.created']);
    expect(aboutDeal.totalCount).toBe(3);
    const all = await events({ first: 100 });
    const middle = all.edges[4]!.node.occurredAt;
    const since = await events({ first: 100, from: middle });
    expect(since.edges.every((e) => e.node.occurredAt >= middle)).toBe(true);
    const until = await events({ first: 100, to: middle });
    expect(until.edges.every((e) => e.node.occurredAt < middle)).toBe(true);
    expect(since.totalCount + until.totalCount).toBe(all.totalCount);
  });

  it('rejects a bad subject id and a bad cursor with BAD_USER_INPUT', async () => {
    expect((await ws.client.request(EVENTS, { first: 1, subjectId: '%%%' })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'subjectId',
    });
    expect((await ws.client.request(EVENTS, { first: 1, before: 'bm9wZQ' })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'before',
    });
  });
});

describe('no N+1 on history', () => {
  it('runs the same few statements for the history of a page of 2 and of 20 customers', async () => {
    const big = await t.createWorkspace('Many customers');
    for (let i = 0; i < 20; i++) {
      await big.client.query(`mutation ($n: String!) { createCustomer(input: { name: $n }) { customer { id } } }`, { n: `C${i}` });
    }
    const PAGE = `query ($first: Int!) { customers(first: $first) { edges { node { name
      history(first: 3) { totalCount edges { node { type } } } } } } }`;
    await big.client.query(PAGE, { first: 1 }); // warm the key cache: authentication is not what we count
    const small = await t.sql.during(() => big.client.query(PAGE, { first: 2 }));
    const large = await t.sql.during(() => big.client.query(PAGE, { first: 20 }));
    expect(large.length).toBe(small.length);
    expect(large.length).toBeLessThanOrEqual(3); // customers, one history page, one grouped count
    const page = await big.client.query(PAGE, { first: 20 });
    expect(page.customers.edges).toHaveLength(20);
    for (const edge of page.customers.edges) {
      expect(edge.node.history.totalCount).toBe(2);
      expect(edge.node.history.edges.map((e: { node: { type: string } }) => e.node.type)).toEqual(['customer.stage_changed', 'customer.created']);
    }
  });
});
