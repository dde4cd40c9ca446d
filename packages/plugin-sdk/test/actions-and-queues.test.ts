// definePlugin's `actions`, `queues` and `'*'` subscribers: checked like every other option, and the host refuses a
// queue whose model is not one of the plugin's tables (its worker's SQL names that table).
import { describe, expect, it } from 'vitest';
import { definePlugin, z } from '../src/index.js';
import { createPluginHost, PluginHostError } from '../src/host/index.js';

describe('actions, queues and every-event subscribers', () => {
  it('accepts them and names actions by plugin', () => {
    const plugin = definePlugin({
      id: 'gifts',
      version: '1.0.0',
      permissions: { give: { roles: ['MEMBER', 'ADMIN'] } },
      actions: {
        sendGift: { input: z.object({ customerId: z.string(), value: z.number() }), idempotent: true, run: async () => ({ sent: true }) },
        // What a caller acting as a role must hold (a workflow step acts as its publisher).
        giveGift: { input: z.object({ customerId: z.string() }), permission: 'give', run: async () => ({ given: true }) },
      },
      subscribers: { '*': { everything: async () => {} } },
    });
    expect(plugin.problems).toEqual([]);
    expect(plugin.actions.map(({ run: _run, ...info }) => info)).toEqual([
      { name: 'gifts.sendGift', plugin: 'gifts', description: null, idempotent: true, inputKeys: ['customerId', 'value'], permission: null },
      { name: 'gifts.giveGift', plugin: 'gifts', description: null, idempotent: false, inputKeys: ['customerId'], permission: { name: 'give', roles: ['MEMBER', 'ADMIN'] } },
    ]);
    expect(plugin.subscribers.map((s) => s.event)).toEqual(['*']);
  });

  it('lists the problems of bad actions, queues and wildcard hooks with their paths', () => {
    const plugin = definePlugin({
      id: 'broken',
      version: '1.0.0',
      actions: {
        'bad-name': { input: z.object({}), run: async () => ({}) },
        noInput: { input: 'x' as never, run: async () => ({}) },
        undeclared: { input: z.object({}), permission: 'nope', run: async () => ({}) },
      },
      queues: { work: { model: 'lowercase', handle: async () => {} }, fast: { model: 'Job', pollMs: 1, handle: async () => {} } },
      hooks: { '*': { everything: async () => {} } } as never,
    });
    expect(plugin.problems.map((p) => p.path).sort()).toEqual(['actions.bad-name', 'actions.noInput.input', 'actions.undeclared.permission', 'hooks["*"]', 'queues.fast.pollMs', 'queues.work.model'].sort());
  });

  it('the host refuses a queue whose model is not in the plugin’s schema fragment', () => {
    const plugin = definePlugin({ id: 'queued', version: '1.0.0', queues: { work: { model: 'NotMine', handle: async () => {} } } });
    try {
      createPluginHost([plugin]);
      throw new Error('expected the host to refuse');
    } catch (error) {
      expect(error).toBeInstanceOf(PluginHostError);
      expect((error as PluginHostError).problems).toContainEqual({
        plugin: 'queued',
        path: 'queues.work.model',
        message: "NotMine is not a model of the plugin's schema fragment",
      });
    }
  });
});
