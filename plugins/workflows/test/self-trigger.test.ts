// The self re-trigger guard: a workflow whose own step changes the very field its trigger listens to (on `name`
// updated → update `name`) runs once; with `allowSelfTrigger` it sets itself off again, one level deeper each time,
// until the workspace's depth limit. Another workflow listening to the same field is set off by that step's change
// (the guard is per workflow), which also proves that the change's event was delivered and matched.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, finishedRuns, publishedWorkflow, runsOf, switchAllOff } from './support.js';

const RENAME = `mutation ($id: ID!, $name: String!) { updateCustomer(input: { id: $id, name: $name }) { customer { id } } }`;
const NAME = `query ($id: ID!) { customer(id: $id) { name } }`;
const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 })] });
  admin = kit.workspace.client;
});
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

const onName = { kind: 'record', object: 'Customer', on: 'updated', fields: ['name'] } as const;
const renameStep = { id: 'rename', kind: 'updateRecord', values: { name: '{{trigger.record.name}}!' } };
const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;
const nameOf = async (id: string) => (await admin.query(NAME, { id })).customer.name as string;

describe('a workflow changing the field its trigger listens to', () => {
  it('runs once by default: its own change does not set it off again (another workflow’s trigger does see it)', async () => {
    const self = await publishedWorkflow(admin, 'Exclaim', { trigger: onName, steps: [renameStep] });
    const observer = await publishedWorkflow(admin, 'Observer', { trigger: onName, steps: [{ id: 'tag', kind: 'addTag', tag: 'renamed' }] });
    const target = await customer('Selma');
    await admin.query(RENAME, { id: target, name: 'Selma Self' });
    // The observer runs for the person's rename (depth 0) and for the step's (depth 1): the step's change was delivered.
    const observed = await eventually(kit, async () => {
      const runs = await runsOf(admin, observer);
      expect(runs.filter((r) => r.status === 'SUCCEEDED').map((r) => r.depth).sort()).toEqual([0, 1]);
      return runs;
    });
    expect(observed).toHaveLength(2);
    const runs = await finishedRuns(kit, admin, self, 1);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'SUCCEEDED', depth: 0 });
    expect(await nameOf(target)).toBe('Selma Self!');
  });

  it('with allowSelfTrigger, sets itself off again until the depth limit', async () => {
    await admin.query(SETTINGS, { settings: { maxDepth: 3 } });
    try {
      const self = await publishedWorkflow(admin, 'Exclaim again', { trigger: onName, steps: [renameStep], options: { allowSelfTrigger: true } });
      const target = await customer('Chad');
      await admin.query(RENAME, { id: target, name: 'Chad Chain' });
      // Depths 0..3: the run at the limit still renames, and its change sets nothing off (depth 4 > 3).
      const runs = await finishedRuns(kit, admin, self, 4);
      await kit.settled();
      expect(runs.map((r) => r.depth).sort()).toEqual([0, 1, 2, 3]);
      expect(await nameOf(target)).toBe('Chad Chain!!!!');
      expect(await runsOf(admin, self)).toHaveLength(4);
    } finally {
      await admin.query(SETTINGS, { settings: { maxDepth: 5 } });
    }
  });
});
