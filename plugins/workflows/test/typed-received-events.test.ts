// The one rule typing an event's reads (event-payloads.ts' `eventPartType`) for a wait's output and an update's field
// changes: `{{steps.<wait>.output.event.payload.…}}` by the declared payload of the event the wait waits for (null
// after its timeout, so a value needed whole refuses it), and `{{trigger.event.payload.changes.<field>.from|to}}` of
// an update by the field (built-in or custom: a select field's options, a number), an unknown field refused; at run
// a custom field's change is read by name (field-changes.ts' `payloadByName`). Another workspace's custom fields are
// not the publishing workspace's.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, finishedRuns, PUBLISH, publishedWorkflow, startTwoWorkspaces, switchAllOff } from './support.js';

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const CUSTOMER = `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`;
const UPDATE_CUSTOMER = `mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Typed events B'));
  await admin.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'plan', type: 'SELECT', options: ['gold', 'silver'].map((value) => ({ value })) } });
  await admin.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'seats', type: 'NUMBER' } });
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

type PublishError = { message: string; extensions: { code: string; field: string } };
async function publishError(definition: unknown, client: TestClient = admin) {
  const id = (await client.query(CREATE, { name: 'Typed events', definition })).createWorkflow.workflow.id;
  return (await client.request(PUBLISH, { id })).errors?.[0] as PublishError | undefined;
}

const task = (title: string, extra: Record<string, unknown> = {}) => ({ id: 't', kind: 'createTask', title, ...extra });
const when = (value: string, operator: string, operand?: unknown) => ({
  id: 'c', kind: 'condition', if: { value, operator, ...(operand === undefined ? {} : { operand }) }, then: [], else: [],
});

describe('a wait’s output, typed by the declared payload of the event it waits for', () => {
  /** A Deal workflow waiting for `eventType` on its deal, then `after`. */
  const afterWait = (eventType: string, ...after: Record<string, unknown>[]) => ({
    trigger: { kind: 'record', object: 'Deal', on: 'created' },
    steps: [{ id: 'w', kind: 'waitForEvent', eventType, timeout: { days: 1 } }, ...after],
  });

  it('refuses a key the payload does not declare, naming the keys it has', async () => {
    const error = await publishError(afterWait('deal.lost', task('Lost: {{steps.w.output.event.payload.nope}}')));
    expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.1.title' });
    expect(error?.message).toContain("{{steps.w.output.event.payload.nope}}: deal.lost's payload has no nope (it has customerId, amount, reason)");
    // The event's own parts as the trigger's: no other.
    expect((await publishError(afterWait('deal.lost', task('{{steps.w.output.event.when}}'))))?.message).toContain('an event has id, type, actor, occurredAt, subjectType, subjectId and payload.*');
    // An update's changes: of a field the subject has.
    const changed = await publishError(afterWait('deal.updated', task('{{steps.w.output.event.payload.changes.colour.to}}')));
    expect(changed?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.1.title' });
    expect(changed?.message).toContain('Deal has no field colour');
  });

  it('types each key where it is used, and as null after a timeout where a value is needed whole', async () => {
    // Within text a value (or nothing, after a timeout) is written in.
    expect(await publishError(afterWait('deal.lost', task('Lost {{steps.w.output.event.payload.amount}}: {{steps.w.output.event.payload.reason}}')))).toBeUndefined();
    // A title needs text, never null: the event is absent when the wait timed out.
    const whole = await publishError(afterWait('deal.lost', task('{{steps.w.output.event.payload.reason}}')));
    expect(whole?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.1.title' });
    expect(whole?.message).toContain('{{steps.w.output.event.payload.reason}} is text or null; this needs text, never null');
    // A number where one is needed: the amount is, the reason is not.
    const deal = (amount: string) => ({ id: 'd', kind: 'createDeal', title: 'Win back', amount, customerId: '{{trigger.record.customerId}}' });
    expect(await publishError(afterWait('deal.lost', deal('{{steps.w.output.event.payload.amount}}')))).toBeUndefined();
    expect((await publishError(afterWait('deal.lost', deal('{{steps.w.output.event.payload.reason}}'))))?.message).toContain('is text or null; this needs a number');
    // An id of the object its key names.
    const id = await publishError(afterWait('deal.lost', task('x', { dealId: '{{steps.w.output.event.payload.customerId}}' })));
    expect(id?.message).toContain('{{steps.w.output.event.payload.customerId}} is a Customer id or null; this needs a Deal id');
    // A date where one is needed: the event's occurredAt is one, its reason is not.
    expect((await publishError(afterWait('deal.lost', { id: 'p', kind: 'wait', until: '{{steps.w.output.event.payload.reason}}' })))?.message).toContain('is text or null; this needs a date');
  });

  it('types a condition’s operator and operand by the key', async () => {
    expect(await publishError(afterWait('deal.lost', when('{{steps.w.output.event.payload.amount}}', 'gte', 1000)))).toBeUndefined();
    const operand = await publishError(afterWait('deal.lost', when('{{steps.w.output.event.payload.amount}}', 'gte', 'big')));
    expect(operand?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.1.if.operand' });
    const operator = await publishError(afterWait('deal.lost', when('{{steps.w.output.event.payload.amount}}', 'contains', 'x')));
    expect(operator?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.1.if.operator' });
    // A built-in field's change, by its kind: a Deal's amount is a number.
    expect((await publishError(afterWait('deal.updated', when('{{steps.w.output.event.payload.changes.amount.to}}', 'gte', 'big'))))?.extensions).toMatchObject({ field: 'definition.steps.1.if.operand' });
  });

  it('a received event holds custom fields’ changes as core wrote them: read by name only in the wait’s where', async () => {
    const definition = {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'w', kind: 'waitForEvent', eventType: 'customer.updated', timeout: { days: 1 } }, task('Now {{steps.w.output.event.payload.changes.plan.to}}')],
    };
    const error = await publishError(definition);
    expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.1.title' });
    expect(error?.message).toContain("a received event holds Customer's custom fields' changes as core wrote them (changes.customFields");
  });
});

describe('an update trigger’s field changes, typed by the field', () => {
  const onDeal = { kind: 'record', object: 'Deal', on: 'updated' };
  const onCustomer = { kind: 'record', object: 'Customer', on: 'updated' };

  it('refuses a field the object does not have, and types a built-in one by its kind', async () => {
    const error = await publishError({ trigger: onDeal, steps: [task('{{trigger.event.payload.changes.colour.to}}')] });
    expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.title' });
    expect(error?.message).toContain('{{trigger.event.payload.changes.colour.to}}: Deal has no field colour');
    expect((await publishError({ trigger: onDeal, steps: [task('{{trigger.event.payload.changes.title.since}}')] }))?.message).toContain('a change is read as changes.title.from or changes.title.to');
    // amount is a number: it fits a deal's amount and orders; a title does not.
    const deal = (amount: string) => ({ id: 'd', kind: 'createDeal', title: 'Follow-up', amount, customerId: '{{trigger.record.customerId}}' });
    expect(await publishError({ trigger: onDeal, steps: [deal('{{trigger.event.payload.changes.amount.to}}'), when('{{trigger.event.payload.changes.amount.from}}', 'lt', 1000)] })).toBeUndefined();
    expect((await publishError({ trigger: onDeal, steps: [deal('{{trigger.event.payload.changes.title.to}}')] }))?.message).toContain('{{trigger.event.payload.changes.title.to}} is text; this needs a number');
    expect((await publishError({ trigger: onDeal, steps: [when('{{trigger.event.payload.changes.amount.to}}', 'gte', 'big')] }))?.extensions).toMatchObject({ field: 'definition.steps.0.if.operand' });
  });

  it('types a custom field’s change by its definition: a select’s options, a number', async () => {
    expect(await publishError({ trigger: onCustomer, steps: [when('{{trigger.event.payload.changes.plan.to}}', 'eq', 'gold')] })).toBeUndefined();
    const option = await publishError({ trigger: onCustomer, steps: [when('{{trigger.event.payload.changes.plan.to}}', 'eq', 'platinum')] });
    expect(option?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.if.operand' });
    const number = await publishError({ trigger: onCustomer, steps: [{ id: 'p', kind: 'wait', until: '{{trigger.event.payload.changes.seats.to}}' }] });
    expect(number?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.until' });
    expect(number?.message).toContain('{{trigger.event.payload.changes.seats.to}} is a number; this needs a date');
    expect((await publishError({ trigger: onCustomer, steps: [task('{{trigger.event.payload.changes.tier.to}}')] }))?.message).toContain('Customer has no field tier');
  });

  it('another workspace’s custom fields are not the publishing workspace’s', async () => {
    const error = await publishError({ trigger: onCustomer, steps: [task('{{trigger.event.payload.changes.plan.to}}')] }, other);
    expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.title' });
    expect(error?.message).toContain('Customer has no field plan');
  });

  it('at run, a custom field’s change is read by the name publishing typed it by', async () => {
    const id = await publishedWorkflow(admin, 'Plan changed', {
      trigger: { ...onCustomer, fields: ['plan'] },
      steps: [
        { id: 'c', kind: 'condition', if: { value: '{{trigger.event.payload.changes.plan.to}}', operator: 'eq', operand: 'gold' }, then: [task('Now {{trigger.event.payload.changes.plan.to}}, was {{trigger.event.payload.changes.plan.from}}')], else: [] },
      ],
    });
    const ada = (await admin.query(CUSTOMER, { i: { name: 'Ada', customFields: { plan: 'silver' } } })).createCustomer.customer.id as string;
    await admin.query(UPDATE_CUSTOMER, { i: { id: ada, customFields: { plan: 'gold' } } });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run?.status, run?.error ?? '').toBe('SUCCEEDED');
    expect(run!.steps.find((s) => s.stepId === 't')).toMatchObject({ status: 'SUCCEEDED', output: { title: 'Now gold, was silver' } });
  });
});
