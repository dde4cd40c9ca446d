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
    expect(plugin.actions.map(({ run: _run, input: _input, ...info }) => info)).toEqual([
      { name: 'gifts.sendGift', plugin: 'gifts', description: null, idempotent: true, inputKeys: ['customerId', 'value'], output: null, permission: null },
      { name: 'gifts.giveGift', plugin: 'gifts', description: null, idempotent: false, inputKeys: ['customerId'], output: null, permission: { name: 'give', roles: ['MEMBER', 'ADMIN'] } },
    ]);
    expect(plugin.subscribers.map((s) => s.event)).toEqual(['*']);
  });

  it('describes each key of an action\'s input from its schema: its kind, whether it is required, its rule', () => {
    const plugin = definePlugin({
      id: 'gifts',
      version: '1.0.0',
      actions: {
        give: {
          input: z.object({
            customerId: z.string().uuid('Not a valid id'),
            points: z.number().int().positive('More than 0'),
            note: z.string().trim().max(5, 'At most 5').nullish(),
            kind: z.enum(['A', 'B']).default('A'),
            on: z.iso.datetime(),
            tags: z.array(z.string()).optional(),
            flag: z.boolean(),
            extra: z.record(z.string(), z.unknown()).optional(),
          }),
          run: async () => ({}),
        },
      },
    });
    expect(plugin.problems).toEqual([]);
    const input = plugin.actions[0]!.input;
    expect(Object.fromEntries(Object.entries(input).map(([key, field]) => [key, [field.kind, field.required]]))).toEqual({
      customerId: ['id', true],
      points: ['number', true],
      note: ['text', false],
      kind: ['text', false],
      on: ['date', true],
      tags: ['list', false],
      flag: ['boolean', true],
      extra: ['unknown', false],
    });
    expect(input.points!.problem(0)).toBe('More than 0');
    expect(input.points!.problem(3)).toBeNull();
    expect(input.kind!.problem('C')).toMatch(/A|B/);
    expect(input.customerId!.problem('x')).toBe('Not a valid id');
  });

  it('describes a declared output\'s keys as input keys are; none declared: null (untyped)', () => {
    const plugin = definePlugin({
      id: 'gifts',
      version: '1.0.0',
      actions: {
        give: { input: z.object({}), output: z.object({ giftId: z.uuid(), value: z.number(), note: z.string().nullable() }), run: async () => ({ giftId: '', value: 1, note: null }) },
        plain: { input: z.object({}), run: async () => ({}) },
      },
    });
    expect(plugin.problems).toEqual([]);
    const [give, plain] = plugin.actions;
    expect(Object.fromEntries(Object.entries(give!.output!).map(([key, field]) => [key, field.kind]))).toEqual({ giftId: 'id', value: 'number', note: 'text' });
    expect(plain!.output).toBeNull();
  });

  it('describes an output by what it gives (a transform\'s result, null or left out) and an id by the object it declares', () => {
    const plugin = definePlugin({
      id: 'gifts',
      version: '1.0.0',
      actions: {
        give: {
          input: z.object({ cardId: z.uuid().meta({ object: 'GiftCard' }), note: z.string().nullable(), count: z.string().transform(Number) }),
          output: z.object({
            cardId: z.uuid().meta({ object: 'GiftCard' }),
            previousId: z.uuid().meta({ object: 'GiftCard' }).nullable(),
            // Parsed from text: a caller reads a number.
            size: z.string().pipe(z.coerce.number()),
            length: z.string().transform((s) => s.length),
            note: z.string().optional(),
            tier: z.string().optional().default('basic'),
            giftId: z.uuid(),
          }),
          run: async () => ({ cardId: '', previousId: null, size: '1', length: '', giftId: '' }),
        },
      },
    });
    expect(plugin.problems).toEqual([]);
    const { input, output } = plugin.actions[0]!;
    const described = (fields: typeof input) => Object.fromEntries(Object.entries(fields).map(([key, f]) => [key, [f.kind, f.object, f.required, f.nullable]]));
    expect(described(output!)).toEqual({
      cardId: ['id', 'GiftCard', true, false],
      previousId: ['id', 'GiftCard', true, true],
      size: ['number', null, true, false],
      length: ['unknown', null, true, false],
      note: ['text', null, false, true],
      tier: ['text', null, true, false],
      giftId: ['id', null, true, false],
    });
    // An input by what it takes.
    expect(described(input)).toEqual({ cardId: ['id', 'GiftCard', true, false], note: ['text', null, true, true], count: ['text', null, true, false] });
  });

  it('lists the problems of bad actions, queues and wildcard hooks with their paths', () => {
    const plugin = definePlugin({
      id: 'broken',
      version: '1.0.0',
      actions: {
        'bad-name': { input: z.object({}), run: async () => ({}) },
        noInput: { input: 'x' as never, run: async () => ({}) },
        undeclared: { input: z.object({}), permission: 'nope', run: async () => ({}) },
        // An output names the keys a caller may read: a zod object, not any schema.
        listOut: { input: z.object({}), output: z.array(z.string()) as never, run: async () => ({}) },
      },
      queues: { work: { model: 'lowercase', handle: async () => {} }, fast: { model: 'Job', pollMs: 1, handle: async () => {} } },
      hooks: { '*': { everything: async () => {} } } as never,
    });
    expect(plugin.problems.map((p) => p.path).sort()).toEqual(['actions.bad-name', 'actions.noInput.input', 'actions.undeclared.permission', 'actions.listOut.output', 'hooks["*"]', 'queues.fast.pollMs', 'queues.work.model'].sort());
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
