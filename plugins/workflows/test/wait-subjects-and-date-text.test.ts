// Publish checks (review of round 1):
// - a `waitForEvent` step waits for an event about one record: without `subjectId` the run's record, so the event must
//   be about the trigger's object; with `subjectId`, the id must be one of the event's subject (else the wait can never
//   resume and always times out);
// - an action's input ids are typed by their names (`customerId`: a Customer id);
// - camel-case custom objects' record events (`supportContract.created`) are event types;
// - where a date is needed, text that makes an ISO date/time from date templates (`{{trigger.record.renewsOn}}T09:00:00Z`,
//   a custom `date` field and a time of day) is a date: it publishes (and re-publishes), and runs.
import loyalty from '@crm/plugin-loyalty';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, ENABLE, finishedRuns, PUBLISH, RUN, UPDATE } from './support.js';


let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 }), loyalty] });
  admin = kit.workspace.client;
  await admin.query(`mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`, {
    i: { object: 'CUSTOMER', name: 'renewsOn', type: 'DATE' },
  });
}, 120_000);
afterAll(async () => {
  await kit?.close();
});

async function draft(definition: unknown): Promise<string> {
  return (await admin.query(CREATE, { name: 'Checked', definition })).createWorkflow.workflow.id as string;
}
async function publishError(id: string): Promise<{ code: string; field: string; message: string } | null> {
  const error = (await admin.request(PUBLISH, { id })).errors?.[0];
  return error ? { ...(error.extensions as { code: string; field: string }), message: error.message } : null;
}
const published = async (definition: unknown) => publishError(await draft(definition));

const onCustomer = { kind: 'record', object: 'Customer', on: 'created' };
const onTask = { kind: 'record', object: 'Task', on: 'created' };
const waitFor = (eventType: string, extra: Record<string, unknown> = {}) => ({ id: 'wait', kind: 'waitForEvent', eventType, timeout: { days: 2 }, ...extra });

describe('waitForEvent is about a record of the event’s subject', () => {
  it('without subjectId: refused when the event is about another object than the run’s record', async () => {
    expect(await published({ trigger: onCustomer, steps: [waitFor('task.completed')] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.subjectId',
      message: expect.stringContaining("task.completed is about a Task, not the run's Customer"),
    });
    // A plugin-less custom event type of the same object, a manual trigger's record, an event trigger's object.
    expect(await published({ trigger: onTask, steps: [waitFor('task.completed')] })).toBeNull();
    expect(await published({ trigger: { kind: 'manual', object: 'Deal' }, steps: [waitFor('deal.won')] })).toBeNull();
    expect(await published({ trigger: { kind: 'event', eventType: 'deal.lost', object: 'Deal' }, steps: [waitFor('customer.trashed')] })).toMatchObject({
      field: 'definition.steps.0.subjectId',
      message: expect.stringContaining('customer.trashed is about a Customer'),
    });
  });

  it('with subjectId: the id must be one of the event’s subject', async () => {
    expect(await published({ trigger: onCustomer, steps: [waitFor('task.completed', { subjectId: '{{trigger.record.ownerId}}' })] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.subjectId',
      message: expect.stringContaining('{{trigger.record.ownerId}} is a User id; this needs a Task id'),
    });
    expect(await published({ trigger: onCustomer, steps: [waitFor('task.completed', { subjectId: '{{trigger.record.id}}' })] })).toMatchObject({
      field: 'definition.steps.0.subjectId',
      message: expect.stringContaining('is a Customer id; this needs a Task id'),
    });
    // The task a step created, a related record's id, an id of unknown type (an event's payload).
    expect(
      await published({
        trigger: onCustomer,
        steps: [{ id: 't', kind: 'createTask', title: 'Call', dueIn: { days: 1 } }, { ...waitFor('task.completed', { subjectId: '{{steps.t.output.id}}' }) }],
      }),
    ).toBeNull();
    expect(await published({ trigger: onTask, steps: [waitFor('customer.trashed', { subjectId: '{{trigger.record.customerId}}' })] })).toBeNull();
    // A webhook's body has no declared shape: any of its values may name the task.
    expect(await published({ trigger: { kind: 'webhook' }, steps: [waitFor('task.completed', { subjectId: '{{trigger.event.payload.taskId}}' })] })).toBeNull();
    // deal.lost's payload is declared: its customerId is a Customer's id, not a Task's.
    expect(
      await published({ trigger: { kind: 'event', eventType: 'deal.lost', object: 'Deal' }, steps: [waitFor('task.completed', { subjectId: '{{trigger.event.payload.customerId}}' })] }),
    ).toMatchObject({ field: 'definition.steps.0.subjectId', message: expect.stringContaining('is a Customer id; this needs a Task id') });
  });
});

describe('a date made of a date template and a time of day', () => {
  const dated = (field: string) => ({
    trigger: { kind: 'manual', object: 'Customer' },
    steps: [{ id: 'call', kind: 'createTask', title: 'Renewal call', dueAt: `{{trigger.record.${field}}}T09:00:00Z` }],
  });

  it('publishes, re-publishes and runs `{{trigger.record.renewsOn}}T09:00:00Z`; text that makes no date stays refused', async () => {
    const id = await draft(dated('renewsOn'));
    expect(await publishError(id)).toBeNull();
    // The same draft again (saved unchanged), as an editor re-publishing it does.
    await admin.query(UPDATE, { id, definition: dated('renewsOn') });
    expect(await publishError(id)).toBeNull();

    const customer = (await admin.query(`mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`, { i: { name: 'Rena', customFields: { renewsOn: '2027-03-31' } } }))
      .createCustomer.customer.id as string;
    await admin.query(ENABLE, { id, enabled: true });
    await admin.query(RUN, { id, recordId: customer });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.status, run!.steps[0]?.error ?? '').toBe('SUCCEEDED');
    const tasks = (await admin.query(`{ tasks(first: 10) { edges { node { title dueAt } } } }`)).tasks.edges.map((e: any) => e.node);
    expect(tasks).toContainEqual({ title: 'Renewal call', dueAt: '2027-03-31T09:00:00.000Z' });

    // Refused: a template that is not a date, text around the date that makes no date/time.
    expect(await published(dated('name'))).toMatchObject({ field: 'definition.steps.0.dueAt', message: expect.stringContaining('text with templates in it; this needs a date') });
    expect(
      await published({ trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'w', kind: 'wait', until: 'on {{trigger.record.renewsOn}}' }] }),
    ).toMatchObject({ field: 'definition.steps.0.until' });
  });
});

describe('a camel-case custom object’s record events', () => {
  it('`supportContract.created` publishes as an event trigger and a wait, and its trigger fires', async () => {
    await admin.query(`mutation { defineCustomObject(input: { name: "SupportContract", label: "Support contract" }) { customObject { id } } }`);
    const flow = {
      trigger: { kind: 'event', eventType: 'supportContract.created', object: 'SupportContract' },
      steps: [
        { id: 'note', kind: 'createTask', title: 'New support contract' },
        waitFor('supportContract.updated'),
      ],
    };
    const id = await draft(flow);
    expect(await publishError(id)).toBeNull();
    await admin.query(ENABLE, { id, enabled: true });
    await admin.query(`mutation { createSupportContract(input: {}) { supportContract { id } } }`);
    const [run] = await finishedRuns(kit, admin, id, 1, ['WAITING']);
    expect(run!.steps[0]).toMatchObject({ stepId: 'note', status: 'SUCCEEDED' });
  });
});

describe('an action’s ids are typed by their names', () => {
  it('refuses a User id as loyalty.awardPoints’ customerId, takes the record’s id', async () => {
    const award = (customerId: string) => ({
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'points', kind: 'callAction', action: 'loyalty.awardPoints', input: { customerId, points: 5, reason: 'Thanks' } }],
    });
    expect(await published(award('{{trigger.record.ownerId}}'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.input.customerId',
      message: expect.stringContaining('{{trigger.record.ownerId}} is a User id; this needs a Customer id'),
    });
    expect(await published(award('{{trigger.record.id}}'))).toBeNull();
  });
});
