// The SDK end to end through a real gateway, with the test plugin (fixtures/stamps): its table, type, field on
// Customer (batched), mutation and permission, event in the `events` stream, subscribers (retried, idempotent,
// failing for good without breaking the mutation), a vetoing hook, settings over GraphQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { stamps } from './fixtures/stamps/src/index.js';

const CREATE_CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
const RECORD_ORDER = `mutation ($customerId: ID!) { recordOrder(input: { customerId: $customerId, lines: [{ sku: "MUG", quantity: 1, unitPrice: "9.50" }] }) { order { id } } }`;
const CARD = `query ($id: ID!) { customer(id: $id) { stampCard { stamps bonusStamps } } }`;
const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "stamps", settings: $settings }) { plugin { id settings } } }`;

let kit: PluginTestGateway;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [stamps], delivery: { attempts: 3, backoffMs: 5 } });
});
afterAll(async () => {
  await kit?.close();
});

async function newCustomer(name: string): Promise<string> {
  const data = await kit.workspace.client.query(CREATE_CUSTOMER, { name });
  return data.createCustomer.customer.id as string;
}

async function deliveries(subscriber: string) {
  return kit.database.prisma.pluginDelivery.findMany({ where: { pluginId: 'stamps', subscriber }, orderBy: { createdAt: 'asc' } });
}

/** An `order.recorded` committed by another process (not handed to this gateway's subscribers). */
async function orderRecordedElsewhere(customerId: string, options: { published?: boolean } = {}) {
  const event = await kit.database.prisma.event.create({
    data: {
      workspaceId: kit.workspace.workspaceId,
      type: 'order.recorded',
      subjectType: 'Order',
      subjectId: crypto.randomUUID(),
      actor: 'system',
      payload: { customerId, total: '10.00', orderedAt: new Date().toISOString(), skus: ['MUG'], lines: [] },
    },
  });
  // Published already (by the process that committed it): out of the outbox, as its publisher leaves it.
  if (options.published) await kit.database.sql.query(`DELETE FROM "EventOutbox" WHERE "eventId" = $1::uuid`, [event.id]);
}

describe('the trash through the SDK', () => {
  const ARCHIVE = `mutation ($id: ID!, $reason: String, $restore: Boolean) { stampArchiveCustomer(input: { customerId: $id, reason: $reason, restore: $restore }) }`;

  it("moves a customer to the trash and back with core's commands: the same rules, role floor, events and tenancy", async () => {
    const customerId = await newCustomer('Tess Trash');
    const member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
    expect((await member.query(ARCHIVE, { id: customerId, reason: 'duplicate' })).stampArchiveCustomer).toBe(true);
    expect((await member.query(`query ($id: ID!) { customer(id: $id) { id } }`, { id: customerId })).customer).toBeNull();
    const trash = await kit.workspace.client.query(`{ trash(object: CUSTOMER, first: 10) { edges { node { id deleteReason } } } }`);
    expect(trash.trash.edges.map((e: { node: unknown }) => e.node)).toContainEqual({ id: customerId, deleteReason: 'duplicate' });
    expect((await member.query(ARCHIVE, { id: customerId, restore: true })).stampArchiveCustomer).toBe(false);
    expect((await member.query(`query ($id: ID!) { customer(id: $id) { name } }`, { id: customerId })).customer).toEqual({ name: 'Tess Trash' });
    const rowIdOf = Buffer.from(customerId, 'base64').toString('utf8').split(':')[1]!;
    const events = await kit.database.prisma.event.findMany({ where: { subjectId: rowIdOf, type: { in: ['customer.trashed', 'customer.restored'] } }, orderBy: { seq: 'asc' } });
    expect(events.map((event) => [event.type, (event.payload as { reason: string | null }).reason])).toEqual([['customer.trashed', 'duplicate'], ['customer.restored', null]]);

    // Restoring a live customer is NOT_FOUND (nothing in the trash); a READ_ONLY key meets the core's role floor.
    expect(await member.errorCode(ARCHIVE, { id: customerId, restore: true })).toBe('NOT_FOUND');
    const readOnly = await kit.issueKey(kit.workspace.workspaceId, 'READ_ONLY');
    expect(await readOnly.errorCode(ARCHIVE, { id: customerId })).toBe('FORBIDDEN');
    // Another workspace's key cannot reach it.
    const other = await kit.createWorkspace('Other trash');
    expect(await other.client.errorCode(ARCHIVE, { id: customerId })).toBe('NOT_FOUND');
    expect((await member.query(`query ($id: ID!) { customer(id: $id) { name } }`, { id: customerId })).customer).toEqual({ name: 'Tess Trash' });
  });
});

describe('a plugin through the gateway', () => {
  it('adds its type, its field on Customer and its mutation; plugin settings are listed for ADMIN keys', async () => {
    expect(kit.schema).toMatch(/type StampCard implements Node/);
    expect(kit.schema).toMatch(/stampCard: StampCard/);
    expect(kit.schema).toMatch(/addStamp\(input: AddStampInput!\): AddStampPayload!/);
    const data = await kit.workspace.client.query(`{ plugins { id version permissions { name roles } events settings } }`);
    expect(data.plugins).toEqual([
      {
        id: 'stamps',
        version: '1.0.0',
        permissions: [
          { name: 'addStamp', roles: ['MEMBER', 'ADMIN'] },
          { name: 'resetCard', roles: ['ADMIN'] },
          { name: 'followUp', roles: ['READ_ONLY', 'MEMBER', 'ADMIN'] },
        ],
        events: ['stamps.stamp_added'],
        settings: {
          stampsPerOrder: 1,
          flakyFailures: 0,
          brokenSubscriber: false,
          forbiddenCustomerName: null,
          brokenHook: false,
          emitCoreEvent: false,
          undeclaredStampKey: false,
          wrongStampPayload: false,
          refusedHookStatement: false,
          refusedNoteText: null,
          brokenNoteText: null,
        },
      },
    ]);
  });

  it('runs its mutation as one command with its event in the events stream', async () => {
    const customerId = await newCustomer('Ada Stamp');
    const sub = kit.subscribe<{ events: { type: string; subject: { stamps: number } | null } }>(
      `subscription { events(types: ["stamps.stamp_added"]) { type subject { ... on StampCard { stamps } } } }`,
    );
    // The subscription must be listening before the change (a fixed sleep was flaky on a busy machine).
    for (let i = 0; i < 500 && kit.gateway.liveSubscribers < 1; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const data = await kit.workspace.client.query(`mutation ($id: ID!) { addStamp(input: { customerId: $id }) { card { stamps customerId } } }`, { id: customerId });
    expect(data.addStamp.card).toEqual({ stamps: 1, customerId });
    const [event] = await sub.take(1);
    expect(event!.events).toEqual({ type: 'stamps.stamp_added', subject: { stamps: 1 } });
    sub.dispose();
  });

  it('checks its permissions: a READ_ONLY key cannot add stamps, a MEMBER key cannot change settings', async () => {
    const customerId = await newCustomer('Perm Check');
    const readOnly = await kit.issueKey(kit.workspace.workspaceId, 'READ_ONLY');
    expect(await readOnly.errorCode(`mutation ($id: ID!) { addStamp(input: { customerId: $id }) { card { stamps } } }`, { id: customerId })).toBe('FORBIDDEN');
    const member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
    expect(await member.errorCode(SETTINGS, { settings: { stampsPerOrder: 2 } })).toBe('FORBIDDEN');
    const bad = await kit.workspace.client.request(SETTINGS, { settings: { stampsPerOrder: 0 } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'settings.stampsPerOrder' });
  });

  it('delivers order.recorded to its subscriber after commit, exactly once even when the event is delivered twice', async () => {
    const customerId = await newCustomer('Orla Order');
    await kit.workspace.client.query(RECORD_ORDER, { customerId });
    await kit.settled();
    expect((await kit.workspace.client.query(CARD, { id: customerId })).customer.stampCard).toEqual({ stamps: 1, bonusStamps: 1 });

    // The same event again (the outbox relay publishing it again, a redelivery): a no-op for every subscriber. Handed
    // to them lately by this process, it costs nothing at all: no transaction, not even to find its mark (the mark
    // still guards a delivery from another process or after a restart).
    const event = await kit.lastEvent('order.recorded');
    const statements = await kit.sql.during(async () => {
      kit.gateway.plugins!.dispatch([event, event]);
      await kit.settled();
    });
    expect(statements.filter((q) => q.includes('"PluginDelivery"'))).toEqual([]);
    expect((await kit.workspace.client.query(CARD, { id: customerId })).customer.stampCard).toEqual({ stamps: 1, bonusStamps: 1 });
    const done = await kit.database.prisma.pluginDelivery.findMany({ where: { eventId: event.id } });
    expect(done.map((d) => [d.subscriber, d.status]).sort()).toEqual([
      ['alwaysBroken', 'DONE'],
      ['flakyBonus', 'DONE'],
      ['stampOnOrder', 'DONE'],
    ]);
  });

  it('delivers events that arrive together in one transaction per subscriber; a batch that fails is redone event by event', async () => {
    const customers = await Promise.all(['Bea', 'Bo', 'Bix', 'Bram', 'Bel'].map((name) => newCustomer(`${name} Batch`)));
    const rowIds = customers.map((id) => Buffer.from(id, 'base64').toString('utf8').split(':')[1]!);
    // Five orders committed elsewhere (another instance, an import), handed to this instance's subscribers at once.
    const orderEvents = async () => {
      // Published already: the outbox relay leaves them alone, only this test hands them on.
      await Promise.all(rowIds.map((customerId) => orderRecordedElsewhere(customerId, { published: true })));
      return (await kit.recentEvents('order.recorded', { take: 5 })).reverse();
    };
    const cards = async () => Promise.all(customers.map(async (id) => (await kit.workspace.client.query(CARD, { id })).customer.stampCard));

    const events = await orderEvents();
    const statements = await kit.sql.during(async () => {
      kit.gateway.plugins!.dispatch(events);
      await kit.settled();
    });
    // One multi-row insert of the five delivery records per subscriber (three subscribers), not one per event, and
    // no read of them first (events never seen are marked by the insert itself).
    expect(statements.filter((q) => q.trimStart().startsWith('INSERT INTO "PluginDelivery"'))).toHaveLength(3);
    expect(statements.filter((q) => /SELECT[\s\S]*FROM "public"\."PluginDelivery"/.test(q))).toEqual([]);
    expect(await cards()).toEqual(customers.map(() => ({ stamps: 1, bonusStamps: 1 })));

    // flakyBonus throws on its first try: the batch rolls back (nothing of it is kept), then each event goes alone,
    // with its retries; every effect happens once.
    await kit.workspace.client.query(SETTINGS, { settings: { flakyFailures: 1 } });
    const again = await orderEvents();
    kit.gateway.plugins!.dispatch(again);
    await kit.settled();
    expect(await cards()).toEqual(customers.map(() => ({ stamps: 2, bonusStamps: 2 })));
    const rows = await kit.database.prisma.pluginDelivery.findMany({ where: { eventId: { in: again.map((e) => e.id) }, subscriber: 'flakyBonus' } });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(again.map(() => ['DONE', 2]));
    await kit.workspace.client.query(SETTINGS, { settings: { flakyFailures: 0 } });
  });

  it('catches up on events whose subscribers never ran (committed just before a crash)', async () => {
    const customerId = await newCustomer('Cathy Catchup');
    const rowId = Buffer.from(customerId, 'base64').toString('utf8').split(':')[1]!;
    // An order.recorded committed by an instance that died before handing it to the subscribers (numbered at
    // commit, like every event).
    await orderRecordedElsewhere(rowId);
    expect(await kit.gateway.plugins!.catchUp()).toBe(3); // its three subscribers; everything else was delivered
    await kit.settled();
    expect((await kit.workspace.client.query(CARD, { id: customerId })).customer.stampCard).toEqual({ stamps: 1, bonusStamps: 1 });
    expect(await kit.gateway.plugins!.catchUp()).toBe(0);
  });

  it('retries a throwing subscriber with backoff until it succeeds; one that keeps throwing is recorded FAILED and the mutation stands', async () => {
    await kit.workspace.client.query(SETTINGS, { settings: { flakyFailures: 2, brokenSubscriber: true } });
    const customerId = await newCustomer('Flaky Fiona');
    const order = await kit.workspace.client.query(RECORD_ORDER, { customerId });
    expect(order.recordOrder.order.id).toBeTruthy();
    await kit.settled();

    // flakyBonus failed twice, then succeeded on its third (last) try; stampOnOrder was not affected.
    expect((await kit.workspace.client.query(CARD, { id: customerId })).customer.stampCard).toEqual({ stamps: 1, bonusStamps: 1 });
    const event = await kit.lastEvent('order.recorded');
    const rows = await kit.database.prisma.pluginDelivery.findMany({ where: { eventId: event.id } });
    const bySubscriber = Object.fromEntries(rows.map((r) => [r.subscriber, r]));
    expect(bySubscriber.flakyBonus).toMatchObject({ status: 'DONE', attempts: 3 });
    expect(bySubscriber.alwaysBroken).toMatchObject({ status: 'FAILED', attempts: 3, lastError: 'Error: this subscriber is broken on purpose' });
    // The order is there: a subscriber's failure never reaches the command that caused the event.
    const orders = await kit.workspace.client.query(`query ($id: ID!) { customer(id: $id) { orders { totalCount } } }`, { id: customerId });
    expect(orders.customer.orders.totalCount).toBe(1);
    expect((await deliveries('alwaysBroken')).filter((d) => d.status === 'FAILED')).toHaveLength(1);
    await kit.workspace.client.query(SETTINGS, { settings: { flakyFailures: 0, brokenSubscriber: false } });
  });

  it('a hook that throws vetoes the core mutation: clean error with its code, nothing left behind', async () => {
    await kit.workspace.client.query(SETTINGS, { settings: { forbiddenCustomerName: 'Mallory' } });
    const before = await kit.database.prisma.customer.count();
    const eventsBefore = await kit.database.prisma.event.count();
    const result = await kit.workspace.client.request(CREATE_CUSTOMER, { name: 'Mallory' });
    expect(result.errors?.[0]).toMatchObject({ message: 'The stamps plugin does not accept a customer named Mallory', extensions: { code: 'CONFLICT', field: 'name' } });
    expect(await kit.database.prisma.customer.count()).toBe(before);
    expect(await kit.database.prisma.event.count()).toBe(eventsBefore);
    await kit.workspace.client.query(SETTINGS, { settings: { forbiddenCustomerName: null } });
    expect(await newCustomer('Mallory')).toBeTruthy();
  });

  it('resolves Customer.stampCard with one query per page (batched), whatever the page size', async () => {
    const other = await kit.createWorkspace('Batch workspace');
    for (let i = 0; i < 12; i++) {
      const { createCustomer } = await other.client.query(CREATE_CUSTOMER, { name: `Batch ${i}` });
      await other.client.query(`mutation ($id: ID!) { addStamp(input: { customerId: $id }) { card { stamps } } }`, { id: createCustomer.customer.id });
    }
    const page = (first: number) => other.client.query(`query ($first: Int!) { customers(first: $first) { edges { node { name stampCard { stamps } } } } }`, { first });
    const small = await kit.sql.during(() => page(3));
    let rows: { node: { stampCard: { stamps: number } | null } }[] = [];
    const large = await kit.sql.during(async () => {
      rows = (await page(12)).customers.edges;
    });
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => r.node.stampCard?.stamps === 1)).toBe(true);
    expect(large.length).toBe(small.length);
    expect(large.filter((q) => q.includes('"StampCard"'))).toHaveLength(1);
  });

  it('keeps plugin rows inside their workspace', async () => {
    const other = await kit.createWorkspace('Other');
    const customerId = await newCustomer('Only In A');
    await kit.workspace.client.query(`mutation ($id: ID!) { addStamp(input: { customerId: $id }) { card { id } } }`, { id: customerId });
    const cards = await kit.workspace.client.query(`query ($id: ID!) { customer(id: $id) { stampCard { id } } }`, { id: customerId });
    const seen = await other.client.query(`query ($id: ID!) { node(id: $id) { id } }`, { id: cards.customer.stampCard.id });
    expect(seen.node).toBeNull();
  });
});
