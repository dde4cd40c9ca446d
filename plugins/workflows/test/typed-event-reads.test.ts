// Typed event reads that publish must read at run what publishing typed: an `event` trigger reading a custom field's
// change (`changes.plan`, with or without the trigger's `object`) runs on the workspace's model (`workspaceModel`,
// decided with the event catalog) and holds the field against deletion; a wait's output on a custom object's event
// reads a change by name (core writes a custom record's changes so); the dry run's trigger event is built by the live
// rule (`payloadByName`), its custom fields' changes in their JSON column and by name.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, defineContract, eventually, finishedRuns, publishedWorkflow, RUN, runsOf, startTwoWorkspaces, switchAllOff } from './support.js';

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const DELETE_FIELD = `mutation ($i: DeleteCustomFieldInput!) { deleteCustomField(input: $i) { deletedId usedBy } }`;
const CUSTOMER = `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`;
const UPDATE_CUSTOMER = `mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`;
const CONTRACT = `mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`;
const UPDATE_CONTRACT = `mutation ($i: UpdateContractInput!) { updateContract(input: $i) { contract { id } } }`;
const DRY_RUN = `query ($id: ID!, $recordId: ID, $sample: JSON) { testWorkflow(id: $id, recordId: $recordId, sample: $sample) { wouldTrigger steps { stepId input } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;
let planField: string;
let statusField: string;

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Typed event reads B'));
  planField = (await admin.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'plan', type: 'SELECT', options: ['gold', 'silver'].map((value) => ({ value })) } })).defineCustomField.customField.id;
  await admin.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'tier', type: 'TEXT' } });
  const contractObject = await defineContract(admin, { status: { type: 'TEXT' } });
  statusField = (await admin.query(`query ($o: ID!) { customFields(customObjectId: $o) { id name } }`, { o: contractObject })).customFields.find((f: { name: string }) => f.name === 'status').id;
  // The other workspace has a field of the same name: its deletion is not held back by this workspace's workflows.
  await other.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'plan', type: 'TEXT' } });
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

const task = (title: string) => ({ id: 't', kind: 'createTask', title });
const customer = async (name: string, customFields: Record<string, unknown>) => (await admin.query(CUSTOMER, { i: { name, customFields } })).createCustomer.customer.id as string;
const titleOf = (run: { steps: { stepId: string; output: any }[] }) => run.steps.find((s) => s.stepId === 't')?.output?.title;

describe('an event trigger reading a custom field’s change', () => {
  for (const [label, trigger] of [
    ['without object', { kind: 'event', eventType: 'customer.updated' }],
    ['with object', { kind: 'event', eventType: 'customer.updated', object: 'Customer' }],
  ] as const) {
    it(`${label}: reads the change by name at run, and holds the field against deletion`, async () => {
      const id = await publishedWorkflow(admin, `Plan now (${label})`, {
        trigger,
        steps: [{ id: 'c', kind: 'condition', if: { value: '{{trigger.event.payload.changes.plan.to}}', operator: 'eq', operand: 'gold' }, then: [task('Now {{trigger.event.payload.changes.plan.to}}')], else: [] }],
      });
      const ada = await customer(`Ada ${label}`, { plan: 'silver' });
      await admin.query(UPDATE_CUSTOMER, { i: { id: ada, customFields: { plan: 'gold' } } });
      const [run] = await finishedRuns(kit, admin, id, 1);
      expect(run?.status, run?.error ?? '').toBe('SUCCEEDED');
      expect(titleOf(run!)).toBe('Now gold');

      const held = await admin.request(DELETE_FIELD, { i: { id: planField } });
      expect(held.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id', usedBy: expect.stringContaining(`Workflow:Plan now (${label})`) });
      // Another workspace's id: not found, never another's field.
      expect((await other.request(DELETE_FIELD, { i: { id: planField, force: true } })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });
  }
});

describe('a wait’s output on a custom object’s event', () => {
  it('reads a field’s change by name, as core wrote it', async () => {
    const id = await publishedWorkflow(admin, 'Contract signed', {
      trigger: { kind: 'manual', object: 'Contract' },
      steps: [{ id: 'w', kind: 'waitForEvent', eventType: 'contract.updated', timeout: { days: 1 } }, task('Now {{steps.w.output.event.payload.changes.status.to}}')],
    });
    const contract = (await admin.query(CONTRACT, { i: { status: 'draft' } })).createContract.contract.id as string;
    await admin.query(RUN, { id, recordId: contract });
    await eventually(kit, async () => {
      const [run] = await runsOf(admin, id);
      expect(run?.status).toBe('WAITING');
      expect(run!.steps.find((s) => s.stepId === 'w')?.input.sinceSeq).toBeTruthy();
    });
    await admin.query(UPDATE_CONTRACT, { i: { id: contract, status: 'signed' } });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run?.status, run?.error ?? '').toBe('SUCCEEDED');
    expect(titleOf(run!)).toBe('Now signed');
    // The read holds the field against deletion.
    const held = await admin.request(DELETE_FIELD, { i: { id: statusField } });
    expect(held.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id', usedBy: 'Workflow:Contract signed' });
  });
});

describe('the dry run’s trigger event', () => {
  it('holds a custom field’s change as a live run does: in its JSON column and by name', async () => {
    const definition = {
      trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['tier'] },
      steps: [task('{{trigger.event.payload.changes.tier.to}} in {{trigger.event.payload.changes.customFields.to}}')],
    };
    const draft = (await admin.query(CREATE, { name: 'Tier dry', definition })).createWorkflow.workflow.id as string;
    const id = await publishedWorkflow(admin, 'Tier live', definition);
    const tom = await customer('Tom', { tier: 'silver' });
    const dry = (await admin.query(DRY_RUN, { id: draft, recordId: tom, sample: { tier: { from: 'silver', to: 'gold' } } })).testWorkflow;
    expect(dry.wouldTrigger).toBe(true);
    await admin.query(UPDATE_CUSTOMER, { i: { id: tom, customFields: { tier: 'gold' } } });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run?.status, run?.error ?? '').toBe('SUCCEEDED');
    expect(titleOf(run!)).toMatch(/^gold in .*gold/);
    // What the live run read, the dry run reads.
    expect(dry.steps[0].input.title).toBe(titleOf(run!));
  });
});
