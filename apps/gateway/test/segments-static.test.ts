// STATIC segments over HTTP: members added and removed by hand (addSegmentMembers / removeSegmentMembers), the same
// segment.entered / segment.left events a FILTER segment's refresh emits, once per change; never recomputed (a
// customer's change, a whole-workspace recomputation, a field rename); inSegment, members, counts and CSV; the trash,
// merges and erasure; a FILTER segment refused; the 1,000 limit; all or nothing; tenancy and permissions; a call's
// statements do not grow with its customers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

let t: TestGateway;
let ws: TestWorkspace;
let admin: TestClient;
const c: Record<string, string> = {};
let vip: string;

const CREATE = `mutation ($i: CreateSegmentInput!) { createSegment(input: $i) { segment { id name kind filter memberCount } } }`;
const UPDATE = `mutation ($i: UpdateSegmentInput!) { updateSegment(input: $i) { segment { kind filter memberCount } } }`;
const ADD = `mutation ($i: AddSegmentMembersInput!) { addSegmentMembers(input: $i) { segment { id memberCount } added alreadyMembers } }`;
const REMOVE = `mutation ($i: RemoveSegmentMembersInput!) { removeSegmentMembers(input: $i) { segment { id memberCount } removed notMembers } }`;
const CUSTOMER = `mutation ($n: String!, $o: ID) { createCustomer(input: { name: $n, ownerId: $o }) { customer { id } } }`;
const SEGMENT = `query ($id: ID!) { node(id: $id) { ... on Segment { kind memberCount members(first: 50) { totalCount edges { node { customer { name } } } } } } }`;
const IN_SEGMENT = `query ($s: ID!) { customers(first: 50, filter: { inSegment: $s }, orderBy: [{ field: NAME, direction: ASC }]) { totalCount edges { node { name segments { name } } } } }`;
const EVENTS = `query ($types: [String!]) { events(first: 100, types: $types) { edges { node { type subject { id } payload } } } }`;

const rowOf = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;
const customerGid = (id: string) => Buffer.from(`Customer:${id}`).toString('base64');

/**
 * The workspace's segment.entered / segment.left events of a segment, oldest first: [type, customer (global id; null
 * once the customer is gone: merged, erased)].
 */
async function membershipEvents(segmentId: string, client = admin): Promise<[string, string | null][]> {
  const edges = (await client.query(EVENTS, { types: ['segment.entered', 'segment.left'] })).events.edges as { node: { type: string; subject: { id: string } | null; payload: { segmentId: string } } }[];
  return edges
    .filter((e) => e.node.payload.segmentId === rowOf(segmentId))
    .map((e): [string, string | null] => [e.node.type, e.node.subject?.id ?? null])
    .reverse();
}
const memberNames = async (segmentId: string) =>
  ((await admin.query(IN_SEGMENT, { s: segmentId })).customers.edges as { node: { name: string } }[]).map((e) => e.node.name);

beforeAll(async () => {
  t = await startTestGateway();
  ws = t.workspace;
  admin = ws.client;
  for (const name of ['Ada', 'Bob', 'Cy', 'Di', 'Ed', 'Flo']) c[name] = (await admin.query(CUSTOMER, { n: name })).createCustomer.customer.id;
});
afterAll(async () => {
  await t?.close();
});

describe('STATIC segments', () => {
  it('are created without a filter (a filter is refused; a FILTER segment without one selects every customer)', async () => {
    const created = (await admin.query(CREATE, { i: { name: 'VIP list', kind: 'STATIC' } })).createSegment.segment;
    vip = created.id;
    expect(created).toMatchObject({ name: 'VIP list', kind: 'STATIC', filter: null, memberCount: 0 });
    const withFilter = await admin.request(CREATE, { i: { name: 'Bad', kind: 'STATIC', filter: {} } });
    expect(withFilter.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter' });
    // A FILTER segment without a filter selects every customer, as before STATIC segments existed.
    const everyone = (await admin.query(CREATE, { i: { name: 'Everyone' } })).createSegment.segment;
    expect(everyone).toMatchObject({ kind: 'FILTER', filter: {}, memberCount: 6 });
    await admin.query(`mutation ($id: ID!) { deleteSegment(input: { id: $id }) { deletedSegmentId } }`, { id: everyone.id });
    expect((await admin.query(`{ segments { name kind } }`)).segments).toEqual([{ name: 'VIP list', kind: 'STATIC' }]);
  });

  it('take members by hand: one segment.entered per customer that entered, nothing for one that was in already', async () => {
    const first = (await admin.query(ADD, { i: { segmentId: vip, customerIds: [c.Ada, c.Bob, c.Ada] } })).addSegmentMembers;
    expect(first).toEqual({ segment: { id: vip, memberCount: 2 }, added: 2, alreadyMembers: 0 });
    const again = (await admin.query(ADD, { i: { segmentId: vip, customerIds: [c.Bob, c.Cy, c.Ada] } })).addSegmentMembers;
    expect(again).toMatchObject({ added: 1, alreadyMembers: 2, segment: { memberCount: 3 } });
    expect(await membershipEvents(vip)).toEqual([
      ['segment.entered', c.Ada],
      ['segment.entered', c.Bob],
      ['segment.entered', c.Cy],
    ]);
    // The payload a FILTER segment's refresh gives: the segment's row id and name.
    const [event] = (await admin.query(EVENTS, { types: ['segment.entered'] })).events.edges;
    expect(event.node.payload).toEqual({ segmentId: rowOf(vip), segment: 'VIP list' });
  });

  it('are read like any segment: inSegment, members, Customer.segments, CSV', async () => {
    expect(await memberNames(vip)).toEqual(['Ada', 'Bob', 'Cy']);
    const { node } = await admin.query(SEGMENT, { id: vip });
    expect(node).toMatchObject({ kind: 'STATIC', memberCount: 3, members: { totalCount: 3 } });
    expect(node.members.edges.map((e: { node: { customer: { name: string } } }) => e.node.customer.name)).toEqual(['Ada', 'Bob', 'Cy']);
    expect((await admin.query(IN_SEGMENT, { s: vip })).customers.edges[0].node.segments).toEqual([{ name: 'VIP list' }]);
    const csv = (await admin.query(`query ($id: ID!) { node(id: $id) { ... on Segment { csv } } }`, { id: vip })).node.csv as string;
    expect(csv.split('\r\n').slice(1, -1).map((line) => line.split(',')[1])).toEqual(['Ada', 'Bob', 'Cy']);
  });

  it('are never recomputed: a change of a customer, a whole-workspace recomputation, a field rename', async () => {
    const before = await membershipEvents(vip);
    await admin.query(`mutation ($id: ID!) { updateCustomer(input: { id: $id, name: "Ada A" }) { customer { id } } }`, { id: c.Ada });
    await admin.query(`mutation ($id: ID!) { updateCustomer(input: { id: $id, tags: ["gold"] }) { customer { id } } }`, { id: c.Di });
    // orders.imported recomputes every FILTER segment for every customer.
    const csv = ['customer,orderedAt,total', 'x@static.test,2026-01-10,10.00'].join('\n');
    await admin.query(`mutation ($csv: String!) { importOrders(input: { csv: $csv }) { imported } }`, { csv });
    const field = (await admin.query(`mutation { defineCustomField(input: { object: CUSTOMER, name: "tier", type: TEXT }) { customField { id } } }`)).defineCustomField.customField.id;
    await admin.query(`mutation ($id: ID!) { renameCustomField(input: { id: $id, name: "level" }) { customField { name } } }`, { id: field });
    expect(await memberNames(vip)).toEqual(['Ada A', 'Bob', 'Cy']);
    expect(await membershipEvents(vip)).toEqual(before);
  });

  it('lose members by hand: one segment.left per customer that left, nothing for one that was not in', async () => {
    const removed = (await admin.query(REMOVE, { i: { segmentId: vip, customerIds: [c.Cy, c.Di] } })).removeSegmentMembers;
    expect(removed).toEqual({ segment: { id: vip, memberCount: 2 }, removed: 1, notMembers: 1 });
    const again = (await admin.query(REMOVE, { i: { segmentId: vip, customerIds: [c.Cy] } })).removeSegmentMembers;
    expect(again).toMatchObject({ removed: 0, notMembers: 1 });
    expect((await membershipEvents(vip)).slice(3)).toEqual([['segment.left', c.Cy]]);
  });

  it('refuse a FILTER segment, over 1,000 customers and an unknown customer: nothing written', async () => {
    const byFilter = (await admin.query(CREATE, { i: { name: 'Everyone', filter: {} } })).createSegment.segment.id;
    const refused = await admin.request(ADD, { i: { segmentId: byFilter, customerIds: [c.Ed] } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'segmentId' });
    expect(refused.errors?.[0]?.message).toContain('only a STATIC segment takes members by hand');
    expect((await admin.request(REMOVE, { i: { segmentId: byFilter, customerIds: [c.Ed] } })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'segmentId' });

    const many = Array.from({ length: 1001 }, () => customerGid(crypto.randomUUID()));
    expect((await admin.request(ADD, { i: { segmentId: vip, customerIds: many } })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customerIds' });
    const unknown = await admin.request(ADD, { i: { segmentId: vip, customerIds: [c.Ed, customerGid(crypto.randomUUID())] } });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customerIds.1' });
    expect((await admin.request(ADD, { i: { segmentId: vip, customerIds: [c.Ed, vip] } })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customerIds.1' });
    expect(await memberNames(vip)).toEqual(['Ada A', 'Bob']);
  });

  it('turn FILTER (recomputed, events for the difference) and back STATIC (members kept)', async () => {
    const turned = await admin.query(`mutation { createSegment(input: { name: "Turned", kind: STATIC }) { segment { id } } }`);
    const id = turned.createSegment.segment.id;
    await admin.query(ADD, { i: { segmentId: id, customerIds: [c.Ada, c.Bob] } });
    expect((await admin.request(UPDATE, { i: { id, kind: 'FILTER' } })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter' });
    expect((await admin.request(UPDATE, { i: { id, filter: {} } })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter' });
    // Di was tagged gold above: the filter keeps nobody added by hand (the refresh's events: entered, then left).
    const filtered = (await admin.query(UPDATE, { i: { id, kind: 'FILTER', filter: { tags: { has: 'gold' } } } })).updateSegment.segment;
    expect(filtered).toMatchObject({ kind: 'FILTER', memberCount: 1 });
    expect((await membershipEvents(id)).slice(2)).toEqual([
      ['segment.entered', c.Di],
      ['segment.left', c.Ada],
      ['segment.left', c.Bob],
    ]);
    const frozen = (await admin.query(UPDATE, { i: { id, kind: 'STATIC' } })).updateSegment.segment;
    expect(frozen).toEqual({ kind: 'STATIC', filter: null, memberCount: 1 });
    await admin.query(`mutation ($id: ID!) { updateCustomer(input: { id: $id, tags: [] }) { customer { id } } }`, { id: c.Di });
    expect(await memberNames(id)).toEqual(['Di']);
  });

  it('the trash: a trashed member leaves (segment.left) and is back when restored (segment.entered); it cannot be added meanwhile', async () => {
    await admin.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: c.Bob });
    expect(await memberNames(vip)).toEqual(['Ada A']);
    expect((await admin.query(SEGMENT, { id: vip })).node).toMatchObject({ memberCount: 1, members: { totalCount: 1 } });
    expect((await admin.request(ADD, { i: { segmentId: vip, customerIds: [c.Bob] } })).errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customerIds.0' });
    await admin.query(`mutation ($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id } } }`, { id: c.Bob });
    expect(await memberNames(vip)).toEqual(['Ada A', 'Bob']);
    expect((await membershipEvents(vip)).slice(-2)).toEqual([
      ['segment.left', c.Bob],
      ['segment.entered', c.Bob],
    ]);
 
    // A trashed member can be removed (it left when trashed: no second segment.left), and a restore then brings it
    // back into no segment.
    const cyEvents = async () => (await membershipEvents(vip)).filter(([, who]) => who === c.Cy);
    const before = (await cyEvents()).length;
    await admin.query(ADD, { i: { segmentId: vip, customerIds: [c.Cy] } });
    await admin.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: c.Cy });
    expect((await admin.query(REMOVE, { i: { segmentId: vip, customerIds: [c.Cy] } })).removeSegmentMembers).toMatchObject({ removed: 1, notMembers: 0 });
    await admin.query(`mutation ($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id } } }`, { id: c.Cy });
    expect(await memberNames(vip)).toEqual(['Ada A', 'Bob']);
    expect((await cyEvents()).slice(before)).toEqual([
      ['segment.entered', c.Cy],
      ['segment.left', c.Cy],
    ]);

    // Turned FILTER while a member is in the trash: the row kept for it goes without a second segment.left.
    const kept = (await admin.query(CREATE, { i: { name: 'Kept', kind: 'STATIC' } })).createSegment.segment.id;
    await admin.query(ADD, { i: { segmentId: kept, customerIds: [c.Flo] } });
    await admin.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: c.Flo });
    await admin.query(UPDATE, { i: { id: kept, kind: 'FILTER', filter: { name: { eq: 'Flo' } } } });
    await admin.query(`mutation ($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id } } }`, { id: c.Flo });
    expect(await membershipEvents(kept)).toEqual([
      ['segment.entered', c.Flo],
      ['segment.left', c.Flo],
      ['segment.entered', c.Flo],
    ]);
  });

  it('a merge keeps the merged customers’ places; an erasure removes the person; the export lists the segment', async () => {
    // Bob (a member) merged into Ed (not one): Ed enters.
    await admin.query(`mutation ($k: ID!, $m: [ID!]!) { mergeCustomers(input: { keep: $k, merge: $m }) { customer { id } } }`, { k: c.Ed, m: [c.Bob] });
    expect(await memberNames(vip)).toEqual(['Ada A', 'Ed']);
    expect((await membershipEvents(vip)).at(-1)).toEqual(['segment.entered', c.Ed]);
    const document = (await admin.query(`mutation ($c: ID!) { exportPersonalData(input: { customerId: $c }) { document } }`, { c: c.Ed })).exportPersonalData.document;
    const listed = document.records.segments.map((s: { segment: { name: string; kind: string } }) => s.segment);
    expect(listed.sort((x: { name: string }, y: { name: string }) => x.name.localeCompare(y.name))).toEqual([
      { name: 'Everyone', kind: 'FILTER' },
      { name: 'VIP list', kind: 'STATIC' },
    ]);
    await admin.query(`mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId } }`, { c: c.Ed });
    expect((await admin.query(SEGMENT, { id: vip })).node.memberCount).toBe(1);
  });

  it('a call costs the same statements for 2 customers as for 20', async () => {
    const segment = (await admin.query(CREATE, { i: { name: 'Counted', kind: 'STATIC' } })).createSegment.segment.id;
    const many = [];
    for (let i = 0; i < 20; i++) many.push((await admin.query(CUSTOMER, { n: `Bulk ${i}` })).createCustomer.customer.id);
    const add = (ids: string[]) => t.sql.during(() => admin.query(ADD, { i: { segmentId: segment, customerIds: ids } }));
    const small = await add(many.slice(0, 2));
    const large = await add(many.slice(2));
    expect(large.length).toBe(small.length);
    expect(large.filter((s) => s.includes('INSERT INTO "SegmentMember"')).length).toBe(1);
    const remove = (ids: string[]) => t.sql.during(() => admin.query(REMOVE, { i: { segmentId: segment, customerIds: ids } }));
    expect((await remove(many.slice(2))).length).toBe((await remove(many.slice(0, 2))).length);
  });
});

describe('STATIC segments: tenancy and permissions', () => {
  let other: TestWorkspace;
  let theirs: string;
  let theirSegment: string;

  beforeAll(async () => {
    other = await t.createWorkspace('Static B');
    theirs = (await other.client.query(CUSTOMER, { n: 'Theirs' })).createCustomer.customer.id;
    theirSegment = (await other.client.query(CREATE, { i: { name: 'Their list', kind: 'STATIC' } })).createSegment.segment.id;
  });

  it('another workspace’s segment or customer is NOT_FOUND, as an unknown one is; nothing changes on either side', async () => {
    const before = await memberNames(vip);
    for (const mutation of [ADD, REMOVE]) {
      expect((await other.client.request(mutation, { i: { segmentId: vip, customerIds: [theirs] } })).errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'segmentId' });
      expect((await other.client.request(mutation, { i: { segmentId: theirSegment, customerIds: [c.Ada] } })).errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customerIds.0' });
      expect((await admin.request(mutation, { i: { segmentId: theirSegment, customerIds: [c.Ada] } })).errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'segmentId' });
    }
    expect(await memberNames(vip)).toEqual(before);
    expect((await other.client.query(SEGMENT, { id: theirSegment })).node.memberCount).toBe(0);
    expect(await membershipEvents(theirSegment, other.client)).toEqual([]);
  });

  it('READ_ONLY and a custom role that writes nothing are FORBIDDEN; MEMBER writes; a role’s unseen customers are NOT_FOUND', async () => {
    const readOnly = await t.issueKey(ws.workspaceId, 'READ_ONLY');
    expect(await readOnly.errorCode(ADD, { i: { segmentId: vip, customerIds: [c.Cy] } })).toBe('FORBIDDEN');
    expect(await readOnly.errorCode(REMOVE, { i: { segmentId: vip, customerIds: [c.Ada] } })).toBe('FORBIDDEN');
    const member = await t.issueKey(ws.workspaceId, 'MEMBER');
    expect((await member.query(ADD, { i: { segmentId: vip, customerIds: [c.Cy] } })).addSegmentMembers.added).toBe(1);
    expect((await member.query(REMOVE, { i: { segmentId: vip, customerIds: [c.Cy] } })).removeSegmentMembers.removed).toBe(1);

    const role = async (name: string, permissions: object[], userId?: string) => {
      const roleId = (await admin.query(`mutation ($n: String!, $p: [ObjectPermissionInput!]!) { createRole(input: { name: $n, permissions: $p }) { role { id } } }`, { n: name, p: permissions })).createRole.role.id;
      const secret = (await admin.query(`mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`, { i: { name, roleId, ...(userId ? { userId } : {}) } })).createApiKey.secret;
      return t.client(secret);
    };
    const viewer = await role('Viewer', [{ object: 'Customer', read: true }]);
    expect(await viewer.errorCode(ADD, { i: { segmentId: vip, customerIds: [c.Cy] } })).toBe('FORBIDDEN');
    // Writes tasks, does not read customers: they are not there for it.
    const planner = await role('Planner', [{ object: 'Task', read: true, create: true }]);
    expect((await planner.request(ADD, { i: { segmentId: vip, customerIds: [c.Cy] } })).errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customerIds.0' });
    // Own records only: its member's customers, not another's.
    const user = (await admin.query(`mutation { createUser(input: { name: "Una Own", email: "una@static.test" }) { user { id } } }`)).createUser.user.id;
    const own = (await admin.query(CUSTOMER, { n: 'Una’s', o: user })).createCustomer.customer.id;
    const rep = await role('Rep', [{ object: 'Customer', read: true, update: true, ownRecordsOnly: true }], user);
    expect((await rep.request(ADD, { i: { segmentId: vip, customerIds: [own, c.Cy] } })).errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customerIds.1' });
    expect((await rep.query(ADD, { i: { segmentId: vip, customerIds: [own] } })).addSegmentMembers.added).toBe(1);
    expect(await memberNames(vip)).toEqual(['Ada A', 'Una’s']);
  });
});
