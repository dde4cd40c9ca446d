// Operating a plugin through a real gateway (the test plugin, fixtures/stamps): a hook's bug is a coded error that
// names the plugin (and its log line too), a veto carries the plugin's reason, settings patches are checked key by
// key, a plugin emits only its own events and runs core commands with the core's rules, FAILED deliveries are listed
// and redelivered (GraphQL, catch-up), and an ADMIN switches the plugin off and on for one workspace.
import { startTestGateway, type TestGateway } from '@crm/gateway/testing';
import { createPluginHost } from '@crm/plugin-sdk/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stamps } from './fixtures/stamps/src/index.js';

const CREATE_CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
const RECORD_ORDER = `mutation ($customerId: ID!) { recordOrder(input: { customerId: $customerId, lines: [{ sku: "MUG", quantity: 1, unitPrice: "9.50" }] }) { order { id } } }`;
const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "stamps", settings: $settings }) { plugin { id settings } } }`;
const SWITCH = `mutation ($enabled: Boolean!) { setPluginEnabled(input: { pluginId: "stamps", enabled: $enabled }) { plugin { id enabled } } }`;
const ADD_STAMP = `mutation ($id: ID!) { addStamp(input: { customerId: $id }) { card { stamps } } }`;
const FAILED = `{ pluginDeliveries(pluginId: "stamps", status: FAILED) { id subscriber eventType status attempts lastError } }`;
const REDELIVER = `mutation ($deliveryId: ID) { redeliverPluginDeliveries(input: { pluginId: "stamps", deliveryId: $deliveryId }) { redelivered deliveries { id subscriber status } } }`;

const logged: { level: string; message: string; fields: Record<string, unknown> }[] = [];
const record = (level: string) => (message: string, fields: Record<string, unknown> = {}) => void logged.push({ level, message, fields });
let kit: TestGateway;
const host = createPluginHost([stamps]);

beforeAll(async () => {
  kit = await startTestGateway({
    plugins: host,
    migrations: host.migrations,
    pluginDelivery: { attempts: 2, backoffMs: 5 },
    logger: { info: () => {}, warn: record('warn'), error: record('error') },
  });
});
afterAll(async () => {
  await kit?.close();
});

const admin = () => kit.workspace.client;
async function newCustomer(name: string, client = admin()): Promise<string> {
  return (await client.query(CREATE_CUSTOMER, { name })).createCustomer.customer.id as string;
}
const settled = () => kit.gateway.plugins!.settled();

describe('a plugin that fails explains itself', () => {
  it('a hook that throws a TypeError fails the command with PLUGIN_FAILED naming the plugin and the hook; nothing is written; the log line names them', async () => {
    await admin().query(SETTINGS, { settings: { brokenHook: true } });
    const customers = await kit.database.prisma.customer.count();
    const result = await admin().request(CREATE_CUSTOMER, { name: 'Tripwire' });
    expect(result.errors?.[0]).toMatchObject({
      message: 'The stamps plugin failed in hook buggyHook on customer.created; nothing was changed',
      extensions: { code: 'PLUGIN_FAILED', plugin: 'stamps', handler: 'hook buggyHook on customer.created' },
    });
    expect(JSON.stringify(result.errors)).not.toMatch(/TypeError|deeper/); // the cause stays on the server
    expect(await kit.database.prisma.customer.count()).toBe(customers);
    const line = logged.find((l) => l.fields.plugin === 'stamps' && l.fields.handler === 'hook buggyHook on customer.created');
    expect(line).toMatchObject({ level: 'error', message: 'plugin failed' });
    expect(String(line!.fields.error)).toMatch(/Cannot read properties of undefined/);
    await admin().query(SETTINGS, { settings: { brokenHook: false } });
  });

  it('a hook whose statement the SDK refuses (PluginSqlError) fails the command with PLUGIN_FAILED naming the plugin and the hook, with the SDK’s message', async () => {
    await admin().query(SETTINGS, { settings: { refusedHookStatement: true } });
    const customers = await kit.database.prisma.customer.count();
    const result = await admin().request(CREATE_CUSTOMER, { name: 'Refused Rita' });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.message).toMatch(/^sql: a plugin statement is one SELECT/);
    expect(result.errors![0]!.extensions).toEqual({ code: 'PLUGIN_FAILED', plugin: 'stamps', handler: 'hook refusedStatement on customer.created' });
    expect(await kit.database.prisma.customer.count()).toBe(customers);
    const line = logged.find((l) => l.fields.plugin === 'stamps' && l.fields.handler === 'hook refusedStatement on customer.created');
    expect(line).toMatchObject({ level: 'error', message: 'plugin failed' });
    await admin().query(SETTINGS, { settings: { refusedHookStatement: false } });
  });

  it("a veto carries the plugin's own reason code in extensions.reason", async () => {
    await admin().query(SETTINGS, { settings: { forbiddenCustomerName: 'Mallory' } });
    const result = await admin().request(CREATE_CUSTOMER, { name: 'Mallory' });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'name', reason: 'NAME_FORBIDDEN', plugin: 'stamps' });
    await admin().query(SETTINGS, { settings: { forbiddenCustomerName: null } });
  });

  it('a settings patch with a key the plugin does not have is refused, naming the key, and changes nothing', async () => {
    const result = await admin().request(SETTINGS, { settings: { stampsPerOrdr: 3, stampsPerOrder: 2 } });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'settings.stampsPerOrdr' });
    expect(result.errors?.[0]?.message).toMatch(/stamps has no setting "stampsPerOrdr" \(its settings: stampsPerOrder, /);
    const { plugins } = await admin().query(`{ plugins { settings } }`);
    expect(plugins[0].settings.stampsPerOrder).toBe(1);
  });

  it('a plugin may emit only its own events: a core event type is refused (PLUGIN_FAILED) and nothing is written', async () => {
    await admin().query(SETTINGS, { settings: { emitCoreEvent: true } });
    const customerId = await newCustomer('Poser Target');
    const result = await admin().request(ADD_STAMP, { id: customerId });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'PLUGIN_FAILED', plugin: 'stamps' });
    expect(result.errors?.[0]?.message).toMatch(/may emit only its own events .*stamps\.stamp_added.*"customer\.deleted"/);
    expect(await kit.database.prisma.stampCard.count({ where: { customerId: rowIdOf(customerId) } })).toBe(0);
    await admin().query(SETTINGS, { settings: { emitCoreEvent: false } });
  });

  it('an event declaring its payload is held to it: a payload it refuses fails the mutation (PLUGIN_FAILED) and nothing is written', async () => {
    await admin().query(SETTINGS, { settings: { wrongStampPayload: true } });
    const customerId = await newCustomer('Wrong Payload');
    const result = await admin().request(ADD_STAMP, { id: customerId });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'PLUGIN_FAILED', plugin: 'stamps', event: 'stamps.stamp_added', reason: 'EVENT_PAYLOAD_MISMATCH' });
    expect(result.errors?.[0]?.message).toMatch(/The stamps plugin emitted stamps\.stamp_added with a payload its declaration refuses \(stamps: .+\); nothing was kept/);
    expect(await kit.database.prisma.stampCard.count({ where: { customerId: rowIdOf(customerId) } })).toBe(0);
    await admin().query(SETTINGS, { settings: { wrongStampPayload: false } });
    // Its payload as declared: the mutation and its event go through.
    expect((await admin().query(ADD_STAMP, { id: customerId })).addStamp).toBeTruthy();
    expect(await kit.database.prisma.stampCard.count({ where: { customerId: rowIdOf(customerId) } })).toBe(1);
  });

  it('a key the declaration does not have is refused as a wrong one is (it was silently left out), naming it; nothing is written', async () => {
    await admin().query(SETTINGS, { settings: { undeclaredStampKey: true } });
    const customerId = await newCustomer('Extra Key');
    const events = await kit.database.prisma.event.count({ where: { type: 'stamps.stamp_added' } });
    const result = await admin().request(ADD_STAMP, { id: customerId });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'PLUGIN_FAILED', plugin: 'stamps', event: 'stamps.stamp_added', reason: 'EVENT_PAYLOAD_MISMATCH' });
    expect(result.errors?.[0]?.message).toBe('The stamps plugin emitted stamps.stamp_added with a payload its declaration refuses (keys it does not declare: note); nothing was kept');
    expect(await kit.database.prisma.stampCard.count({ where: { customerId: rowIdOf(customerId) } })).toBe(0);
    expect(await kit.database.prisma.event.count({ where: { type: 'stamps.stamp_added' } })).toBe(events);
    await admin().query(SETTINGS, { settings: { undeclaredStampKey: false } });
  });
});

describe('core commands through the SDK', () => {
  const FOLLOW_UP = `mutation ($id: ID!, $title: String!) { stampFollowUp(input: { customerId: $id, title: $title }) { taskId lifecycleStage } }`;

  it("run with the core's validation, role checks and events, in the plugin command's transaction", async () => {
    const customerId = await newCustomer('Fern Follow');
    const data = await admin().query(FOLLOW_UP, { id: customerId, title: 'Call about the full card' });
    expect(data.stampFollowUp.lifecycleStage).toBe('ADVOCATE');
    const task = await admin().query(`query ($id: ID!) { node(id: $id) { ... on Task { title customer { id } } } }`, { id: data.stampFollowUp.taskId });
    expect(task.node).toEqual({ title: 'Call about the full card', customer: { id: customerId } });
    // The core's events, by the caller (not the plugin): other plugins, webhooks and subscriptions see them.
    const events = await kit.database.prisma.event.findMany({
      where: { OR: [{ type: 'task.created', subjectId: rowIdOf(data.stampFollowUp.taskId) }, { type: 'customer.updated', subjectId: rowIdOf(customerId) }] },
    });
    expect(events.map((e) => e.type).sort()).toEqual(['customer.updated', 'task.created']);
    expect(events.every((e) => e.actor.startsWith('apikey:'))).toBe(true);

    // The core's validation: an empty title, as from the core's own mutation; nothing of the command is left.
    const tasks = await kit.database.prisma.task.count();
    const empty = await admin().request(FOLLOW_UP, { id: await newCustomer('Empty Title'), title: '' });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'title' });
    expect(await kit.database.prisma.task.count()).toBe(tasks);

    // The core's role floor: the plugin lets READ_ONLY keys ask, the core wants MEMBER to create a task.
    const readOnly = await kit.issueKey(kit.workspace.workspaceId, 'READ_ONLY');
    expect(await readOnly.errorCode(FOLLOW_UP, { id: customerId, title: 'Nope' })).toBe('FORBIDDEN');
  });

  it("cannot reach another workspace's rows", async () => {
    const other = await kit.createWorkspace('Commands elsewhere');
    const theirs = await newCustomer('Not Yours', other.client);
    expect(await admin().errorCode(FOLLOW_UP, { id: theirs, title: 'Sneaky' })).toBe('NOT_FOUND');
  });
});

describe('operators see and mend failed deliveries', () => {
  it('lists FAILED deliveries (ADMIN only, own workspace only) and redelivers one, then all, once the plugin is mended', async () => {
    await admin().query(SETTINGS, { settings: { brokenSubscriber: true } });
    const customerId = await newCustomer('Broken Bob');
    await admin().query(RECORD_ORDER, { customerId });
    await admin().query(RECORD_ORDER, { customerId });
    await settled();
    const failed = (await admin().query(FAILED)).pluginDeliveries;
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({ subscriber: 'alwaysBroken', eventType: 'order.recorded', status: 'FAILED', attempts: 2, lastError: 'Error: this subscriber is broken on purpose' });
    const line = logged.find((l) => l.message === 'plugin subscriber failed');
    expect(line?.fields).toMatchObject({ plugin: 'stamps', subscriber: 'alwaysBroken', handler: 'subscriber alwaysBroken on order.recorded' });

    const member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
    expect(await kit.client(null).errorCode(FAILED)).toBe('UNAUTHENTICATED');
    expect(await kit.client(null).errorCode(REDELIVER, {})).toBe('UNAUTHENTICATED');
    expect(await member.errorCode(FAILED)).toBe('FORBIDDEN');
    expect(await member.errorCode(REDELIVER, {})).toBe('FORBIDDEN');
    const other = await kit.createWorkspace('Deliveries elsewhere');
    expect((await other.client.query(FAILED)).pluginDeliveries).toEqual([]);
    const byNode = `query ($id: ID!) { node(id: $id) { ... on PluginDelivery { subscriber status } } }`;
    expect((await admin().query(byNode, { id: failed[0].id })).node).toEqual({ subscriber: 'alwaysBroken', status: 'FAILED' });
    expect((await other.client.query(byNode, { id: failed[0].id })).node).toBeNull();
    expect(await other.client.errorCode(REDELIVER, { deliveryId: failed[0].id })).toBe('BAD_USER_INPUT');
    expect(await admin().errorCode(`{ pluginDeliveries(pluginId: "nope") { id } }`)).toBe('BAD_USER_INPUT');

    // Still broken: a redelivery fails again, and says so.
    const again = await admin().query(REDELIVER, { deliveryId: failed[0].id });
    expect(again.redeliverPluginDeliveries).toEqual({ redelivered: 1, deliveries: [{ id: failed[0].id, subscriber: 'alwaysBroken', status: 'FAILED' }] });

    // Mended: one, then the rest.
    await admin().query(SETTINGS, { settings: { brokenSubscriber: false } });
    const one = await admin().query(REDELIVER, { deliveryId: failed[1].id });
    expect(one.redeliverPluginDeliveries.deliveries).toEqual([{ id: failed[1].id, subscriber: 'alwaysBroken', status: 'DONE' }]);
    const rest = await admin().query(REDELIVER, {});
    expect(rest.redeliverPluginDeliveries).toEqual({ redelivered: 1, deliveries: [{ id: failed[0].id, subscriber: 'alwaysBroken', status: 'DONE' }] });
    expect((await admin().query(FAILED)).pluginDeliveries).toEqual([]);
  });

  it('the start-up catch-up retries FAILED deliveries', async () => {
    await admin().query(SETTINGS, { settings: { brokenSubscriber: true } });
    await admin().query(RECORD_ORDER, { customerId: await newCustomer('Catchup Cara') });
    await settled();
    expect((await admin().query(FAILED)).pluginDeliveries).toHaveLength(1);
    await admin().query(SETTINGS, { settings: { brokenSubscriber: false } });
    expect(await kit.gateway.plugins!.catchUp()).toBe(1); // the FAILED one; everything else was delivered
    await settled();
    expect((await admin().query(FAILED)).pluginDeliveries).toEqual([]);
  });
});

describe('switching a plugin off for one workspace', () => {
  it('stops its fields, hooks, subscribers and jobs there at once, leaves other workspaces alone, and comes back when switched on', async () => {
    const other = await kit.createWorkspace('Keeps stamps');
    const mine = await newCustomer('Switch Sam');
    await admin().query(SETTINGS, { settings: { forbiddenCustomerName: 'Vetoed Vic' } });
    const member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
    expect(await member.errorCode(SWITCH, { enabled: false })).toBe('FORBIDDEN');
    expect(await kit.client(null).errorCode(SWITCH, { enabled: false })).toBe('UNAUTHENTICATED');

    expect((await admin().query(SWITCH, { enabled: false })).setPluginEnabled.plugin).toEqual({ id: 'stamps', enabled: false });
    // Root fields: a coded error that says why.
    const refused = await admin().request(ADD_STAMP, { id: mine });
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', reason: 'PLUGIN_DISABLED', plugin: 'stamps' });
    // Fields on core types: null.
    const card = await admin().request(`query ($id: ID!) { customer(id: $id) { name stampCard { stamps } } }`, { id: mine });
    expect(card).toMatchObject({ data: { customer: { name: 'Switch Sam', stampCard: null } } });
    expect(card.errors).toBeUndefined();
    // Hooks: no veto.
    expect(await newCustomer('Vetoed Vic')).toBeTruthy();
    // Subscribers: nothing delivered, nothing recorded.
    await admin().query(RECORD_ORDER, { customerId: mine });
    await settled();
    const orderEvent = await kit.database.prisma.event.findFirstOrThrow({ where: { workspaceId: kit.workspace.workspaceId, type: 'order.recorded' }, orderBy: { seq: 'desc' } });
    expect(await kit.database.prisma.pluginDelivery.count({ where: { eventId: orderEvent.id } })).toBe(0);
    // Jobs: every workspace but this one.
    const workspaces = await kit.database.prisma.workspace.count();
    expect(await kit.gateway.plugins!.runJob('stamps', 'touch')).toBe(workspaces - 1);

    // The other workspace still has the plugin.
    const theirs = await newCustomer('Other Olga', other.client);
    expect((await other.client.query(ADD_STAMP, { id: theirs })).addStamp.card).toEqual({ stamps: 1 });
    expect((await other.client.query(`{ plugins { enabled } }`)).plugins).toEqual([{ enabled: true }]);

    // On again: everything acts again; the events of the time it was off are not delivered to it (not even by catch-up).
    expect((await admin().query(SWITCH, { enabled: true })).setPluginEnabled.plugin).toEqual({ id: 'stamps', enabled: true });
    expect((await admin().query(ADD_STAMP, { id: mine })).addStamp.card).toEqual({ stamps: 1 });
    expect(await admin().errorCode(CREATE_CUSTOMER, { name: 'Vetoed Vic' })).toBe('CONFLICT');
    await kit.gateway.plugins!.catchUp();
    await settled();
    expect(await kit.database.prisma.pluginDelivery.count({ where: { eventId: orderEvent.id } })).toBe(0);
    await admin().query(RECORD_ORDER, { customerId: mine });
    await settled();
    expect((await admin().query(`query ($id: ID!) { customer(id: $id) { stampCard { stamps } } }`, { id: mine })).customer.stampCard).toEqual({ stamps: 2 });
    expect(await kit.gateway.plugins!.runJob('stamps', 'touch')).toBe(workspaces);
    await admin().query(SETTINGS, { settings: { forbiddenCustomerName: null } });
  });
});

function rowIdOf(globalId: string): string {
  return Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
}
