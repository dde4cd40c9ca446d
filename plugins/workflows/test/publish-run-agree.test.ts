// Publishing and the run judge a step's values by one builder (steps/command-inputs.ts): a value written in the
// definition that publishing accepts runs, and one the run would refuse for a reason publishing can know (a missing
// date, a `null` customer, a list where text goes, a custom field's type) is refused at publish, naming it. Each case
// below was a disagreement: published and failed every run, or refused at publish and taken at run time.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, CUSTOMER, finishedRuns, PUBLISH, publishedWorkflow, RUN, startTwoWorkspaces, switchAllOff } from './support.js';

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const TASKS = `{ tasks(first: 100) { edges { node { title notes dueAt } } } }`;
const CUSTOM = `query ($id: ID!) { customer(id: $id) { renewsOn lastCall seats plan } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  ({ kit, admin } = await startTwoWorkspaces('Agree, other'));
  for (const [name, type, extra] of [
    ['renewsOn', 'DATE', {}],
    ['lastCall', 'DATE_TIME', {}],
    ['seats', 'NUMBER', {}],
    ['plan', 'SELECT', { options: [{ value: 'basic', label: 'Basic' }, { value: 'pro', label: 'Pro' }] }],
  ] as const) {
    await admin.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name, type, ...extra } });
  }
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

const onCustomer = { kind: 'manual', object: 'Customer' };

/** The error of publishing a workflow of `steps` (null: it published). */
async function publishError(steps: unknown[], trigger: unknown = onCustomer) {
  const id = (await admin.query(CREATE, { name: 'Agree', definition: { trigger, steps } })).createWorkflow.workflow.id;
  const [error] = (await admin.request(PUBLISH, { id })).errors ?? [];
  return error ? { code: error.extensions?.code as string, field: error.extensions?.field as string, message: error.message } : null;
}

/** Publishes `steps` on a manual trigger of `object`, runs it on `recordId`: the finished run. */
async function ranOn(recordId: string, steps: unknown[], object = 'Customer') {
  const id = await publishedWorkflow(admin, 'Agree run', { trigger: { kind: 'manual', object }, steps });
  await admin.query(RUN, { id, recordId });
  const [run] = await finishedRuns(kit, admin, id, 1);
  return run!;
}

const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;
const taskTitled = async (title: string) => (await admin.query(TASKS)).tasks.edges.map((e: { node: object }) => e.node).find((t: { title: string }) => t.title === title);

describe('what the run takes publishes', () => {
  it('a true or false written as text (notes, body), and a waited-for record id of any uuid form', async () => {
    const steps = [
      { id: 'task', kind: 'createTask', title: 'Flagged', notes: true },
      { id: 'log', kind: 'logActivity', type: 'NOTE', channel: 'PHONE', subject: 'Checked', body: false },
      // Not an RFC 9562 uuid (version 0): events' subjects are uuid columns, and the run waits on it.
      { id: 'wait', kind: 'waitForEvent', eventType: 'customer.updated', subjectId: '00000000-0000-0000-0000-000000000001', timeout: { seconds: 1 } },
    ];
    expect(await publishError(steps)).toBeNull();
    const run = await ranOn(await customer('Tess True'), steps);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.steps.find((s) => s.stepId === 'wait')!.output).toEqual({ received: false, event: null });
    expect(await taskTitled('Flagged')).toMatchObject({ notes: 'true' });
  });

  it('a template holding true or false where text goes (publish types it as fitting text): the run writes it as text', async () => {
    const product = (await admin.query(`mutation { createProduct(input: { sku: "AGREE-1", name: "Kettle", unitPrice: "20.00" }) { product { id } } }`)).createProduct.product.id;
    const run = await ranOn(product, [{ id: 'task', kind: 'createTask', title: '{{trigger.record.active}}', notes: 'active: {{trigger.record.active}}' }], 'Product');
    expect(run).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(run.steps[0]!.output.title).toBe('true');
  });
});

describe('what the run refuses is refused at publish, naming it', () => {
  it.each([
    ['a wait until null', { id: 's', kind: 'wait', until: null }, 'definition.steps.0.until'],
    ['a wait until ""', { id: 's', kind: 'wait', until: '' }, 'definition.steps.0.until'],
    ['a waited-for record null', { id: 's', kind: 'waitForEvent', eventType: 'customer.updated', subjectId: null, timeout: { days: 1 } }, 'definition.steps.0.subjectId'],
    ['a tag for customer null', { id: 's', kind: 'addTag', tag: 'vip', customerId: null }, 'definition.steps.0.customerId'],
    ['an activity for customer null', { id: 's', kind: 'logActivity', type: 'NOTE', channel: 'PHONE', subject: 'Hi', customerId: null }, 'definition.steps.0.customerId'],
    ['a deal for customer null', { id: 's', kind: 'createDeal', title: 'Upsell', customerId: null }, 'definition.steps.0.customerId'],
    ['a list as a title', { id: 's', kind: 'createTask', title: '{{trigger.record.tags}}' }, 'definition.steps.0.title'],
    ['a list as a recipient', { id: 's', kind: 'sendEmail', to: '{{trigger.record.tags}}', subject: 'Hi', text: 'Hello' }, 'definition.steps.0.to'],
    ['a list of recipients', { id: 's', kind: 'sendEmail', to: ['a@x.example', 'b@y.example'], subject: 'Hi', text: 'Hello' }, 'definition.steps.0.to'],
    ['a tag that is a list', { id: 's', kind: 'removeTag', tag: '{{trigger.record.tags}}' }, 'definition.steps.0.tag'],
  ])('%s', async (_name, step, field) => {
    expect(await publishError([step])).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('the run refuses them for the same reason (a template that holds null)', async () => {
    const run = await ranOn(await customer('Nia Null'), [{ id: 'wait', kind: 'wait', until: '{{trigger.record.lastOrderAt}}' }]);
    expect(run).toMatchObject({ status: 'FAILED' });
    expect(run.steps[0]!.error).toBe('until: not a date: null');
  });
});

describe('record values by what their writer takes', () => {
  it('a task created as a record takes a date text for dueAt, as createTask does', async () => {
    const steps = [{ id: 'task', kind: 'createRecord', object: 'Task', values: { title: 'Renew', dueAt: '2027-01-31T09:00:00Z' } }];
    expect(await publishError(steps)).toBeNull();
    const run = await ranOn(await customer('Dora Due'), steps);
    expect(run).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(await taskTitled('Renew')).toMatchObject({ dueAt: '2027-01-31T09:00:00.000Z' });
  });

  it('a number in a text or money field is written as text, as the command steps write theirs', async () => {
    const steps = [{ id: 'u', kind: 'updateRecord', values: { name: 42, annualWallet: 1200 } }];
    expect(await publishError(steps)).toBeNull();
    const id = await customer('Nina Number');
    expect(await ranOn(id, steps)).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { name annualWallet } }`, { id })).customer).toEqual({ name: '42', annualWallet: '1200.00' });
  });

  it('text in a number field is refused at publish, as its command refuses it', async () => {
    expect(await publishError([{ id: 'u', kind: 'updateRecord', values: { satisfactionRating: 'five' } }], { kind: 'manual', object: 'Ticket' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.values.satisfactionRating',
    });
  });

  it.each([
    ['a date and time for a DATE field', { renewsOn: '2027-01-31T09:00:00Z' }, 'renewsOn'],
    ['a day for a DATE_TIME field', { lastCall: '2027-01-31' }, 'lastCall'],
    ['text for a NUMBER field', { seats: 'five' }, 'seats'],
    ['an unknown option of a SELECT field', { plan: 'gold' }, 'plan'],
  ])('custom fields: %s is refused at publish, as the writer refuses it', async (_name, values, name) => {
    expect(await publishError([{ id: 'u', kind: 'updateRecord', values }])).toMatchObject({ code: 'BAD_USER_INPUT', field: `definition.steps.0.values.${name}` });
  });

  it('custom fields: the values their writer takes publish and are written', async () => {
    const steps = [{ id: 'u', kind: 'updateRecord', values: { renewsOn: '2027-01-31', lastCall: '2027-01-31T09:00:00Z', seats: 5, plan: 'pro' } }];
    expect(await publishError(steps)).toBeNull();
    const id = await customer('Cal Custom');
    expect((await ranOn(id, steps)).status).toBe('SUCCEEDED');
    expect((await admin.query(CUSTOM, { id })).customer).toEqual({ renewsOn: '2027-01-31', lastCall: '2027-01-31T09:00:00.000Z', seats: 5, plan: 'pro' });
  });
});
