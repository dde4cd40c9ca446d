// A loop through another plugin's queue: a workflow's step logs an activity, the relay fixture (plugin-testing) hears
// `activity.logged` and answers it through a queue item with `relay.echoed` about the same customer, and a workflow
// listening to `relay.echoed` logs an activity again. Before session 18 the item's event began a new chain (causedBy
// NULL, as `plugin:relay`): no workflow's own change, a depth-0 start, for ever. The item now keeps the chain it was
// queued in (the step's), so the workflow knows the echo of its own step and does not run again; allowed to set itself
// off, it runs a level deeper each time and is cut at the depth limit. (The relay queues 8 items at most: the end of
// the loop when nothing cuts it; the two tests need 6.)
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { relayPlugin } from '../../../packages/plugin-testing/test/fixtures/relay/src/index.js';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, finishedRuns, publishedWorkflow, rowIdOf, runsOf, switchAllOff } from './support.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;
const LOG = `mutation ($id: ID!, $subject: String!) { logActivity(input: { customerId: $id, type: NOTE, channel: PHONE, subject: $subject }) { activity { id } } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 }), relayPlugin({ hears: ['activity.logged'], most: 8 })] });
  admin = kit.workspace.client;
});
afterEach(async () => {
  await switchAllOff(kit, admin);
  await admin.query(SETTINGS, { settings: { maxDepth: 5 } });
});
afterAll(async () => {
  await kit?.close();
});

const onEcho = { kind: 'event', eventType: 'relay.echoed', object: 'Customer' } as const;
const note = { id: 'note', kind: 'logActivity', customerId: '{{trigger.event.payload.customerId}}', type: 'NOTE', channel: 'PHONE', subject: 'Echo heard' };
const echoesOf = (customerId: string) =>
  kit.database.prisma.event.findMany({ where: { type: 'relay.echoed', customerId: rowIdOf(customerId) }, orderBy: { seq: 'asc' } });
const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;

describe('a loop through another plugin’s queue item', () => {
  it('the echo of its own step’s change (through the relay’s queue) does not start the workflow again', async () => {
    const id = await publishedWorkflow(admin, 'Echo follow-up', { trigger: onEcho, steps: [note] });
    const target = await customer('Queued');
    await admin.query(LOG, { id: target, subject: 'Called them' });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED', depth: 0 });
    // The step's note is echoed too (a queue item, then its delivery): that echo is the workflow's own change.
    const echoes = await eventually(kit, async () => {
      const found = await echoesOf(target);
      expect(found).toHaveLength(2);
      return found;
    });
    await kit.settled();
    expect(await runsOf(admin, id)).toHaveLength(1);
    expect(echoes.map((e) => [e.actor, e.chainDepth])).toEqual([
      ['plugin:relay', 1],
      ['plugin:relay', 1],
    ]);
    expect(echoes[0]!.causedBy).toMatch(/^apikey:/);
    expect(echoes[1]!.causedBy).toMatch(/^plugin:workflows:step:[0-9a-f-]{36}$/);
  });

  it('allowed to set itself off, it runs a level deeper each time and is cut at the depth limit', async () => {
    await admin.query(SETTINGS, { settings: { maxDepth: 2 } });
    const id = await publishedWorkflow(admin, 'Echo again', { trigger: onEcho, steps: [note], options: { allowSelfTrigger: true } });
    const target = await customer('Deeper');
    await admin.query(LOG, { id: target, subject: 'Called them again' });
    const runs = await finishedRuns(kit, admin, id, 3);
    expect(runs.map((r) => r.depth).sort()).toEqual([0, 1, 2]);
    // The third run's note is echoed (4 echoes in all); that echo starts nothing: past maxDepth.
    await eventually(kit, async () => expect(await echoesOf(target)).toHaveLength(4));
    await kit.settled();
    expect(await runsOf(admin, id)).toHaveLength(3);
  });
});
