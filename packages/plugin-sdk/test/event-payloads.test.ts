// Events' declared payloads in the SDK: the host catalog carries core's and each plugin's (`EventInfo.payload`),
// `definePlugin` refuses one that is no zod object, and `payloadPathType` reads a path's kind from a declaration
// (the keys there are when it names none), as a workflow's publish check does.
import { describe, expect, it } from 'vitest';
import { eventCatalog } from '../src/event-catalog.js';
import { definePlugin, eventMoney, payloadPathType, z } from '../src/index.js';

const tally = definePlugin({
  id: 'tally',
  version: '1.0.0',
  events: {
    'tally.counted': { subject: 'Task', payload: z.object({ count: z.number(), at: z.iso.datetime(), total: eventMoney, tags: z.array(z.object({ name: z.string() })) }) },
    'tally.noted': { subject: 'Task' },
  },
});

describe('declared event payloads', () => {
  it('are in the catalog: core’s for every core event, a plugin’s as declared, null when it declares none', () => {
    expect(tally.problems).toEqual([]);
    const catalog = eventCatalog([tally]);
    expect(Object.keys(catalog.get('deal.lost')!.payload!.shape)).toEqual(['customerId', 'amount', 'reason']);
    expect(catalog.get('customer.trashed')!.payload).toBeTruthy();
    expect([...catalog.values()].filter((info) => info.plugin === null && !info.payload)).toEqual([]);
    expect(Object.keys(catalog.get('tally.counted')!.payload!.shape)).toEqual(['count', 'at', 'total', 'tags']);
    expect(catalog.get('tally.noted')!.payload).toBeNull();
  });

  it('refuses a payload that is no zod object', () => {
    const broken = definePlugin({ id: 'broken', version: '1.0.0', events: { 'broken.thing': { subject: 'Task', payload: z.string() as unknown as z.ZodObject } } });
    expect(broken.problems).toEqual([expect.objectContaining({ path: 'events["broken.thing"].payload', message: expect.stringContaining('a zod object') })]);
  });

  it('types a path by the declaration, or says what is there', () => {
    const payload = eventCatalog([tally]).get('tally.counted')!.payload!;
    expect(payloadPathType(payload, ['count'])).toEqual({ kind: 'number' });
    expect(payloadPathType(payload, ['at'])).toEqual({ kind: 'date' });
    expect(payloadPathType(payload, ['total'])).toEqual({ kind: 'number' });
    expect(payloadPathType(payload, ['tags'])).toEqual({ kind: 'list' });
    expect(payloadPathType(payload, ['tags', '0', 'name'])).toEqual({ kind: 'text' });
    expect(payloadPathType(payload, ['tags', '0'])).toEqual({ kind: 'unknown' });
    expect(payloadPathType(payload, ['nope'])).toEqual({ problem: 'payload has no nope (it has count, at, total, tags)' });
    expect(payloadPathType(payload, ['tags', 'first'])).toEqual({ problem: 'payload.tags is a list: read an item by its position (payload.tags.0)' });
    expect(payloadPathType(payload, ['count', 'x'])).toEqual({ problem: 'payload.count is a value (number), not an object' });
    const updated = eventCatalog([]).get('deal.updated')!.payload!;
    expect(payloadPathType(updated, ['changes', 'title', 'to'])).toEqual({ kind: 'unknown' });
    expect(payloadPathType(updated, ['customerId'])).toEqual({ kind: 'id' });
  });
});
