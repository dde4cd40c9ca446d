// A declared event payload is parsed strict (a key it does not declare is refused) unless the plugin chose otherwise:
// a payload declared `.passthrough()` or `.catchall(...)` keeps its choice (the host used to make every one strict).
import { definePlugin, z } from '@crm/plugin-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';

declare module '@crm/plugin-sdk' {
  interface CrmEventMap {
    'open.noted': { customerId: string };
    'counted.noted': { customerId: string };
    'plain.noted': { customerId: string };
  }
}

const subject = (id: string) => ({ type: 'Customer', id });
const noting = definePlugin({
  id: 'noting',
  version: '1.0.0',
  requires: { core: '^0.1.0' },
  events: {
    'open.noted': { subject: 'Customer', description: 'Keeps any extra key (test plugin)', payload: z.object({ customerId: z.string() }).passthrough() },
    'counted.noted': { subject: 'Customer', description: 'Extra keys must be numbers (test plugin)', payload: z.object({ customerId: z.string() }).catchall(z.number()) },
    'plain.noted': { subject: 'Customer', description: 'Declares its keys (test plugin)', payload: z.object({ customerId: z.string() }) },
  },
  hooks: {
    'customer.created': {
      note: async (event, ctx) => {
        const name = (event.payload as { name?: string }).name;
        const extra = { customerId: event.subjectId, source: 'hook' } as unknown as { customerId: string };
        if (name === 'open') ctx.emit('open.noted', subject(event.subjectId), extra);
        if (name === 'counted') ctx.emit('counted.noted', subject(event.subjectId), { customerId: event.subjectId, score: 3 } as unknown as { customerId: string });
        if (name === 'counted-wrong') ctx.emit('counted.noted', subject(event.subjectId), extra);
        if (name === 'plain') ctx.emit('plain.noted', subject(event.subjectId), extra);
      },
    },
  },
});

let kit: PluginTestGateway;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [noting] });
}, 120_000);
afterAll(async () => {
  await kit?.close();
});

const create = (name: string) => kit.workspace.client.request(`mutation ($n: String!) { createCustomer(input: { name: $n }) { customer { id } } }`, { n: name });
const payloadsOf = async (type: string) => (await kit.database.prisma.event.findMany({ where: { type }, select: { payload: true } })).map((event) => event.payload as Record<string, unknown>);

describe('a declared payload’s unknown keys', () => {
  it('passthrough keeps them; catchall checks them; a plain object refuses them (nothing written)', async () => {
    expect((await create('open')).errors).toBeUndefined();
    expect(await payloadsOf('open.noted')).toEqual([expect.objectContaining({ source: 'hook' })]);
    expect((await create('counted')).errors).toBeUndefined();
    expect(await payloadsOf('counted.noted')).toEqual([expect.objectContaining({ score: 3 })]);

    const wrong = await create('counted-wrong');
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'PLUGIN_FAILED', plugin: 'noting', event: 'counted.noted', reason: 'EVENT_PAYLOAD_MISMATCH' });
    const plain = await create('plain');
    expect(plain.errors?.[0]?.message).toBe('The noting plugin emitted plain.noted with a payload its declaration refuses (keys it does not declare: source); nothing was kept');
    expect(await kit.database.prisma.customer.count({ where: { name: { in: ['counted-wrong', 'plain'] } } })).toBe(0);
  });
});
