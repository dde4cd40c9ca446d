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

/** Schemas of `definitions` by workspace id, counting the builds. */
function countingSchemas(definitions: Map<string, CustomField[]>, maxSchemas?: number) {
  const builds = { count: 0 };
  const base = buildSchema();
  const bus = new InProcessEventBus();
  const schemas = new WorkspaceSchemas({
    base,
    build: ({ fields }) => {
      builds.count++;
      return buildSchema({ customFields: fields });
    },
    load: async (id) => ({ fields: definitions.get(id) ?? [], objects: [] }),
    bus,
    logger: silentLogger,
    ...(maxSchemas ? { maxSchemas } : {}),
  });
  return { schemas, base, bus, builds };
}

describe('WorkspaceSchemas', () => {
  it('shares one schema between workspaces with equal definitions, the base one without any, and rebuilds on metadata.changed', async () => {
    const definitions = new Map<string, CustomField[]>([
      ['a', [field('00000000-0000-4000-8000-000000000001', 'contractEnd')]],
      // Same name and type, another id: an equal definition.
      ['b', [field('00000000-0000-4000-8000-000000000002', 'contractEnd')]],
      ['c', [field('00000000-0000-4000-8000-000000000003', 'renewal')]],
    ]);
    const { schemas, base, bus, builds } = countingSchemas(definitions);
    const [a, b, c, none] = await Promise.all(['a', 'b', 'c', 'none'].map((id) => schemas.forWorkspace(id)));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(none).toBe(base);
    expect(builds.count).toBe(2);
    expect(a!.getType('Customer')!.toConfig()).toHaveProperty('fields.contractEnd');
    expect(schemas.busListeners).toBe(4);

    // A change published on the bus (from any instance) drops the workspace's schema; the next call rebuilds it.
    definitions.set('a', [...definitions.get('a')!, field('00000000-0000-4000-8000-000000000004', 'renewal')]);
    await bus.publish([changed('a')]);
    expect(schemas.current('a')).toBeUndefined();
    expect(schemas.current('b')).toBe(b);
    const rebuilt = await schemas.forWorkspace('a');
    expect(Object.keys((rebuilt.getType('Customer') as unknown as { getFields(): object }).getFields())).toEqual(expect.arrayContaining(['contractEnd', 'renewal']));
    expect(builds.count).toBe(3);
    schemas.close();
    expect(bus.subscriberCount).toBe(0);
  });

  it('holds at most maxSchemas distinct schemas: the least recently used one is released with the workspaces holding it', async () => {
    const definitions = new Map<string, CustomField[]>(
      ['a', 'a2', 'b', 'c'].map((id, i) => [id, [field(`00000000-0000-4000-8000-00000000001${i}`, id === 'a2' ? 'fieldA' : `field${id.toUpperCase()}`)]]),
    );
    const { schemas, bus, builds } = countingSchemas(definitions, 2);
    // a and a2 share a schema (equal definitions); b has its own.
    const a = await schemas.forWorkspace('a');
    expect(await schemas.forWorkspace('a2')).toBe(a);
    await schemas.forWorkspace('b');
    // a is used again, so b is now the least recently used: c's schema takes its place.
    expect(await schemas.forWorkspace('a')).toBe(a);
    await schemas.forWorkspace('c');
    expect(schemas.distinctSchemas).toBe(2);
    expect(schemas.current('b')).toBeUndefined();
    expect(schemas.current('a')).toBe(a);
    expect(schemas.current('a2')).toBe(a);
    // The evicted workspace no longer listens on the bus (nothing holds its schema); it is rebuilt when it comes back.
    expect(schemas.busListeners).toBe(3);
    expect(builds.count).toBe(3);
    await schemas.forWorkspace('b');
    expect(builds.count).toBe(4);
    // That evicted a, the least recently used now, with both workspaces holding it.
    expect(schemas.current('a')).toBeUndefined();
    expect(schemas.current('a2')).toBeUndefined();
    expect(schemas.busListeners).toBe(2);
    schemas.close();
    expect(bus.subscriberCount).toBe(0);
  });
});
