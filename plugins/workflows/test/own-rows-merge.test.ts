// The SDK's `rows` update with `merge` (a JSON column's given keys merged into the stored object), on a plugin whose
// models have JSON columns (the workflows plugin's `Workflow.draft`): a row of the write that leaves the column out
// keeps what is stored (`stored || NULL` erased it), a value that is not an object is refused (it made an array), and
// so is a column that is not JSON (a raw database error before). Tenancy: another workspace's row is not reached.
// `unchanged`: a compare-and-set on merged keys — written only where the stored object still holds the values given.
import { PluginSqlError } from '@crm/plugin-sdk';
import { rowsFor } from '@crm/plugin-sdk/host';
import { type PluginTestGateway, startPluginTestGateway } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, rowIdOf } from './support.js';

const plugin = workflowsPlugin({ mail: testTransport() });
let kit: PluginTestGateway;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [plugin] });
}, 120_000);
afterAll(async () => {
  await kit?.close();
});

const definition = (title: string) => ({ trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'task', kind: 'createTask', title }] });

describe('rows: merge into a JSON column', () => {
  it('keeps the stored object of a row leaving the column out; refuses a non-object and a non-JSON column', async () => {
    const client = kit.workspace.client;
    const created = async (name: string) => rowIdOf((await client.query(CREATE, { name, definition: definition(name) })).createWorkflow.workflow.id);
    const [a, b] = [await created('Merged'), await created('Left out')];
    const other = await kit.createWorkspace('Merge elsewhere');
    const theirs = rowIdOf((await other.client.query(CREATE, { name: 'Theirs', definition: definition('Theirs') })).createWorkflow.workflow.id);
    const rows = rowsFor(plugin, kit.database.prisma, kit.workspace.workspaceId);
    const draftOf = async (id: string) => (await kit.database.prisma.workflow.findUnique({ where: { id }, select: { draft: true } }))!.draft as Record<string, unknown>;

    const [updated] = await rows.write([{ update: 'Workflow', rows: [{ id: a, draft: { note: 'x' }, name: 'Merged 2' }, { id: b, name: 'Left out 2' }, { id: theirs, draft: { note: 'y' } }], merge: ['draft'] }]);
    expect(updated!.sort()).toEqual([a, b].sort());
    expect(await draftOf(a)).toEqual({ ...definition('Merged'), note: 'x' });
    expect(await draftOf(b)).toEqual(definition('Left out'));
    expect(await draftOf(theirs)).toEqual(definition('Theirs'));

    await expect(rows.write([{ update: 'Workflow', rows: [{ id: a, draft: ['x'] }], merge: ['draft'] }])).rejects.toThrow(PluginSqlError);
    await expect(rows.write([{ update: 'Workflow', rows: [{ id: a, draft: 'x' }], merge: ['draft'] }])).rejects.toThrow(/not an object/);
    await expect(rows.write([{ update: 'Workflow', rows: [{ id: a, name: 'x' }], merge: ['name'] }])).rejects.toThrow(/not a JSON column/);
    expect(await draftOf(a)).toEqual({ ...definition('Merged'), note: 'x' });
  });

  it('unchanged: writes a row only while the stored keys are those it gives; refuses a column it does not merge', async () => {
    const client = kit.workspace.client;
    const created = async (name: string) => rowIdOf((await client.query(CREATE, { name, definition: definition(name) })).createWorkflow.workflow.id);
    const [same, changed] = [await created('Same'), await created('Changed')];
    const rows = rowsFor(plugin, kit.database.prisma, kit.workspace.workspaceId);
    const draftOf = async (id: string) => (await kit.database.prisma.workflow.findUnique({ where: { id }, select: { draft: true } }))!.draft as Record<string, unknown>;
    // Another transaction changed `changed`'s steps since it was read.
    await rows.write([{ update: 'Workflow', rows: [{ id: changed, draft: { steps: [] } }], merge: ['draft'] }]);

    // `steps` as read; `note` absent on both sides (given as null): the same.
    const asRead = (id: string, name: string) => ({ id, draft: { steps: definition(name).steps, note: null, seen: 1 } });
    const [written] = await rows.write([{ update: 'Workflow', rows: [asRead(same, 'Same'), asRead(changed, 'Changed')], merge: ['draft'], unchanged: { draft: ['steps', 'note'] } }]);
    expect(written).toEqual([same]);
    expect((await draftOf(same)).seen).toBe(1);
    expect(await draftOf(changed)).toEqual({ ...definition('Changed'), steps: [] });

    await expect(rows.write([{ update: 'Workflow', rows: [{ id: same, name: 'x' }], unchanged: { draft: ['steps'] } }])).rejects.toThrow(/does not merge/);
  });
});
