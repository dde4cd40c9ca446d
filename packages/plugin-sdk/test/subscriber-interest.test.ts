// A subscriber's interest (`{ handle, interest }`): checked by definePlugin like every option, and read by the host as
// a test on each event, record changes by the SDK's one rule (objects.changeOf). Its delivery and invalidation across
// instances are proved through gateways: plugins/workflows/test/triggers.test.ts ("what a run costs") and
// instances.postgres.test.ts.
import type { RecordedEvent } from '@crm/core';
import { describe, expect, it } from 'vitest';
import { definePlugin } from '../src/index.js';
import { wantsOf } from '../src/host/subscriber-interest.js';
import { createRecordAccess } from '../src/record-access.js';

const event = (type: string, subjectType: string, payload: unknown = {}): RecordedEvent => ({
  id: type,
  workspaceId: 'w',
  seq: 1n,
  type,
  subjectType,
  subjectId: 's',
  actor: 'test',
  payload,
  occurredAt: new Date(),
});

describe('subscriber interest', () => {
  it('definePlugin takes a subscriber with its interest, and lists what is wrong with one', () => {
    const plugin = definePlugin({
      id: 'interested',
      version: '1.0.0',
      subscribers: {
        '*': { some: { handle: async () => {}, interest: { of: async () => 'every', changedBy: ['customer.created'] } } },
        'deal.lost': { plain: async () => {} },
      },
    });
    expect(plugin.problems).toEqual([]);
    expect(plugin.subscribers.map((s) => [s.name, s.interest ? [...s.interest.changedBy] : null])).toEqual([
      ['some', ['customer.created']],
      ['plain', null],
    ]);
    const broken = definePlugin({
      id: 'broken',
      version: '1.0.0',
      subscribers: {
        '*': {
          noHandle: { handle: 'x', interest: { of: async () => 'every', changedBy: [] } },
          noOf: { handle: async () => {}, interest: { changedBy: [] } },
          badTypes: { handle: async () => {}, interest: { of: async () => 'every', changedBy: ['Not a type'] } },
        },
      } as never,
    });
    expect(broken.problems.map((p) => p.path).sort()).toEqual(
      ['subscribers["*"].badTypes.interest.changedBy', 'subscribers["*"].noHandle.handle', 'subscribers["*"].noOf.interest.of'].sort(),
    );
  });

  it('wants the types named, the record changes named (by changeOf), any change of an unknown subject', () => {
    const objects = createRecordAccess([]);
    const wants = wantsOf({ types: ['deal.lost'], records: [{ object: 'Customer', change: 'created' }, { object: 'Contract' }] }, objects);
    expect(wants(event('deal.lost', 'Deal'))).toBe(true);
    expect(wants(event('customer.created', 'Customer'))).toBe(true);
    // The tags a step adds: a change of the customer the interest does not name.
    expect(wants(event('customer.updated', 'Customer', { changes: { tags: { from: [], to: ['a'] } } }))).toBe(false);
    expect(wants(event('task.created', 'Task'))).toBe(false);
    // An event of a declared object that is no record change (createCustomer's first stage): not a "created".
    expect(wants(event('customer.stage_changed', 'Customer', { from: null, to: 'LEAD' }))).toBe(false);
    // A custom object's records (no declared object knows `Contract`): whatever the change.
    expect(wants(event('contract.updated', 'Contract'))).toBe(true);
    expect(wantsOf('every', objects)(event('task.created', 'Task'))).toBe(true);
    expect(wantsOf({}, objects)(event('customer.created', 'Customer'))).toBe(false);
  });
});
