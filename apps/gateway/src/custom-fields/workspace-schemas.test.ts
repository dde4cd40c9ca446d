import type { CustomField, RecordedEvent } from '@crm/core';
import { buildSchema } from '@crm/graph';
import { describe, expect, it } from 'vitest';
import { InProcessEventBus } from '../live/event-bus.js';
import { silentLogger } from '../logger.js';
import { WorkspaceSchemas } from './workspace-schemas.js';

const field = (id: string, name: string): CustomField => ({
  id,
  object: 'Customer',
  name,
  key: name,
  label: name,
  type: 'date',
  options: [],
  required: false,
  unique: false,
  indexed: false,
  defaultValue: null,
  description: null,
  min: null,
  max: null,
  currency: null,
  target: null,
  position: 0,
});

const changed = (workspaceId: string): RecordedEvent =>
  ({ id: 'e1', seq: 1n, workspaceId, type: 'metadata.changed', subjectType: 'CustomField', subjectId: 'f', actor: 'test', payload: {}, occurredAt: new Date() }) as unknown as RecordedEvent;

describe('WorkspaceSchemas', () => {
  it('shares one schema between workspaces with equal definitions, the base one without any, and rebuilds on metadata.changed', async () => {
    const definitions = new Map<string, CustomField[]>([
      ['a', [field('00000000-0000-4000-8000-000000000001', 'contractEnd')]],
      // Same name and type, another id: an equal definition.
      ['b', [field('00000000-0000-4000-8000-000000000002', 'contractEnd')]],
      ['c', [field('00000000-0000-4000-8000-000000000003', 'renewal')]],
    ]);
    let builds = 0;
    const base = buildSchema();
    const bus = new InProcessEventBus();
    const schemas = new WorkspaceSchemas({
      base,
      build: ({ fields }) => {
        builds++;
        return buildSchema({ customFields: fields });
      },
      load: async (id) => ({ fields: definitions.get(id) ?? [], objects: [] }),
      bus,
      logger: silentLogger,
    });
    const [a, b, c, none] = await Promise.all(['a', 'b', 'c', 'none'].map((id) => schemas.forWorkspace(id)));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(none).toBe(base);
    expect(builds).toBe(2);
    expect(a!.getType('Customer')!.toConfig()).toHaveProperty('fields.contractEnd');
    expect(schemas.busListeners).toBe(4);

    // A change published on the bus (from any instance) drops the workspace's schema; the next call rebuilds it.
    definitions.set('a', [...definitions.get('a')!, field('00000000-0000-4000-8000-000000000004', 'renewal')]);
    await bus.publish([changed('a')]);
    expect(schemas.current('a')).toBeUndefined();
    expect(schemas.current('b')).toBe(b);
    const rebuilt = await schemas.forWorkspace('a');
    expect(Object.keys((rebuilt.getType('Customer') as unknown as { getFields(): object }).getFields())).toEqual(expect.arrayContaining(['contractEnd', 'renewal']));
    expect(builds).toBe(3);
    schemas.close();
    expect(bus.subscriberCount).toBe(0);
  });
});
