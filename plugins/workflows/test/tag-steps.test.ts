// The tag steps through core's `updateCustomerTags` (the list changed under the customer's row lock): what they write,
// the `customer.updated` event they cause (the tags' old and new list, signed by the step), nothing written when the
// list does not change, the 50-tag limit, and another workspace's customer out of reach.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { finishedRuns, publishedWorkflow, rowIdOf, switchAllOff } from './support.js';

const CUSTOMER = `mutation ($name: String!, $tags: [String!]) { createCustomer(input: { name: $name, tags: $tags }) { customer { id } } }`;
const TAGS = `query ($id: ID!) { customer(id: $id) { tags updatedAt } }`;
const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`;

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

const customer = async (name: string, tags: string[], client = admin) => (await client.query(CUSTOMER, { name, tags })).createCustomer.customer.id as string;

/** The `customer.updated` events of a customer, oldest first: their payload and actor. */
async function updatesOf(customerId: string) {
  return kit.database.sql.query<{ payload: { changed: string[]; changes: Record<string, { from: unknown; to: unknown }> }; actor: string }>(
    `SELECT payload, actor FROM "Event" WHERE type = 'customer.updated' AND "subjectId" = $1::uuid ORDER BY "occurredAt", id`,
    [rowIdOf(customerId)],
  );
}

async function runOn(workflowId: string, customerId: string) {
  await admin.query(ON_RECORDS, { id: workflowId, ids: [customerId] });
  const [run] = await finishedRuns(kit, admin, workflowId, 1);
  return run!;
}

describe('addTag and removeTag', () => {
  it('change the list under the row lock, with the old and new list in customer.updated, signed by the step', async () => {
    const id = await publishedWorkflow(admin, 'Retag', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'add', kind: 'addTag', tag: 'Gold' },
        { id: 'drop', kind: 'removeTag', tag: 'trial' },
      ],
    });
    const target = await customer('Tom Tags', ['vip', 'trial']);
    const run = await runOn(id, target);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.steps.map((s) => [s.stepId, s.output.tags])).toEqual([
      ['add', ['vip', 'trial', 'gold']],
      ['drop', ['vip', 'gold']],
    ]);
    expect((await admin.query(TAGS, { id: target })).customer.tags).toEqual(['vip', 'gold']);
    const updates = await updatesOf(target);
    expect(updates.map((u) => u.payload.changes.tags)).toEqual([
      { from: ['vip', 'trial'], to: ['vip', 'trial', 'gold'] },
      { from: ['vip', 'trial', 'gold'], to: ['vip', 'gold'] },
    ]);
    for (const update of updates) {
      expect(update.payload.changed).toEqual(['tags']);
      expect(update.actor).toMatch(/^plugin:workflows:step:/);
    }
  });

  it('write nothing when the list would not change: a tag already there (in any case), a tag not there', async () => {
    const id = await publishedWorkflow(admin, 'No change', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'again', kind: 'addTag', tag: 'VIP' },
        { id: 'absent', kind: 'removeTag', tag: 'never' },
      ],
    });
    const target = await customer('Nina Nochange', ['vip']);
    const before = (await admin.query(TAGS, { id: target })).customer;
    const run = await runOn(id, target);
    expect(run.status).toBe('SUCCEEDED');
    expect((await admin.query(TAGS, { id: target })).customer).toEqual(before);
    expect(await updatesOf(target)).toEqual([]);
  });

  it('refuse a 51st tag (BAD_USER_INPUT, the run fails at once) and leave the list as it was', async () => {
    const id = await publishedWorkflow(admin, 'One too many', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'add', kind: 'addTag', tag: 'fifty-one' }] });
    const fifty = Array.from({ length: 50 }, (_, i) => `t${i}`);
    const target = await customer('Fifty Tags', fifty);
    const run = await runOn(id, target);
    expect(run.status).toBe('FAILED');
    expect(run.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(run.steps[0]!.error).toMatch(/50 tags/);
    expect((await admin.query(TAGS, { id: target })).customer.tags).toEqual(fifty);
  });

  it('never reach another workspace’s customer: NOT_FOUND, the run fails, their tags unchanged', async () => {
    const other = await kit.createWorkspace('Tags B');
    const theirs = await customer('Their Tags', ['theirs'], other.client);
    const id = await publishedWorkflow(admin, 'Reach out', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'add', kind: 'addTag', tag: 'stolen', customerId: rowIdOf(theirs) }],
    });
    const run = await runOn(id, await customer('Our Own', []));
    expect(run.status).toBe('FAILED');
    expect(run.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect((await other.client.query(TAGS, { id: theirs })).customer.tags).toEqual(['theirs']);
  });
});
