// Saved segments over HTTP: a validated filter, membership kept current by every change and every fit, the
// segment.entered / segment.left events (audit log and live subscription), Customer.segments batched, CSV export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWsClient, startTestGateway, SubscriptionCollector, type TestGateway, type TestWorkspace } from '../src/testing/index.js';
import { seedReportFixture } from './reports/fixture.js';

let t: TestGateway;
let ws: TestWorkspace;
let ids: Record<string, string>;
const gid = (id: string) => Buffer.from(`Customer:${id}`).toString('base64');

beforeAll(async () => {
  t = await startTestGateway();
  ws = await t.createWorkspace('Segments');
  ids = await seedReportFixture(t.database, ws.workspaceId);
});
afterAll(async () => {
  await t?.close();
});

const CREATE = `mutation ($i: CreateSegmentInput!) { createSegment(input: $i) { segment { id name memberCount filter } } }`;
const UPDATE_CUSTOMER = `mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`;
const EVENTS = `query ($types: [String!]) { events(first: 50, types: $types) { edges { node { type subject { id } payload } } } }`;

async function segmentEvents(): Promise<{ type: string; customer: string; segment: string }[]> {
  const edges = (await ws.client.query(EVENTS, { types: ['segment.entered', 'segment.left'] })).events.edges;
  return edges
    .map((e: { node: { type: string; subject: { id: string }; payload: { segment: string } } }) => ({ type: e.node.type, customer: e.node.subject.id, segment: e.node.payload.segment }))
    .reverse(); // oldest first
}

describe('saved segments', () => {
  let atRisk: string;

  it('createSegment stores the validated filter and its members, one segment.entered per member', async () => {
    const created = (await ws.client.query(CREATE, {
      i: { name: 'Fading', filter: { score: { probabilityAlive: { lte: 0.5 } }, lifecycleStage: { in: ['CUSTOMER', 'CHURNED'] } } },
    })).createSegment.segment;
    atRisk = created.id;
    // P(alive) ≤ 0.5 among CUSTOMER/CHURNED: c3 (0.3), c4 (0.2), c5 (0.1).
    expect(created).toMatchObject({ name: 'Fading', memberCount: 3, filter: { score: { probabilityAlive: { lte: 0.5 } }, lifecycleStage: { in: ['CUSTOMER', 'CHURNED'] } } });
    const byCustomer = (x: { customer: string }, y: { customer: string }) => x.customer.localeCompare(y.customer);
    expect((await segmentEvents()).sort(byCustomer)).toEqual(['c3', 'c4', 'c5'].map((k) => ({ type: 'segment.entered', customer: gid(ids[k]!), segment: 'Fading' })).sort(byCustomer));
  });

  it('a change that moves a customer out and back emits segment.left and segment.entered, live too', async () => {
    const client = openWsClient(t.wsUrl, ws.apiKey);
    const sub = await t.subscribed(
      () =>
        new SubscriptionCollector<{ events: { type: string; subject: { id: string } } }>(
          client,
          `subscription { events(types: ["segment.entered", "segment.left"]) { type subject { id } } }`,
        ),
    );
    try {
      await ws.client.query(UPDATE_CUSTOMER, { i: { id: gid(ids.c3!), lifecycleStage: 'ADVOCATE' } });
      expect((await ws.client.query(`query ($id: ID!) { node(id: $id) { ... on Segment { memberCount } } }`, { id: atRisk })).node.memberCount).toBe(2);
      await ws.client.query(UPDATE_CUSTOMER, { i: { id: gid(ids.c3!), lifecycleStage: 'CUSTOMER' } });
      const live = await sub.take(2);
      expect(live.map((r) => [r.events.type, r.events.subject.id])).toEqual([['segment.left', gid(ids.c3!)], ['segment.entered', gid(ids.c3!)]]);
      // A change that moves nobody emits nothing.
      await ws.client.query(UPDATE_CUSTOMER, { i: { id: gid(ids.c1!), name: 'Renamed' } });
      expect((await segmentEvents()).length).toBe(5);
    } finally {
      await client.dispose();
    }
  });

  it('Customer.segments is batched: a page of 6 costs what a page of 2 costs', async () => {
    await ws.client.query(CREATE, { i: { name: 'Everyone', filter: {} } });
    const PAGE = `query ($n: Int!) { customers(first: $n, orderBy: [{ field: NAME, direction: ASC }]) { edges { node { name segments { name } } } } }`;
    await ws.client.query(PAGE, { n: 1 });
    const small = await t.sql.during(() => ws.client.query(PAGE, { n: 2 }));
    const large = await t.sql.during(() => ws.client.query(PAGE, { n: 6 }));
    expect(large.length).toBe(small.length);
    const page = (await ws.client.query(PAGE, { n: 6 })).customers.edges.map((e: { node: { name: string; segments: { name: string }[] } }) => [e.node.name.slice(0, 2), e.node.segments.map((s) => s.name)]);
    // "Renamed" (c1) sorts before the lower-case names.
    expect(page).toEqual([['Re', ['Everyone']], ['c2', ['Everyone']], ['c3', ['Everyone', 'Fading']], ['c4', ['Everyone', 'Fading']], ['c5', ['Everyone', 'Fading']], ['c6', ['Everyone']]]);
  });

  it('exports a segment as CSV', async () => {
    const { node } = await ws.client.query(`query ($id: ID!) { node(id: $id) { ... on Segment { csv } } }`, { id: atRisk });
    const name = (k: string) => `${k} ${ws.workspaceId.slice(0, 4)}`;
    expect(node.csv.split('\r\n')).toEqual([
      'id,name,email,phone,lifecycleStage,lifetimeValue,orderCount,lastOrderAt,predictedLifetimeValue,probabilityAlive,rfmSegment',
      `${gid(ids.c3!)},${name('c3')},,,CUSTOMER,0.00,0,,300.00,0.3,At risk`,
      `${gid(ids.c4!)},${name('c4')},,,CHURNED,0.00,0,,100.00,0.2,Can't lose them`,
      `${gid(ids.c5!)},${name('c5')},,,CHURNED,0.00,0,,0.00,0.1,Lost`,
      '',
    ]);
  });

  it('updates, renames and deletes; errors have codes', async () => {
    const updated = (await ws.client.query(`mutation ($i: UpdateSegmentInput!) { updateSegment(input: $i) { segment { name memberCount } } }`, {
      i: { id: atRisk, name: 'Churned', filter: { lifecycleStage: { in: ['CHURNED'] } } },
    })).updateSegment.segment;
    expect(updated).toEqual({ name: 'Churned', memberCount: 2 }); // c3 left
    expect((await segmentEvents()).at(-1)).toEqual({ type: 'segment.left', customer: gid(ids.c3!), segment: 'Churned' });

    const duplicate = await ws.client.request(CREATE, { i: { name: 'Everyone', filter: {} } });
    expect(duplicate.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'name' });
    const bad = await ws.client.request(CREATE, { i: { name: 'Bad', filter: { or: [{ name: { eq: 'x' } }, { lifetimeValue: { gte: '1.234' } }] } } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.or.1.lifetimeValue.gte' });
    const readOnly = await t.issueKey(ws.workspaceId, 'READ_ONLY');
    expect(await readOnly.errorCode(CREATE, { i: { name: 'RO', filter: {} } })).toBe('FORBIDDEN');
    expect((await readOnly.query(`{ segments { name memberCount } }`)).segments).toEqual([{ name: 'Churned', memberCount: 2 }, { name: 'Everyone', memberCount: 6 }]);

    const deleted = await ws.client.query(`mutation ($i: DeleteSegmentInput!) { deleteSegment(input: $i) { deletedSegmentId } }`, { i: { id: atRisk } });
    expect(deleted.deleteSegment.deletedSegmentId).toBe(atRisk);
    expect((await ws.client.query(`{ segments { name } }`)).segments).toEqual([{ name: 'Everyone' }]);
    expect(await ws.client.errorCode(`mutation ($i: DeleteSegmentInput!) { deleteSegment(input: $i) { deletedSegmentId } }`, { i: { id: atRisk } })).toBe('NOT_FOUND');
  });

  it('a fit recomputes the segments that read scores', async () => {
    const fresh = await t.createWorkspace('Segments after a fit');
    const csv = ['customer,orderedAt,total', 'a@f.test,2026-01-10,10.00', 'a@f.test,2026-02-10,20.00', 'b@f.test,2026-01-15,30.00', 'c@f.test,2026-03-01,5.00'].join('\n');
    await fresh.client.query(`mutation ($csv: String!) { importOrders(input: { csv: $csv }) { imported } }`, { csv });
    const scored = (await fresh.client.query(CREATE, { i: { name: 'Scored', filter: { predictedLifetimeValue: { gte: '0' } } } })).createSegment.segment;
    expect(scored.memberCount).toBe(0); // nobody has a score before the first fit
    await fresh.client.query(`mutation { refreshClvModel(input: { asOf: "2026-03-31T00:00:00Z" }) { model { customers } } }`);
    const after = (await fresh.client.query(`{ segments { memberCount } }`)).segments[0];
    expect(after.memberCount).toBe(3);
    const entered = (await fresh.client.query(EVENTS, { types: ['segment.entered'] })).events.edges;
    expect(entered).toHaveLength(3);
  });
});
