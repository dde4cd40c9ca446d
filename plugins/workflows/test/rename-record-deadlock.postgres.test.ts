// An object's rename beside a step transaction that holds the plugin's `renames` lock (shared: every step transaction
// takes it with its run locks, claimed-steps.ts) and creates a record of that object (PostgreSQL, concurrent
// connections; the step held at a gate, step-gate.ts; no sleeps). Before the fix core updated the object's definition
// row (FOR UPDATE: its `name` is in a unique key) before calling the plugins' hook, which then waited for `renames`;
// the step's insert of the record (its FK's FOR KEY SHARE on that row) waited for the rename: a deadlock, which
// PostgreSQL broke by ending one of them (the batch redone, the gate's action run twice). Now the hook, which takes
// `renames`, comes before the update (as a field's rename calls its hooks before its own update): the rename waits for
// the step transaction and nothing else waits for the rename.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { pluginLockers } from './plugin-locks.js';
import { arm, gatePlugin, hold, ranWith } from './step-gate.js';
import { finishedRuns, ownConnection, publishedWorkflow, RUN, until } from './support.js';

const RENAME_OBJECT = `mutation ($i: RenameCustomObjectInput!) { renameCustomObject(input: $i) { customObject { name } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let own: pg.Client;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 }), gatePlugin], database: 'postgres' });
  admin = kit.workspace.client;
  own = await ownConnection(kit);
}, 120_000);
afterAll(async () => {
  await own?.end();
  await kit?.close();
});

const deadlocks = async () => Number((await own.query<{ n: string }>('SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0]!.n);

describe('an object’s rename beside a step transaction creating a record of it', () => {
  it('waits for the step transaction: no deadlock, the batch done once', async () => {
    const object = (await admin.query(`mutation { defineCustomObject(input: { name: "Permit", label: "Permit" }) { customObject { id } } }`)).defineCustomObject.customObject.id as string;
    await admin.query(`mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`, { i: { customObjectId: object, name: 'code', type: 'TEXT' } });
    const workflow = await publishedWorkflow(admin, 'Permit another', {
      trigger: { kind: 'manual', object: 'Permit' },
      steps: [hold('permit'), { id: 'make', kind: 'createRecord', object: 'Permit', values: { code: 'made' } }],
    });
    const record = (await admin.query(`mutation { createPermit(input: { code: "start" }) { permit { id } } }`)).createPermit.permit.id as string;
    const before = await deadlocks();

    const gate = arm('permit');
    let renamed: Promise<unknown> = Promise.resolve();
    try {
      await admin.query(RUN, { id: workflow, recordId: record });
      // The step transaction is at the gate, holding `renames` shared.
      await gate.entered;
      renamed = admin.query(RENAME_OBJECT, { i: { id: object, name: 'Licence' } });
      await until(async () => ((await pluginLockers(own, kit.workspace.workspaceId, 'renames', 'waiting')) > 0 ? true : undefined));
    } finally {
      // The step goes on: its createRecord of Permit.
      gate.release();
    }
    expect((await renamed) as { renameCustomObject: { customObject: { name: string } } }).toMatchObject({ renameCustomObject: { customObject: { name: 'Licence' } } });
    const [done] = await finishedRuns(kit, admin, workflow, 1);
    expect(done!.status, done!.error ?? '').toBe('SUCCEEDED');
    expect(await deadlocks()).toBe(before);
    // Done once: not redone after a deadlock ended its transaction.
    expect(ranWith('permit')).toBe(1);
    const { licences } = await admin.query(`{ licences { edges { node { code } } } }`);
    expect(licences.edges.map((e: { node: { code: string } }) => e.node.code).sort()).toEqual(['made', 'start']);
  });
});
