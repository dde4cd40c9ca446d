// Deleting a custom field a workflow names (issue 16: "refused with the list of users, unless forced"): the plugin's
// `fieldUsers` answers for its drafts and published versions (a date trigger's field, a condition on the trigger's
// record, directly or through a relation), listed beside saved segments in `extensions.usedBy`. Another workspace's
// workflows never hold a field back; `force: true` deletes it anyway.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, publishedWorkflow } from './support.js';

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const DELETE_FIELD = `mutation ($i: DeleteCustomFieldInput!) { deleteCustomField(input: $i) { deletedId usedBy } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;
const fields: Record<string, string> = {};

async function define(client: TestClient, input: Record<string, unknown>) {
  return (await client.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', ...input } })).defineCustomField.customField.id as string;
}

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 })] });
  admin = kit.workspace.client;
  other = (await kit.createWorkspace('Usage B')).client;
  fields.contractEnd = await define(admin, { name: 'contractEnd', type: 'DATE' });
  fields.tier = await define(admin, { name: 'tier', type: 'TEXT' });
  fields.seats = await define(admin, { name: 'seats', type: 'NUMBER' });
  fields.theirEnd = await define(other, { name: 'contractEnd', type: 'DATE' });
  // A published workflow on the date field; a draft whose condition step names `tier` through a deal's customer.
  await publishedWorkflow(admin, 'Renewal call', {
    trigger: { kind: 'date', object: 'Customer', field: 'contractEnd', before: { days: 3 } },
    steps: [{ id: 'call', kind: 'createTask', title: 'Call' }],
  });
  await admin.query(CREATE, {
    name: 'Gold deals',
    definition: {
      trigger: { kind: 'record', object: 'Deal', on: 'created' },
      steps: [{ id: 'gold', kind: 'condition', if: { customer: { tier: { eq: 'gold' } } }, then: [{ id: 't', kind: 'addTag', tag: 'gold' }], else: [] }],
    },
  });
  await admin.query(`mutation ($i: CreateSegmentInput!) { createSegment(input: $i) { segment { id } } }`, { i: { name: 'Gold', filter: { tier: { eq: 'gold' } } } });
}, 120_000);
afterAll(async () => {
  await kit?.close();
});

describe('deleting a custom field a workflow names', () => {
  it('is refused with the workflows (and segments) that name it', async () => {
    const date = await admin.request(DELETE_FIELD, { i: { id: fields.contractEnd } });
    expect(date.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id', usedBy: 'Workflow:Renewal call' });
    const tier = await admin.request(DELETE_FIELD, { i: { id: fields.tier } });
    expect(tier.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', usedBy: 'Segment:Gold, Workflow:Gold deals' });
  });

  it('a field nothing names is deleted; another workspace is not held back by these workflows', async () => {
    expect((await admin.query(DELETE_FIELD, { i: { id: fields.seats } })).deleteCustomField.usedBy).toEqual([]);
    expect((await other.query(DELETE_FIELD, { i: { id: fields.theirEnd } })).deleteCustomField.usedBy).toEqual([]);
    // A's field is not B's to delete.
    expect((await other.request(DELETE_FIELD, { i: { id: fields.tier, force: true } })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('force deletes it anyway, naming what used it', async () => {
    expect((await admin.query(DELETE_FIELD, { i: { id: fields.contractEnd, force: true } })).deleteCustomField.usedBy).toEqual(['Workflow:Renewal call']);
    expect((await admin.query(`{ customFields(object: CUSTOMER) { name } }`)).customFields).toEqual([{ name: 'tier' }]);
  });
});

describe('a wait’s condition reading a change of the field', () => {
  it('holds it back when the awaited event is about the field’s object; the same name on another object’s event does not', async () => {
    const stage = await define(admin, { name: 'onboardingStage', type: 'TEXT' });
    const unused = await define(admin, { name: 'renewalStage', type: 'TEXT' });
    const wait = (eventType: string, field: string) => ({
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'w', kind: 'waitForEvent', eventType, where: { value: `{{event.payload.changes.${field}.to}}`, operator: 'eq', operand: 'done' }, timeout: { days: 1 } }],
    });
    await publishedWorkflow(admin, 'Await onboarding', wait('customer.updated', 'onboardingStage'));
    await admin.query(CREATE, { name: 'Deal renewal', definition: wait('deal.updated', 'renewalStage') });
    expect((await admin.request(DELETE_FIELD, { i: { id: stage } })).errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', usedBy: 'Workflow:Await onboarding' });
    expect((await admin.request(DELETE_FIELD, { i: { id: unused } })).errors).toBeUndefined();
  });
});

describe('a value condition reading the field', () => {
  it('holds it back, read on the trigger’s record or through a relation', async () => {
    const score = await define(admin, { name: 'churnRisk', type: 'NUMBER' });
    const region = await define(admin, { name: 'salesArea', type: 'TEXT' });
    const branch = (value: string) => [{ id: 'b', kind: 'condition', if: { value, operator: 'exists' }, then: [{ id: 't', kind: 'addTag', tag: 'x' }], else: [] }];
    await admin.query(CREATE, { name: 'High score', definition: { trigger: { kind: 'record', object: 'Customer', on: 'updated' }, steps: branch('{{trigger.record.churnRisk}}') } });
    await admin.query(CREATE, { name: 'Regional deals', definition: { trigger: { kind: 'record', object: 'Deal', on: 'created' }, steps: branch('{{ trigger.record.customer.salesArea }}') } });
    expect((await admin.request(DELETE_FIELD, { i: { id: score } })).errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', usedBy: 'Workflow:High score' });
    expect((await admin.request(DELETE_FIELD, { i: { id: region } })).errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', usedBy: 'Workflow:Regional deals' });
  });

  it('holds it back when a step reads the trigger’s change of it; the same name on another object’s trigger does not', async () => {
    const plan = await define(admin, { name: 'supportPlan', type: 'TEXT' });
    const dealPlan = await define(admin, { name: 'renewalPlan', type: 'TEXT' });
    const reading = (object: string, field: string) => ({ trigger: { kind: 'record', object, on: 'updated' }, steps: [{ id: 't', kind: 'createTask', title: `Plan {{trigger.event.payload.changes.${field}.to}}` }] });
    await publishedWorkflow(admin, 'Plan changed', reading('Customer', 'supportPlan'));
    await admin.query(CREATE, { name: 'Deal plan', definition: reading('Deal', 'renewalPlan') });
    expect((await admin.request(DELETE_FIELD, { i: { id: plan } })).errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', usedBy: 'Workflow:Plan changed' });
    expect((await admin.request(DELETE_FIELD, { i: { id: dealPlan } })).errors).toBeUndefined();
  });
});
