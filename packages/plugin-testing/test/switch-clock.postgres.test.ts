// A plugin switch's time (`changedAt`, which a delivery compares an event's `occurredAt` with to leave out the events of
// before the switch-on) is the database's, as an event's time is: the switch's UPDATE writes its
// `statement_timestamp()`. The gateway runs in this process on PostgreSQL (a server with its own clock): faking this
// process's `Date` alone (running on; timers stay real) skews the gateway's clock 30 minutes each way. Before, the
// switch carried the gateway's clock: 30 minutes ahead, the events of the next 30 minutes never reached the plugin;
// 30 minutes behind, the events of the 30 minutes before the switch-on were delivered (by a restarted gateway's catch-up).
import { createGateway, createLogger } from '@crm/gateway';
import { definePlugin } from '@crm/plugin-sdk';
import { createPluginHost } from '@crm/plugin-sdk/host';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';

const SKEW_MS = 30 * 60_000;
/** The ids of the events the subscriber received. */
const heard = new Set<string>();
const listener = definePlugin({
  id: 'listener',
  version: '1.0.0',
  subscribers: { 'customer.created': { note: async (event) => void heard.add(event.id) } },
});

let kit: PluginTestGateway;
beforeAll(async () => {
  // No rate limit: its windows count by the skewed clock.
  kit = await startPluginTestGateway({ plugins: [listener], database: 'postgres', rateLimit: { perMinute: 0 } });
}, 120_000);
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  vi.useRealTimers();
  await kit?.close();
});

const SWITCH = `mutation ($enabled: Boolean!) { setPluginEnabled(input: { pluginId: "listener", enabled: $enabled }) { plugin { id enabled } } }`;
const CREATE_CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
/** The database’s time, rounded to the millisecond as the switch’s time is. */
const databaseNow = async () => new Date((await kit.database.sql.query<{ now: Date }>('SELECT clock_timestamp()::timestamptz(3) AS now'))[0]!.now).getTime();

/**
 * The catch-up of a gateway started afresh on the same database (a restart, or another instance): no memory of the
 * events this one handed on, so what it delivers is what the switch's time decides.
 */
async function restartedCatchUp() {
  const restarted = createGateway({ database: kit.database, plugins: createPluginHost([listener]), clvRefresh: false, plannerStatistics: false, logger: createLogger('error') });
  try {
    await restarted.plugins!.catchUp();
    await restarted.plugins!.settled();
  } finally {
    await restarted.close(1000);
  }
}

describe.each([
  ['ahead of', SKEW_MS],
  ['behind', -SKEW_MS],
])('with the gateway’s clock 30 minutes %s the database’s', (way, skew) => {
  it('switching a plugin on: an event committed right after reaches it, one committed before it does not (not even by a restarted gateway’s catch-up)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date(Date.now() + skew));
    const { client, workspaceId } = await kit.createWorkspace(`Switch ${way}`);
    expect((await client.query(SWITCH, { enabled: false })).setPluginEnabled.plugin).toEqual({ id: 'listener', enabled: false });
    await client.query(CREATE_CUSTOMER, { name: 'While off' });

    const before = await databaseNow();
    expect((await client.query(SWITCH, { enabled: true })).setPluginEnabled.plugin).toEqual({ id: 'listener', enabled: true });
    const after = await databaseNow();
    await client.query(CREATE_CUSTOMER, { name: 'Right after' });
    await kit.settled();
    await restartedCatchUp();

    const [whileOff, rightAfter] = await kit.database.prisma.event.findMany({ where: { workspaceId, type: 'customer.created' }, orderBy: { seq: 'asc' }, select: { id: true } });
    expect(heard.has(rightAfter!.id)).toBe(true);
    expect(heard.has(whileOff!.id)).toBe(false);
    expect(await kit.database.prisma.pluginDelivery.count({ where: { eventId: whileOff!.id } })).toBe(0);

    // The switch's time is the database's, between its times before and after the mutation.
    const workspace = await kit.database.prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { settings: true } });
    const changedAt = new Date((workspace.settings as { pluginSwitches: { listener: { changedAt: string } } }).pluginSwitches.listener.changedAt).getTime();
    expect(changedAt).toBeGreaterThanOrEqual(before);
    expect(changedAt).toBeLessThanOrEqual(after);
  });
});

describe('catch-up’s window (the last 24 hours) with the gateway’s clock 30 minutes ahead of the database’s', () => {
  it('is counted back from the database’s time: an undelivered event of 23 h 50 min ago is delivered', async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date(Date.now() + SKEW_MS));
    const { client, workspaceId } = await kit.createWorkspace('Catch-up window');
    await client.query(CREATE_CUSTOMER, { name: 'Missed' });
    await kit.settled();
    // As if the process had stopped right after the commit, 23 h 50 min ago: the subscriber never ran.
    const [event] = await kit.database.prisma.event.findMany({ where: { workspaceId, type: 'customer.created' }, select: { id: true } });
    await kit.database.prisma.pluginDelivery.deleteMany({ where: { eventId: event!.id } });
    await kit.database.sql.query(`UPDATE "Event" SET "occurredAt" = statement_timestamp() - interval '23 hours 50 minutes' WHERE id = $1::uuid`, [event!.id]);

    await restartedCatchUp();
    expect(await kit.database.prisma.pluginDelivery.findMany({ where: { eventId: event!.id }, select: { status: true } })).toEqual([{ status: 'DONE' }]);
  });
});
