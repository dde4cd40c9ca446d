// The dry run's view of the trigger is the live trigger's: an `updated` trigger's condition is tested on the record
// with the sample change applied (live, after the change committed; here in a transaction rolled back), a record
// trigger's event is the one its object's change is announced by (the SDK's `changeOf`: `customer.trashed`,
// `activity.logged`, not `<object>.<on>`; for an update, the event whose changes carry the changed fields, as core's
// commands compute them: `deal.stage_changed` for a stage move), a `deleted` trigger reads its record in the trash, and a date trigger does
// not fire for a record whose date is empty.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, startTwoWorkspaces } from './support.js';

const DRY_RUN = `query ($id: ID!, $recordId: ID, $sample: JSON) {
  testWorkflow(id: $id, recordId: $recordId, sample: $sample) { wouldTrigger trigger steps { stepId input } } }`;
const CUSTOMER = `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`;
const VIEW = `query ($id: ID!) { customer(id: $id) { lifecycleStage tier } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  ({ kit, admin } = await startTwoWorkspaces('Dry-run trigger, other'));
  await admin.query(`mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`, { i: { object: 'CUSTOMER', name: 'tier', type: 'TEXT' } });
});
afterAll(async () => {
  await kit?.close();
});

const draft = async (definition: unknown) => (await admin.query(CREATE, { name: 'Dry trigger', definition })).createWorkflow.workflow.id as string;
const customer = async (input: Record<string, unknown>) => (await admin.query(CUSTOMER, { i: input })).createCustomer.customer.id as string;
const dryRun = async (variables: Record<string, unknown>) => (await admin.query(DRY_RUN, variables)).testWorkflow;
/** A task whose title shows the event the run would have. */
const noteEvent = { id: 'note', kind: 'createTask', title: '{{trigger.event.type}} {{trigger.event.subjectType}}' };

describe('the dry run tests the trigger as the live trigger does', () => {
  it("tests an update's condition on the record with the sample change applied, and writes nothing", async () => {
    const id = await draft({
      trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['lifecycleStage'], condition: { lifecycleStage: { eq: 'CUSTOMER' } } },
      steps: [noteEvent],
    });
    const prospect = await customer({ name: 'Pia Prospect', lifecycleStage: 'PROSPECT' });
    const fires = await dryRun({ id, recordId: prospect, sample: { lifecycleStage: { from: 'PROSPECT', to: 'CUSTOMER' } } });
    expect(fires).toMatchObject({ wouldTrigger: true, trigger: expect.stringContaining('with the sample change, matches its condition') });
    expect(fires.steps[0].input.title).toBe('customer.updated Customer');
    // A change to something else: the condition fails on the record as it would be.
    const not = await dryRun({ id, recordId: prospect, sample: { lifecycleStage: { from: 'PROSPECT', to: 'LEAD' } } });
    expect(not).toMatchObject({ wouldTrigger: false, trigger: expect.stringContaining('(with the sample change applied) does not match') });
    expect((await admin.query(VIEW, { id: prospect })).customer.lifecycleStage).toBe('PROSPECT');

    // A custom field, kept in the record's JSON with the others.
    const tiered = await draft({ trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['tier'], condition: { tier: { eq: 'gold' } } }, steps: [noteEvent] });
    const plain = await customer({ name: 'Tom Tierless', customFields: { tier: 'silver' } });
    expect((await dryRun({ id: tiered, recordId: plain, sample: { tier: { from: 'silver', to: 'gold' } } })).wouldTrigger).toBe(true);
    expect((await dryRun({ id: tiered, recordId: plain, sample: { tier: { from: 'silver', to: 'bronze' } } })).wouldTrigger).toBe(false);
    expect((await admin.query(VIEW, { id: plain })).customer.tier).toBe('silver');
  });

  it('gives record triggers the event their change is announced by, and reads a deleted record in the trash', async () => {
    const gone = await customer({ name: 'Gus Gone' });
    await admin.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: gone });
    const onDeleted = await draft({ trigger: { kind: 'record', object: 'Customer', on: 'deleted' }, steps: [noteEvent] });
    const deleted = await dryRun({ id: onDeleted, recordId: gone });
    expect(deleted.wouldTrigger).toBe(true);
    expect(deleted.steps[0].input.title).toBe('customer.trashed Customer');

    const someone = await customer({ name: 'Ann Active' });
    const activity = (await admin.query(`mutation ($id: ID!) { logActivity(input: { customerId: $id, type: NOTE, channel: PHONE, subject: "Hi" }) { activity { id } } }`, { id: someone }))
      .logActivity.activity.id;
    const onLogged = await draft({ trigger: { kind: 'record', object: 'Activity', on: 'created' }, steps: [noteEvent] });
    expect((await dryRun({ id: onLogged, recordId: activity })).steps[0].input.title).toBe('activity.logged Activity');
  });

  it("names the event an update comes with, as core's commands emit it: a stage move's deal.stage_changed, a completion's task.completed", async () => {
    const owner = await customer({ name: 'Mo Mover' });
    const deal = (await admin.query(`mutation ($c: ID!) { createDeal(input: { customerId: $c, title: "Boiler" }) { deal { id } } }`, { c: owner })).createDeal.deal.id;
    const onDeal = await draft({ trigger: { kind: 'record', object: 'Deal', on: 'updated' }, steps: [noteEvent] });
    const stages = { from: '0190a000-0000-7000-8000-000000000001', to: '0190a000-0000-7000-8000-000000000002' };
    const moved = await dryRun({ id: onDeal, recordId: deal, sample: { stageId: stages } });
    expect(moved.trigger).toContain('; announced by deal.stage_changed');
    expect(moved.steps[0].input.title).toBe('deal.stage_changed Deal');
    expect((await dryRun({ id: onDeal, recordId: deal, sample: { title: { from: 'Boiler', to: 'Heater' } } })).steps[0].input.title).toBe('deal.updated Deal');
    // Without a sample, the trigger's fields say which: a deal's status changes only with a move.
    const onStatus = await draft({ trigger: { kind: 'record', object: 'Deal', on: 'updated', fields: ['status'] }, steps: [noteEvent] });
    expect((await dryRun({ id: onStatus, recordId: deal })).steps[0].input.title).toBe('deal.stage_changed Deal');

    const task = (await admin.query(`mutation ($c: ID!) { createTask(input: { title: "Call", customerId: $c }) { task { id } } }`, { c: owner })).createTask.task.id;
    const onTask = await draft({ trigger: { kind: 'record', object: 'Task', on: 'updated' }, steps: [noteEvent] });
    const completed = await dryRun({ id: onTask, recordId: task, sample: { completedAt: { from: null, to: '2027-01-31T09:00:00.000Z' } } });
    expect(completed).toMatchObject({ wouldTrigger: true, trigger: expect.stringContaining('; announced by task.completed') });
    expect(completed.steps[0].input.title).toBe('task.completed Task');
    // DONE: updateTask's `task.updated` carries it, and completeTask's `task.completed`.
    const done = await dryRun({ id: onTask, recordId: task, sample: { status: { from: 'OPEN', to: 'DONE' } } });
    expect(done.trigger).toContain('; announced by task.updated or task.completed');
    expect(done.steps[0].input.title).toBe('task.updated Task');
  });

  it('says a date trigger would not fire for a record whose date is empty', async () => {
    const id = await draft({ trigger: { kind: 'date', object: 'Customer', field: 'lastOrderAt', after: { days: 30 } }, steps: [{ id: 'note', kind: 'createTask', title: 'Call again' }] });
    const never = await customer({ name: 'Nell Never' });
    expect(await dryRun({ id, recordId: never })).toEqual({ wouldTrigger: false, trigger: "would not fire: the record's lastOrderAt is empty", steps: [] });
  });
});
