// Date triggers on custom fields (issue 17: "three days before `contractEnd`"): a workspace's custom DATE field of
// Customer and a custom object's DATE_TIME field, scanned with the same guarantees as the built-in date columns (pages
// with a cursor, each record and date once per version, a moved date fires at its new point), never reaching another
// workspace's records or fields; publishing refuses a custom field that is unknown, not a date, or another
// workspace's, in the trigger's field or its condition.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, finishedRuns, PUBLISH, publishedWorkflow, rowIdOf, runsOf, switchAllOff } from './support.js';

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const DEFINE_OBJECT = `mutation ($i: DefineCustomObjectInput!) { defineCustomObject(input: $i) { customObject { id } } }`;
const CUSTOMER = `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`;
const UPDATE_CUSTOMER = `mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`;
const DRY_RUN = `query ($id: ID!, $recordId: ID) { testWorkflow(id: $id, recordId: $recordId) { steps { stepId input } } }`;
const CONTRACT = `mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

beforeAll(async () => {
  // Pages of 5, two a scan: seven records on one date take two scans.
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000, dateScan: { pageSize: 5, pages: 2 } })] });
  admin = kit.workspace.client;
  other = (await kit.createWorkspace('Custom dates B')).client;
  for (const client of [admin, other]) {
    await client.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'contractEnd', label: 'Contract end', type: 'DATE' } });
  }
  await admin.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'membershipNo', type: 'TEXT' } });
  await other.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'theirDate', type: 'DATE' } });
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

const scanDates = (now: Date) => kit.gateway.plugins!.runJob('workflows', 'scanDates', now);
const publishError = async (trigger: unknown) => {
  const id = (await admin.query(CREATE, { name: 'Bad custom date', definition: { trigger, steps: [{ id: 't', kind: 'addTag', tag: 'x' }] } })).createWorkflow.workflow.id;
  return (await admin.request(PUBLISH, { id })).errors?.[0];
};

describe('date triggers on custom fields', () => {
  it('fires three days before a customer’s contractEnd: in pages, once per record and date, again when the date moves', async () => {
    const id = await publishedWorkflow(admin, 'Renewal call', {
      trigger: { kind: 'date', object: 'Customer', field: 'contractEnd', before: { days: 3 }, condition: { name: { startsWith: 'Renew' } } },
      steps: [{ id: 'call', kind: 'createTask', title: 'Call about the contract ending {{trigger.record.contractEnd}}' }],
    });
    const renewing: string[] = [];
    for (let i = 0; i < 7; i++) {
      renewing.push((await admin.query(CUSTOMER, { i: { name: `Renew ${i}`, customFields: { contractEnd: '2027-03-31' } } })).createCustomer.customer.id);
    }
    // Same date, not matching the condition; no date at all; another workspace's customer with its own `contractEnd`.
    await admin.query(CUSTOMER, { i: { name: 'Other 1', customFields: { contractEnd: '2027-03-31' } } });
    await admin.query(CUSTOMER, { i: { name: 'Renew undated', customFields: {} } });
    await other.query(CUSTOMER, { i: { name: 'Renew theirs', customFields: { contractEnd: '2027-03-31' } } });

    await scanDates(new Date('2027-03-27T23:59:59.000Z')); // the point is 28 March, 00:00 UTC
    await kit.settled();
    expect(await runsOf(admin, id)).toHaveLength(0);
    // Two pages of 5 (5 + 2 of the 7, the non-matching one left out by the condition): one range statement a page.
    const statements = await kit.sql.during(() => scanDates(new Date('2027-03-28T00:00:00.000Z')));
    expect(statements.filter((q) => q.includes(`"customFields"->>'`))).toHaveLength(2);
    await scanDates(new Date('2027-03-28T00:00:00.000Z')); // the same window again: nothing new
    const runs = await finishedRuns(kit, admin, id, 7);
    expect(runs.every((r) => r.status === 'SUCCEEDED')).toBe(true);
    expect(runs.map((r) => r.triggerId).sort()).toEqual(renewing.map((c) => `date:${rowIdOf(c)}:2027-03-31`).sort());
    expect(runs[0]!.steps[0]!.output.title).toBe('Call about the contract ending 2027-03-31');
    // The dry run reads the custom value too.
    const dry = (await admin.query(DRY_RUN, { id, recordId: renewing[1] })).testWorkflow.steps;
    expect(dry[0].input.title).toBe('Call about the contract ending 2027-03-31');
    expect((await other.query(`{ workflowRuns(first: 10) { id } }`)).workflowRuns).toEqual([]);

    // One contract is extended by a month: it fires again at its new point, the others do not.
    await admin.query(UPDATE_CUSTOMER, { i: { id: renewing[0], customFields: { contractEnd: '2027-04-30' } } });
    await scanDates(new Date('2027-04-26T12:00:00.000Z'));
    await kit.settled();
    expect(await runsOf(admin, id)).toHaveLength(7);
    await scanDates(new Date('2027-04-27T00:00:00.000Z'));
    const again = await finishedRuns(kit, admin, id, 8);
    expect(again.filter((r) => r.triggerId === `date:${rowIdOf(renewing[0]!)}:2027-04-30`)).toHaveLength(1);
  });

  it('fires an hour after a custom object’s DATE_TIME field, only for the object’s records of the workspace', async () => {
    const objects: Record<string, string> = {};
    for (const [name, client] of [['a', admin], ['b', other]] as const) {
      objects[name] = (await client.query(DEFINE_OBJECT, { i: { name: 'Contract', label: 'Contract' } })).defineCustomObject.customObject.id;
      await client.query(DEFINE_FIELD, { i: { customObjectId: objects[name], name: 'number', type: 'TEXT' } });
      await client.query(DEFINE_FIELD, { i: { customObjectId: objects[name], name: 'renewsAt', type: 'DATE_TIME' } });
    }
    // Another custom object of the same workspace, sharing the table, with a field of the same name and time.
    const lease = (await admin.query(DEFINE_OBJECT, { i: { name: 'Lease', label: 'Lease' } })).defineCustomObject.customObject.id;
    await admin.query(DEFINE_FIELD, { i: { customObjectId: lease, name: 'renewsAt', type: 'DATE_TIME' } });
    const id = await publishedWorkflow(admin, 'Contract renewed', {
      trigger: { kind: 'date', object: 'Contract', field: 'renewsAt', after: { hours: 1 } },
      // A condition on the custom object's record: evaluated with the workspace's declaration of it.
      steps: [{ id: 'recent', kind: 'condition', if: { createdAt: { gt: '2020-01-01T00:00:00.000Z' } }, then: [{ id: 'w', kind: 'wait', for: { seconds: 0 } }] }],
    });
    const renewsAt = '2027-06-01T10:30:00.000Z';
    const ours = (await admin.query(CONTRACT, { i: { number: 'C-1', renewsAt } })).createContract.contract.id;
    await admin.query(`mutation ($i: CreateLeaseInput!) { createLease(input: $i) { lease { id } } }`, { i: { renewsAt } });
    await other.query(CONTRACT, { i: { number: 'C-1', renewsAt } });

    await scanDates(new Date('2027-06-01T11:29:59.999Z'));
    await kit.settled();
    expect(await runsOf(admin, id)).toHaveLength(0);
    await scanDates(new Date('2027-06-01T11:30:00.000Z'));
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.triggerId).toBe(`date:${rowIdOf(ours)}:${renewsAt}`);
    expect(run!.status).toBe('SUCCEEDED');
    expect(run!.steps.map((s) => [s.stepId, s.output.branch ?? null])).toEqual([['recent', 'then'], ['w', null]]);
    await scanDates(new Date('2027-06-02T00:00:00.000Z'));
    await kit.settled();
    expect(await runsOf(admin, id)).toHaveLength(1);
    expect((await other.query(`{ workflowRuns(first: 10) { id } }`)).workflowRuns).toEqual([]);
  });

  it('refuses an unknown, non-date or other workspace’s custom field by name, in the field or the condition', async () => {
    for (const field of ['contractEnds', 'membershipNo', 'theirDate']) {
      const error = await publishError({ kind: 'date', object: 'Customer', field });
      expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.trigger.field' });
      expect(error?.message).toContain(field);
    }
    const error = await publishError({ kind: 'date', object: 'Customer', field: 'contractEnd', condition: { theirDate: { eq: '2027-01-01' } } });
    expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.trigger.condition.theirDate' });
    // The workspace's own custom field is a condition like any field (the read engine's compiler evaluates it).
    expect(await publishError({ kind: 'date', object: 'Customer', field: 'contractEnd', condition: { membershipNo: { eq: 'M-1' } } })).toBeUndefined();
  });
});
