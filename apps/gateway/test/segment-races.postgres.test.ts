// STATIC segments under concurrent commands, on PostgreSQL (PGlite serialises every transaction, so nothing races
// there). A transaction opened here holds what a membership change or a trash holds before its COMMIT (the customer's
// row lock and its write); the command under test is started, seen waiting for a lock, and the holder then commits.
// A merge locks the kept and merged customers first, so it reads the memberships the concurrent change left; a turn to
// FILTER share-locks its members, so a member being trashed is found trashed (no second segment.left). Every
// updateSegment locks the segment before reading it, so a rename racing a turn of kind applies to the turned segment.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ database: 'postgres', rateLimit: { perMinute: 0 }, clvRefresh: false });
});
afterAll(async () => {
  await t?.close();
});

const rowOf = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;
const q = (query: string, variables?: Record<string, unknown>) => t.workspace.client.query(query, variables);
const customer = async (name: string): Promise<string> => (await q(`mutation ($n: String!) { createCustomer(input: { name: $n }) { customer { id } } }`, { n: name })).createCustomer.customer.id;
const staticSegment = async (name: string): Promise<string> =>
  (await q(`mutation ($n: String!) { createSegment(input: { name: $n, kind: STATIC }) { segment { id } } }`, { n: name })).createSegment.segment.id;
const MERGE = `mutation ($k: ID!, $m: [ID!]!) { mergeCustomers(input: { keep: $k, merge: $m }) { customer { id } } }`;
const MEMBERS = `query ($id: ID!) { node(id: $id) { ... on Segment { memberCount members(first: 10) { edges { node { customer { name } } } } } } }`;
const EVENTS = `query { events(first: 100, types: ["segment.entered", "segment.left"]) { edges { node { type subject { id } payload } } } }`;

async function membershipEvents(segmentId: string): Promise<[string, string | null][]> {
  const edges = (await q(EVENTS)).events.edges as { node: { type: string; subject: { id: string } | null; payload: { segmentId: string } } }[];
  return edges
    .filter((e) => e.node.payload.segmentId === rowOf(segmentId))
    .map((e): [string, string | null] => [e.node.type, e.node.subject?.id ?? null])
    .reverse();
}

type Tx = Pick<TestGateway['database']['prisma'], '$queryRawUnsafe' | '$executeRawUnsafe'>;

/** Resolves once another session of this database waits for a lock (the command under test has reached it), or `running` has settled. */
async function someoneWaitsForALock(running: Promise<unknown>): Promise<void> {
  let settled = false;
  running.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let tries = 0; tries < 600 && !settled; tries++) {
    const [row] = await t.database.prisma.$queryRawUnsafe<{ waiting: number }[]>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (row!.waiting > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!settled) throw new Error('nothing waited for a lock within 30 s');
}

/**
 * Runs `hold` in a transaction of its own, starts `command` once `hold` is done (its locks held, nothing committed),
 * waits until the command waits for a lock, then commits `hold`; answers the command's answer.
 */
async function whileHeld<T>(hold: (tx: Tx) => Promise<unknown>, command: () => Promise<T>): Promise<T> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const isHeld = new Promise<void>((resolve) => (held = resolve));
  const holder = t.database.prisma.$transaction(
    async (tx) => {
      await hold(tx);
      held();
      await gate;
    },
    { timeout: 60_000 },
  );
  await isHeld;
  const running = command();
  await someoneWaitsForALock(running);
  release();
  await holder;
  return running;
}

const lockCustomer = (tx: Tx, id: string) => tx.$queryRawUnsafe(`SELECT 1 FROM "Customer" WHERE "id" = $1::uuid FOR UPDATE`, rowOf(id));

it('a merge keeps a STATIC membership of the merged customer added while the merge started', async () => {
  const [keep, merged, list] = [await customer('Keep'), await customer('Merged'), await staticSegment('Added meanwhile')];
  // What addSegmentMembers(list, [merged]) holds before its COMMIT: the customer's row lock and the new row.
  await whileHeld(
    async (tx) => {
      await lockCustomer(tx, merged);
      await tx.$executeRawUnsafe(`INSERT INTO "SegmentMember" ("segmentId", "customerId", "workspaceId") VALUES ($1::uuid, $2::uuid, $3::uuid)`, rowOf(list), rowOf(merged), t.workspace.workspaceId);
    },
    () => q(MERGE, { k: keep, m: [merged] }),
  );
  expect((await q(MEMBERS, { id: list })).node).toMatchObject({ memberCount: 1, members: { edges: [{ node: { customer: { name: 'Keep' } } }] } });
  // The merged customer's entry (its own command emits it; the held transaction stands for that command here) and the survivor's.
  expect(await membershipEvents(list)).toEqual([['segment.entered', keep]]);
});

it('a merge does not undo a STATIC membership of the merged customer removed while the merge started', async () => {
  const [keep, merged, list] = [await customer('Keeper'), await customer('Removed'), await staticSegment('Removed meanwhile')];
  await q(`mutation ($s: ID!, $c: [ID!]!) { addSegmentMembers(input: { segmentId: $s, customerIds: $c }) { added } }`, { s: list, c: [merged] });
  // What removeSegmentMembers(list, [merged]) holds before its COMMIT: the customer's row lock, the row deleted.
  await whileHeld(
    async (tx) => {
      await lockCustomer(tx, merged);
      await tx.$executeRawUnsafe(`DELETE FROM "SegmentMember" WHERE "segmentId" = $1::uuid AND "customerId" = $2::uuid`, rowOf(list), rowOf(merged));
    },
    () => q(MERGE, { k: keep, m: [merged] }),
  );
  expect((await q(MEMBERS, { id: list })).node).toMatchObject({ memberCount: 0, members: { edges: [] } });
  expect((await membershipEvents(list)).filter(([, who]) => who === keep)).toEqual([]);
});

it('a STATIC segment turned FILTER while a member is being trashed: the member left once, with the trash', async () => {
  const [member, list] = [await customer('Trashed meanwhile'), await staticSegment('Turned meanwhile')];
  await q(`mutation ($s: ID!, $c: [ID!]!) { addSegmentMembers(input: { segmentId: $s, customerIds: $c }) { added } }`, { s: list, c: [member] });
  // What deleteCustomer(member) holds before its COMMIT: the row lock and the row trashed (its own segment.left is
  // emitted by that command; the held transaction stands for it, so any segment.left seen here is the turn's).
  const turned = await whileHeld(
    async (tx) => {
      await lockCustomer(tx, member);
      await tx.$executeRawUnsafe(`UPDATE "Customer" SET "deletedAt" = now() WHERE "id" = $1::uuid`, rowOf(member));
    },
    () => q(`mutation ($id: ID!) { updateSegment(input: { id: $id, kind: FILTER, filter: { name: { eq: "Nobody" } } }) { segment { kind memberCount } } }`, { id: list }),
  );
  expect(turned.updateSegment.segment).toEqual({ kind: 'FILTER', memberCount: 0 });
  // Its entry only (a trashed customer's global id does not resolve: the subject reads null); no segment.left.
  expect((await membershipEvents(list)).map(([type]) => type)).toEqual(['segment.entered']);
  expect(await t.database.prisma.segmentMember.count({ where: { segmentId: rowOf(list) } })).toBe(0);
});

const filterSegment = async (name: string, filter: unknown): Promise<string> =>
  (await q(`mutation ($n: String!, $f: CustomerFilter) { createSegment(input: { name: $n, filter: $f }) { segment { id } } }`, { n: name, f: filter })).createSegment.segment.id;
const UPDATE = `mutation ($input: UpdateSegmentInput!) { updateSegment(input: $input) { segment { name kind filter } } }`;
/** What a turn of kind holds before its COMMIT: the segment's row lock and the row turned. */
const turnHeld = (id: string, kind: 'FILTER' | 'STATIC', filter: unknown) => async (tx: Tx) => {
  await tx.$queryRawUnsafe(`SELECT 1 FROM "Segment" WHERE "id" = $1::uuid FOR NO KEY UPDATE`, rowOf(id));
  await tx.$executeRawUnsafe(`UPDATE "Segment" SET "kind" = $2::"SegmentKind", "filter" = $3::jsonb WHERE "id" = $1::uuid`, rowOf(id), kind, filter === null ? null : JSON.stringify(filter));
};

it('a rename while the segment is turned STATIC keeps the turn (no FILTER segment without its filter)', async () => {
  const vip = await filterSegment('VIP', { name: { eq: 'Nobody' } });
  const renamed = await whileHeld(turnHeld(vip, 'STATIC', null), () => q(UPDATE, { input: { id: vip, name: 'VIP renamed' } }));
  expect(renamed.updateSegment.segment).toEqual({ name: 'VIP renamed', kind: 'STATIC', filter: null });
  expect((await q(`query ($id: ID!) { node(id: $id) { ... on Segment { name kind filter } } }`, { id: vip })).node).toEqual({ name: 'VIP renamed', kind: 'STATIC', filter: null });
});

it('a rename while the segment is turned FILTER keeps the turn (no STATIC segment storing a filter)', async () => {
  const list = await staticSegment('Hand list');
  const filter = { name: { eq: 'Nobody' } };
  const renamed = await whileHeld(turnHeld(list, 'FILTER', filter), () => q(UPDATE, { input: { id: list, name: 'Hand list renamed' } }));
  expect(renamed.updateSegment.segment).toEqual({ name: 'Hand list renamed', kind: 'FILTER', filter });
});

it('a new filter while the segment is turned STATIC is refused (it does not turn the segment back)', async () => {
  const vip = await filterSegment('VIP filters', { name: { eq: 'Nobody' } });
  const changed = await whileHeld(turnHeld(vip, 'STATIC', null), () =>
    t.workspace.client.request(UPDATE, { input: { id: vip, filter: { name: { eq: 'Somebody' } } } }),
  );
  expect(changed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter' });
  expect((await q(`query ($id: ID!) { node(id: $id) { ... on Segment { kind filter } } }`, { id: vip })).node).toEqual({ kind: 'STATIC', filter: null });
});
