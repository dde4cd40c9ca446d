// The causal chain across plugins (docs/architecture.md "Causal chains"). Two plugins that answer each other's events
// (ping on pong, pong on ping) loop for ever unless the host bounds the chain: an event deeper than
// PLUGIN_MAX_CHAIN_DEPTH (32 by default) reaches no subscriber, and the cut is recorded (a SKIPPED delivery an ADMIN
// reads in `pluginDeliveries`) and logged. A plugin hook's events continue the chain of the event they are hooked on
// (they used to begin a new one: a loop through a hook was neither traced nor deepened). Neither costs a statement.
import { CommandRunner } from '@crm/core';
import { definePlugin } from '@crm/plugin-sdk';
import { type ChainCut, createPluginHost, MAX_CHAIN_DEPTH_VARIABLE, maxChainDepthFromEnv } from '@crm/plugin-sdk/host';
import { afterEach, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';

declare module '@crm/plugin-sdk' {
  interface CrmEventMap {
    'ping.sent': { customerId: string };
    'pong.sent': { customerId: string };
    'noter.noted': { customerId: string; of: string };
  }
}

const ping = definePlugin({
  id: 'ping',
  version: '1.0.0',
  requires: { core: '^0.1.0' },
  events: { 'ping.sent': { subject: 'Customer', description: 'A ping (test plugin)' } },
  subscribers: {
    'customer.created': { start: async (event, ctx) => ctx.emit('ping.sent', { type: 'Customer', id: event.subjectId }, { customerId: event.subjectId }) },
    'pong.sent': { again: async (event, ctx) => ctx.emit('ping.sent', { type: 'Customer', id: event.subjectId }, { customerId: event.subjectId }) },
  },
});
const pong = definePlugin({
  id: 'pong',
  version: '1.0.0',
  requires: { core: '^0.1.0' },
  events: { 'pong.sent': { subject: 'Customer', description: 'A pong (test plugin)' } },
  subscribers: {
    'ping.sent': { answer: async (event, ctx) => ctx.emit('pong.sent', { type: 'Customer', id: event.subjectId }, { customerId: event.subjectId }) },
  },
});
/** A before-commit hook on every ping: it notes it, in the ping's own transaction. */
const noter = definePlugin({
  id: 'noter',
  version: '1.0.0',
  requires: { core: '^0.1.0' },
  events: { 'noter.noted': { subject: 'Customer', description: 'A ping noted by a hook (test plugin)' } },
  hooks: {
    'ping.sent': { note: async (event, ctx) => ctx.emit('noter.noted', { type: 'Customer', id: event.subjectId }, { customerId: event.subjectId, of: 'ping.sent' }) },
  },
});

/** Hears every event but needs none of the pings and pongs (its interest names only tasks). */
const bystander = definePlugin({
  id: 'bystander',
  version: '1.0.0',
  requires: { core: '^0.1.0' },
  subscribers: {
    '*': { watch: { handle: async () => {}, interest: { of: async () => ({ types: ['task.created'] }), changedBy: [] } } },
  },
});

/** Hears the pings and fails on every one past the first hop (a bug its author fixes later). */
const fragile = definePlugin({
  id: 'fragile',
  version: '1.0.0',
  requires: { core: '^0.1.0' },
  subscribers: {
    'ping.sent': {
      hear: async (event) => {
        if (event.chainDepth > 1) throw new Error(`fragile cannot hear a ping ${event.chainDepth} deep`);
      },
    },
  },
});

const CREATE = `mutation { createCustomer(input: { name: "Echo" }) { customer { id } } }`;
const SKIPPED = `query ($plugin: String!) { pluginDeliveries(pluginId: $plugin, status: SKIPPED) { subscriber eventType status attempts lastError } }`;

let kit: PluginTestGateway | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

/** Waits for the host to have nothing in flight; a loop that never ends fails here instead of hanging the run. */
async function settledWithin(gateway: PluginTestGateway, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`deliveries still going after ${ms} ms: the chain was not cut`)), ms)));
  try {
    await Promise.race([gateway.settled(), late]);
  } finally {
    clearTimeout(timer);
  }
}

const chainOf = async (gateway: PluginTestGateway, types: string[]) =>
  gateway.database.prisma.event.findMany({ where: { type: { in: types } }, orderBy: { seq: 'asc' }, select: { type: true, actor: true, causedBy: true, chainDepth: true } });

describe('the host’s bound on causal chains', () => {
  it('two plugins answering each other stop at the default bound (32): the event past it reaches no subscriber, recorded SKIPPED for ADMINs only', async () => {
    kit = await startPluginTestGateway({ plugins: [ping, pong] });
    await kit.workspace.client.query(CREATE);
    await settledWithin(kit, 60_000);
    const chain = await chainOf(kit, ['ping.sent', 'pong.sent']);
    // Depths 1..33: the 33rd is written (its subscriber's transaction committed) but not delivered.
    expect(chain.map((e) => e.chainDepth)).toEqual(Array.from({ length: 33 }, (_, i) => i + 1));
    expect(new Set(chain.map((e) => e.causedBy))).toEqual(new Set([expect.stringMatching(/^apikey:/)]));
    const last = chain.at(-1)!;
    expect(last.type).toBe('ping.sent');

    const skipped = (await kit.workspace.client.query(SKIPPED, { plugin: 'pong' })).pluginDeliveries;
    expect(skipped).toEqual([{ subscriber: 'answer', eventType: 'ping.sent', status: 'SKIPPED', attempts: 0, lastError: expect.stringContaining('33 deep, past the host\'s bound of 32') }]);
    // Not for a MEMBER, and not for another workspace's ADMIN.
    const member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
    expect((await member.request(SKIPPED, { plugin: 'pong' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const other = await kit.createWorkspace('Other');
    expect((await other.client.query(SKIPPED, { plugin: 'pong' })).pluginDeliveries).toEqual([]);
  }, 120_000);

  it('a subscriber whose interest does not want the deep event gets no SKIPPED mark for it', async () => {
    kit = await startPluginTestGateway({ plugins: [ping, pong, bystander], maxChainDepth: 4 });
    await kit.workspace.client.query(CREATE);
    await settledWithin(kit, 30_000);
    expect((await kit.workspace.client.query(SKIPPED, { plugin: 'pong' })).pluginDeliveries).toHaveLength(1);
    // Before: the bound was asked before the interest, so every deep event any '*' subscriber hears was marked for it.
    expect((await kit.workspace.client.query(SKIPPED, { plugin: 'bystander' })).pluginDeliveries).toEqual([]);
  }, 120_000);

  it('a configured bound cuts there; the bound costs no statement, the cut one (its SKIPPED mark)', async () => {
    kit = await startPluginTestGateway({ plugins: [ping, pong], maxChainDepth: 4 });
    const statements = await kit.sql.during(async () => {
      await kit!.workspace.client.query(CREATE);
      await settledWithin(kit!, 30_000);
    });
    expect((await chainOf(kit, ['ping.sent', 'pong.sent'])).map((e) => e.chainDepth)).toEqual([1, 2, 3, 4, 5]);
    // Five deliveries (customer.created, then depths 1 to 4), one claim each, and the cut's mark: nothing per event for the bound.
    const marks = statements.filter((s) => /^INSERT INTO ("public"\.)?"PluginDelivery"/.test(s));
    expect(marks).toHaveLength(6);
    // The depth is read with the event (its row, as delivered), never asked of the database.
    expect(statements.filter((s) => /WHERE[^]*"chainDepth"/.test(s))).toEqual([]);
  }, 120_000);

  it('a FAILED delivery past a bound lowered since is marked SKIPPED by the next retry sweep, told once, and not read again', async () => {
    kit = await startPluginTestGateway({ plugins: [ping, pong, fragile], maxChainDepth: 4, delivery: { attempts: 1, backoffMs: 1 } });
    await kit.workspace.client.query(CREATE);
    await settledWithin(kit, 30_000);
    // The ping 3 deep failed for fragile (the one 5 deep was cut: SKIPPED).
    const failedRow = { pluginId: 'fragile', status: 'FAILED' as const };
    const failed = await kit.database.prisma.pluginDelivery.findMany({ where: failedRow, select: { eventId: true } });
    expect(failed).toHaveLength(1);

    // The operator lowers PLUGIN_MAX_CHAIN_DEPTH to 2 and restarts: a host on the same database sweeps twice.
    const cuts: ChainCut[] = [];
    const host = createPluginHost([ping, pong, fragile]);
    const prisma = kit.database.prisma;
    const runtime = host.start({ runner: new CommandRunner({ prisma, beforeCommit: [host.commitHook] }), prisma, jobTimers: false, queueWorkers: false, maxChainDepth: 2, onChainCut: (cut) => cuts.push(cut) });
    try {
      await runtime.catchUp();
      await runtime.settled();
      const second = await kit.sql.during(async () => {
        await runtime.catchUp();
        await runtime.settled();
      });
      // Before: it stayed FAILED, so every sweep read it again and logged the cut again.
      expect(cuts).toEqual([expect.objectContaining({ plugin: 'fragile', subscriber: 'hear', eventId: failed[0]!.eventId, chainDepth: 3, maxChainDepth: 2 })]);
      // The second sweep's read of FAILED rows finds none: no event is read by id for a retry, no mark written.
      expect(second.filter((s) => /FROM "public"\."Event" AS "t0" WHERE \("t0"\."id" IN/.test(s) || /^(UPDATE|INSERT INTO) ("public"\.)?"PluginDelivery"/.test(s))).toEqual([]);
    } finally {
      await runtime.stop();
    }
    expect(await prisma.pluginDelivery.count({ where: failedRow })).toBe(0);
    const row = await prisma.pluginDelivery.findFirstOrThrow({ where: { pluginId: 'fragile', eventId: failed[0]!.eventId } });
    expect(row).toMatchObject({ status: 'SKIPPED', attempts: 1, lastError: expect.stringContaining("3 deep, past the host's bound of 2") });
  }, 120_000);

  it('a sweep marks every FAILED delivery past the bound SKIPPED in one statement (3 rows as 1); redeliver leaves them out of its answer', async () => {
    kit = await startPluginTestGateway({ plugins: [ping, pong, fragile], maxChainDepth: 4, delivery: { attempts: 1, backoffMs: 1 } });
    const prisma = kit.database.prisma;
    const failed = () => prisma.pluginDelivery.count({ where: { pluginId: 'fragile', status: 'FAILED' } });
    /** `count` new chains, each leaving fragile one FAILED delivery (its ping 3 deep). */
    const chains = async (count: number) => {
      for (let i = 0; i < count; i++) await kit!.workspace.client.query(CREATE);
      await settledWithin(kit!, 60_000);
    };
    const cuts: ChainCut[] = [];
    const host = createPluginHost([ping, pong, fragile]);
    const runtime = host.start({ runner: new CommandRunner({ prisma, beforeCommit: [host.commitHook] }), prisma, jobTimers: false, queueWorkers: false, maxChainDepth: 2, onChainCut: (cut) => cuts.push(cut) });
    try {
      const sweep = async () =>
        (await kit!.sql.during(async () => {
          await runtime.catchUp();
          await runtime.settled();
        })).filter((s) => /"PluginDelivery"|"Event"/.test(s));
      await chains(1);
      expect(await failed()).toBe(1);
      const one = await sweep();
      await chains(3);
      expect(await failed()).toBe(3);
      const three = await sweep();
      expect(await failed()).toBe(0);
      expect(cuts).toHaveLength(4);
      // Before: one UPDATE per row past the bound.
      const marks = (statements: string[]) => statements.filter((s) => /^UPDATE ("public"\.)?"PluginDelivery"/.test(s));
      expect(marks(one)).toHaveLength(1);
      expect(marks(three)).toHaveLength(1);
      expect(three.length).toBe(one.length);

      // A redelivery by hand of a FAILED delivery past the bound marks it SKIPPED, and does not answer it as redelivered.
      await chains(1);
      const [row] = await prisma.pluginDelivery.findMany({ where: { pluginId: 'fragile', status: 'FAILED' }, select: { id: true } });
      expect(await runtime.redeliver(kit.workspace.workspaceId, 'fragile', row!.id)).toEqual([]);
      expect(await prisma.pluginDelivery.findUniqueOrThrow({ where: { id: row!.id } })).toMatchObject({ status: 'SKIPPED' });
      // Another workspace's id redelivers nothing.
      const other = await kit.createWorkspace('Other');
      expect(await runtime.redeliver(other.workspaceId, 'fragile', row!.id)).toEqual([]);
    } finally {
      await runtime.stop();
    }
  }, 240_000);

  it(`${MAX_CHAIN_DEPTH_VARIABLE}: 32 unset, a whole number from 1 to 1000, else the gateway does not start`, () => {
    expect(maxChainDepthFromEnv({})).toBe(32);
    expect(maxChainDepthFromEnv({ [MAX_CHAIN_DEPTH_VARIABLE]: ' 8 ' })).toBe(8);
    for (const bad of ['0', '-1', '2.5', 'ten', '1001']) expect(() => maxChainDepthFromEnv({ [MAX_CHAIN_DEPTH_VARIABLE]: bad })).toThrow(MAX_CHAIN_DEPTH_VARIABLE);
  });
});

describe('a plugin hook in a chain', () => {
  it('what a hook emits about an event carries that event’s actor and chain, at its depth (no hop: the same transaction)', async () => {
    kit = await startPluginTestGateway({ plugins: [ping, pong, noter], maxChainDepth: 4 });
    await kit.workspace.client.query(CREATE);
    await settledWithin(kit, 30_000);
    const pings = await chainOf(kit, ['ping.sent']);
    const notes = await chainOf(kit, ['noter.noted']);
    expect(pings.map((e) => e.chainDepth)).toEqual([1, 3, 5]);
    expect(notes.map(({ type: _, ...chain }) => chain)).toEqual(pings.map(({ type: _, ...chain }) => chain));
    expect(notes.every((note) => note.causedBy?.startsWith('apikey:') && note.actor === 'plugin:ping')).toBe(true);
  }, 120_000);
});
