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
      actions: { sendGift: { input: z.object({ customerId: z.string(), value: z.number() }), idempotent: true, run: async () => ({ sent: true }) } },
      subscribers: { '*': { everything: async () => {} } },
    });
    expect(plugin.problems).toEqual([]);
    expect(plugin.actions.map(({ run: _run, ...info }) => info)).toEqual([
      { name: 'gifts.sendGift', plugin: 'gifts', description: null, idempotent: true, inputKeys: ['customerId', 'value'] },
    ]);
    expect(plugin.subscribers.map((s) => s.event)).toEqual(['*']);
  });

  it('lists the problems of bad actions, queues and wildcard hooks with their paths', () => {
    const plugin = definePlugin({
      id: 'broken',
      version: '1.0.0',
      actions: { 'bad-name': { input: z.object({}), run: async () => ({}) }, noInput: { input: 'x' as never, run: async () => ({}) } },
      queues: { work: { model: 'lowercase', handle: async () => {} }, fast: { model: 'Job', pollMs: 1, handle: async () => {} } },
      hooks: { '*': { everything: async () => {} } } as never,
    });
    expect(plugin.problems.map((p) => p.path).sort()).toEqual(['actions.bad-name', 'actions.noInput.input', 'hooks["*"]', 'queues.fast.pollMs', 'queues.work.model'].sort());
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
