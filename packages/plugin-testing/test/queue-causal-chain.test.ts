// Causal chains through queue items (docs/architecture.md "Causal chains"). The relay fixture answers events through
// a queue item (its subscriber queues a RelayJob, the item's handler emits `relay.echoed`); ping answers
// `relay.echoed` with a `ping.sent`, which the relay hears again. Before session 18 each item's events began a new
// chain (causedBy NULL, depth 0), so the host's bound never cut this loop: it ran for ever. An item queued while
// handling an event now keeps that event's chain one hop further (two columns of the item's own INSERT), what it
// emits continues it, and the bound cuts the loop like one through subscribers.
import { newRowId, type RecordedEvent } from '@crm/core';
import { definePlugin } from '@crm/plugin-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { relayPlugin } from './fixtures/relay/src/index.js';

declare module '@crm/plugin-sdk' {
  interface CrmEventMap {
    'ping.sent': { customerId: string };
  }
}

/**
 * Pings a customer when it is created and each time the relay echoes one, up to `most` pings: the loop's own end, for
 * a host that does not cut it (a loop nothing cuts keeps the process busy, so the test could not wait it out).
 */
function pingPlugin(most: number) {
  let sent = 0;
  const counter = { get capped() { return sent >= most; } };
  const sendPing = async (event: { subjectId: string }, ctx: { emit: (type: 'ping.sent', subject: { type: string; id: string }, payload: { customerId: string }) => void }) => {
    if (sent >= most) return;
    sent++;
    ctx.emit('ping.sent', { type: 'Customer', id: event.subjectId }, { customerId: event.subjectId });
  };
  const plugin = definePlugin({
    id: 'ping',
    version: '1.0.0',
    requires: { core: '^0.1.0' },
    events: { 'ping.sent': { subject: 'Customer', description: 'A ping (test plugin)' } },
    subscribers: { 'customer.created': { start: sendPing }, 'relay.echoed': { again: sendPing } },
  });
  return { plugin, counter };
}

const CREATE = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
const SKIPPED = `query ($plugin: String!) { pluginDeliveries(pluginId: $plugin, status: SKIPPED) { subscriber eventType status attempts lastError } }`;
const LOOP = ['ping.sent', 'relay.echoed'];

let kit: PluginTestGateway | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const chainOf = async (gateway: PluginTestGateway, types: string[]) =>
  gateway.database.prisma.event.findMany({ where: { type: { in: types } }, orderBy: { seq: 'asc' }, select: { type: true, actor: true, causedBy: true, chainDepth: true } });

/**
 * Waits until the loop's last event was cut (a SKIPPED mark of `plugin`), or ping gave up (a loop the host did not
 * cut: the assertions then fail), and the relay's queue is empty.
 */
async function loopOver(gateway: PluginTestGateway, plugin: string, ping: { capped: boolean }) {
  for (;;) {
    const skipped = await gateway.database.prisma.pluginDelivery.count({ where: { pluginId: plugin, status: 'SKIPPED' } });
    const due = await gateway.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "RelayJob" WHERE "dueAt" IS NOT NULL`);
    if ((skipped || ping.capped) && !due[0]!.n) {
      await gateway.settled();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a loop through another plugin’s queue', () => {
  it('the items keep the chain they were queued in, their events continue it, and the host’s bound cuts the loop (SKIPPED)', async () => {
    const ping = pingPlugin(10);
    kit = await startPluginTestGateway({ plugins: [ping.plugin, relayPlugin({ hears: ['ping.sent'] })], maxChainDepth: 4 });
    await kit.workspace.client.query(CREATE, { name: 'Echo' });
    await loopOver(kit, 'relay', ping.counter);
    const chain = await chainOf(kit, LOOP);
    // ping (d1) → the relay's item (queued at d2) echoes (d2) → ping (d3) → item (d4) → ping (d5): past the bound.
    expect(chain.map((e) => [e.type, e.chainDepth])).toEqual([
      ['ping.sent', 1],
      ['relay.echoed', 2],
      ['ping.sent', 3],
      ['relay.echoed', 4],
      ['ping.sent', 5],
    ]);
    expect(new Set(chain.map((e) => e.causedBy))).toEqual(new Set([expect.stringMatching(/^apikey:/)]));
    expect(chain.filter((e) => e.type === 'relay.echoed').every((e) => e.actor === 'plugin:relay')).toBe(true);
    // The items as stored: each with the chain it was queued in.
    const items = await kit.database.sql.query<{ causedBy: string; chainDepth: number }>(`SELECT "causedBy", "chainDepth" FROM "RelayJob" ORDER BY "chainDepth"`);
    expect(items.map((item) => item.chainDepth)).toEqual([2, 4]);
    expect(items.every((item) => item.causedBy === chain[0]!.causedBy)).toBe(true);

    const skipped = (await kit.workspace.client.query(SKIPPED, { plugin: 'relay' })).pluginDeliveries;
    expect(skipped).toEqual([{ subscriber: 'queue', eventType: 'ping.sent', status: 'SKIPPED', attempts: 0, lastError: expect.stringContaining('5 deep, past the host\'s bound of 4') }]);
    // The ADMIN's only: not a MEMBER's, not another workspace's ADMIN's.
    const member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
    expect((await member.request(SKIPPED, { plugin: 'relay' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const other = await kit.createWorkspace('Other');
    expect((await other.client.query(SKIPPED, { plugin: 'relay' })).pluginDeliveries).toEqual([]);
  }, 120_000);

  it('queuing an item costs no statement of its own: its chain goes in the item’s one INSERT', async () => {
    const ping = pingPlugin(10);
    kit = await startPluginTestGateway({ plugins: [ping.plugin, relayPlugin({ hears: ['ping.sent'] })], maxChainDepth: 2 });
    const statements = await kit.sql.during(async () => {
      await kit!.workspace.client.query(CREATE, { name: 'Counted' });
      await loopOver(kit!, 'relay', ping.counter);
    });
    expect((await chainOf(kit, LOOP)).map((e) => e.chainDepth)).toEqual([1, 2, 3]);
    // One item queued (depth 2), in one INSERT that carries its chain; no other write of RelayJob but the handler's update.
    const inserts = statements.filter((s) => /INSERT INTO "RelayJob"/.test(s));
    expect(inserts).toHaveLength(1);
    expect(inserts[0]).toContain('"causedBy"');
    expect(statements.filter((s) => /UPDATE "RelayJob"/.test(s) && !/"claims"/.test(s))).toHaveLength(1);
  }, 120_000);

  it('a subscriber doing its batch’s work on the last event queues each event’s item in that event’s own chain (`ctx.inChainOf`)', async () => {
    kit = await startPluginTestGateway({ plugins: [relayPlugin({ hears: ['customer.created'], deferToLast: true })] });
    await kit.workspace.client.query(CREATE, { name: 'Batched' });
    await loopOver(kit, 'relay', { capped: true });
    await kit.database.sql.query(`DELETE FROM "RelayJob"`);
    // Three events of three chains handed on together: one batch of the relay's subscriber, which queues on the last.
    const at = await kit.lastEvent('customer.created');
    const heard: RecordedEvent[] = [
      { ...at, id: newRowId(), actor: 'apikey:first', causedBy: null, chainDepth: 0 },
      { ...at, id: newRowId(), actor: 'plugin:other', causedBy: 'apikey:second', chainDepth: 3 },
      { ...at, id: newRowId(), actor: 'plugin:other', causedBy: 'apikey:third', chainDepth: 1 },
    ];
    kit.gateway.plugins!.dispatch(heard);
    await kit.settled();
    const items = await kit.database.sql.query<{ customerId: string; causedBy: string; chainDepth: number }>(
      `SELECT "customerId"::text AS "customerId", "causedBy", "chainDepth" FROM "RelayJob" ORDER BY "chainDepth"`,
    );
    // Each in the chain of the event it answers, one hop further (not all three in the last event's).
    expect(items.map(({ causedBy, chainDepth }) => [causedBy, chainDepth])).toEqual([
      ['apikey:first', 1],
      ['apikey:third', 2],
      ['apikey:second', 4],
    ]);
    expect(new Set(items.map((item) => item.customerId))).toEqual(new Set([at.subjectId]));
  }, 120_000);
});
