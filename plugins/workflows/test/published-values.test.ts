// Values as versions published before the step builders wrote them still run (a list in an optional text, a number for
// a custom money field rounded by its own rule); the dry run agrees with the run (the builders' refusals; the events a
// trigger's fields are announced by); record values through relations (to-one, to-many) by their target's fields.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventInfo } from '@crm/plugin-sdk';
import { buildInput } from '../src/steps/command-inputs.js';
import { CREATE, defineContract, finishedRuns, PUBLISH, publishedWorkflow, RUN, rowIdOf, startTwoWorkspaces, switchAllOff } from './support.js';

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const NEW_CUSTOMER = `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`;
const TASKS = `{ tasks(first: 100) { edges { node { title notes } } } }`;
const DRY_RUN = `query ($id: ID!, $recordId: ID, $sample: JSON) {
  testWorkflow(id: $id, recordId: $recordId, sample: $sample) { wouldTrigger trigger steps { stepId effect } } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  ({ kit, admin } = await startTwoWorkspaces('Published values, other'));
  await admin.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'ratioX', type: 'NUMBER' } });
  await admin.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'revX', type: 'MONEY', currency: 'EUR' } });
  await admin.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'effortX', type: 'NUMBER' } });
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

const onCustomer = { kind: 'manual', object: 'Customer' };
const customer = async (input: Record<string, unknown>) => (await admin.query(NEW_CUSTOMER, { i: input })).createCustomer.customer.id as string;
const draft = async (definition: unknown) => (await admin.query(CREATE, { name: 'Values', definition })).createWorkflow.workflow.id as string;
/** The error of publishing `definition` (null: it published). */
async function publishError(definition: unknown) {
  const [error] = (await admin.request(PUBLISH, { id: await draft(definition) })).errors ?? [];
  return error ? { code: error.extensions?.code as string, field: error.extensions?.field as string, message: error.message } : null;
}
async function ran(id: string, recordId: string) {
  await admin.query(RUN, { id, recordId });
  const [run] = await finishedRuns(kit, admin, id, 1);
  return run!;
}

describe('versions published before each key had one rule', () => {
  it('run a list in an optional text as the old run wrote it ("a,b"); a new version is refused it at publish', async () => {
    const id = await publishedWorkflow(admin, 'Old notes', {
      trigger: onCustomer,
      steps: [
        { id: 'task', kind: 'createTask', title: 'Tagged {{trigger.record.name}}', notes: 'placeholder' },
        { id: 'log', kind: 'logActivity', type: 'NOTE', channel: 'PHONE', subject: 'Tags', body: 'placeholder' },
      ],
    });
    // The version as publishing let it through before: the record's tags (a list) in `notes` and `body`, inserted as the
    // workflow's published version.
    const inserted = await kit.database.prisma.$executeRawUnsafe(
      `WITH v AS (
         INSERT INTO "WorkflowVersion"
         SELECT (jsonb_populate_record(v, jsonb_build_object('id', gen_random_uuid(), 'number', v.number + 1,
                 'definition', jsonb_set(jsonb_set(v.definition, '{steps,0,notes}', to_jsonb($1::text)), '{steps,1,body}', to_jsonb($1::text))))).*
         FROM "WorkflowVersion" v WHERE v."workflowId" = $2::uuid RETURNING id)
       UPDATE "Workflow" SET "publishedVersionId" = (SELECT id FROM v) WHERE id = $2::uuid`,
      '{{trigger.record.tags}}',
      rowIdOf(id),
    );
    expect(inserted).toBe(1);
    const tagged = await customer({ name: 'Tilda Tags', tags: ['a', 'b'] });
    const run = await ran(id, tagged);
    expect(run.status).toBe('SUCCEEDED');
    const tasks = (await admin.query(TASKS)).tasks.edges.map((e: { node: { title: string; notes: string } }) => e.node);
    expect(tasks.find((t: { title: string }) => t.title === 'Tagged Tilda Tags')?.notes).toBe('a,b');
    const activities = await kit.database.prisma.$queryRawUnsafe<{ body: string }[]>(`SELECT body FROM "Activity" WHERE "customerId" = $1::uuid`, rowIdOf(tagged));
    expect(activities.map((a) => a.body)).toEqual(['a,b']);

    // A new version is held to the stricter rule: a list is no text.
    expect(await publishError({ trigger: onCustomer, steps: [{ id: 'task', kind: 'createTask', title: 'T', notes: '{{trigger.record.tags}}' }] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.notes',
    });
  });

  it("give a custom money field a number to round by its own rule (12.345 → 12.35), at run and at publish", async () => {
    const id = await publishedWorkflow(admin, 'Ratio to money', { trigger: onCustomer, steps: [{ id: 'u', kind: 'updateRecord', values: { revX: '{{trigger.record.ratioX}}' } }] });
    const fran = await customer({ name: 'Fran Float', customFields: { ratioX: 12.345 } });
    const run = await ran(id, fran);
    expect(run.status).toBe('SUCCEEDED');
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { revX } }`, { id: fran })).customer.revX).toBe('12.35');
    // A sum that is no exact decimal (0.1 + 0.2), and the plain 12.345: published, rounded when written.
    expect(await publishError({ trigger: onCustomer, steps: [{ id: 'u', kind: 'updateRecord', values: { revX: 12.345 } }] })).toBeNull();
    const sum = await publishedWorkflow(admin, 'Sum', { trigger: onCustomer, steps: [{ id: 'u', kind: 'updateRecord', values: { revX: 0.1 + 0.2 } }] });
    expect((await ran(sum, fran)).status).toBe('SUCCEEDED');
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { revX } }`, { id: fran })).customer.revX).toBe('0.30');
  });
});

describe("plain record values by their writer's own rule, at publish", () => {
  it("refuses what the object's writer would refuse every run: a blank task title, a negative wallet, a required custom field cleared", async () => {
    expect(await publishError({ trigger: onCustomer, steps: [{ id: 'c', kind: 'createRecord', object: 'Task', values: { title: '', customerId: '{{trigger.record.id}}' } }] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.values.title',
    });
    expect(await publishError({ trigger: onCustomer, steps: [{ id: 'u', kind: 'updateRecord', values: { annualWallet: -5 } }] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.values.annualWallet',
    });
    await defineContract(admin, { ref: { type: 'TEXT', required: true }, note: { type: 'TEXT' } });
    const onContract = { kind: 'manual', object: 'Contract' };
    expect(await publishError({ trigger: onContract, steps: [{ id: 'u', kind: 'updateRecord', values: { ref: null } }] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.values.ref',
      message: expect.stringContaining('ref is required'),
    });
    // What the writers take still publishes: a wallet as a number (written as text), an optional field cleared.
    expect(await publishError({ trigger: onCustomer, steps: [{ id: 'u', kind: 'updateRecord', values: { annualWallet: 1200.5 } }] })).toBeNull();
    expect(await publishError({ trigger: onContract, steps: [{ id: 'u', kind: 'updateRecord', values: { note: null, ref: 'R-1' } }] })).toBeNull();
    expect(await publishError({ trigger: onCustomer, steps: [{ id: 'c', kind: 'createRecord', object: 'Task', values: { title: 'Call', customerId: '{{trigger.record.id}}' } }] })).toBeNull();
  });

  it('refuses clearing a field its writer keeps (a name, a deal’s amount): by the update schema, at publish and on the API', async () => {
    expect(await publishError({ trigger: onCustomer, steps: [{ id: 'u', kind: 'updateRecord', values: { name: null } }] })).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.values.name',
      message: 'definition.steps.0.values.name: cannot be removed',
    });
    expect(await publishError({ trigger: { kind: 'manual', object: 'Deal' }, steps: [{ id: 'u', kind: 'updateRecord', values: { amount: null } }] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.values.amount',
    });
    const id = await customer({ name: 'Kept' });
    const cleared = await admin.request(`mutation ($id: ID!) { updateCustomer(input: { id: $id, name: null }) { customer { name } } }`, { id });
    expect(cleared.errors?.[0]).toMatchObject({ message: 'name: cannot be removed', extensions: { code: 'BAD_USER_INPUT', field: 'name' } });
  });

  it('a ticket’s subject, status, priority and rating, a product’s sku, name, price and active flag: kept by their update schema, refused at publish', async () => {
    const cases: [string, string][] = [
      ['Ticket', 'subject'],
      ['Ticket', 'status'],
      ['Ticket', 'priority'],
      ['Ticket', 'satisfactionRating'],
      ['Product', 'sku'],
      ['Product', 'name'],
      ['Product', 'unitPrice'],
      ['Product', 'active'],
    ];
    for (const [object, field] of cases) {
      expect(await publishError({ trigger: { kind: 'manual', object }, steps: [{ id: 'u', kind: 'updateRecord', values: { [field]: null } }] }), `${object}.${field}`).toEqual({
        code: 'BAD_USER_INPUT',
        field: `definition.steps.0.values.${field}`,
        message: `definition.steps.0.values.${field}: cannot be removed`,
      });
    }
    // An optional field is still cleared.
    expect(await publishError({ trigger: { kind: 'manual', object: 'Product' }, steps: [{ id: 'u', kind: 'updateRecord', values: { category: null } }] })).toBeNull();
    // The API answers the same rule: a stage's name and probability (a declared object without a writer) too.
    const product = (await admin.query(`mutation { createProduct(input: { sku: "K-1", name: "Kept", unitPrice: "5.00" }) { product { id } } }`)).createProduct.product.id;
    const cleared = await admin.request(`mutation ($id: ID!) { updateProduct(input: { id: $id, unitPrice: null }) { product { id } } }`, { id: product });
    expect(cleared.errors?.[0]).toMatchObject({ message: 'unitPrice: cannot be removed', extensions: { code: 'BAD_USER_INPUT', field: 'unitPrice' } });
    const stage = (await admin.query(`{ pipelines { stages { id } } }`)).pipelines[0].stages[0].id;
    const stageCleared = await admin.request(`mutation ($id: ID!) { updateStage(input: { id: $id, probability: null }) { stage { id } } }`, { id: stage });
    expect(stageCleared.errors?.[0]).toMatchObject({ message: 'probability: cannot be removed', extensions: { code: 'BAD_USER_INPUT', field: 'probability' } });
  });
});

describe("record values through a relation, by the target's fields", () => {
  const onCompany = { kind: 'manual', object: 'Company' };

  it("a to-many relation's custom number: refused at publish as values.<field>; a number for a text field written as text", async () => {
    expect(await publishError({ trigger: onCompany, steps: [{ id: 'u', kind: 'updateRecord', relation: 'customers', values: { effortX: 'five' } }] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.values.effortX',
    });
    const company = (await admin.query(`mutation { createCompany(input: { name: "Acme Many" }) { company { id } } }`)).createCompany.company.id;
    await customer({ name: 'Tom Many', companyId: company });
    await customer({ name: 'Tina Many', companyId: company });
    const id = await publishedWorkflow(admin, 'Effort', { trigger: onCompany, steps: [{ id: 'u', kind: 'updateRecord', relation: 'customers', values: { effortX: 3, name: 7 } }] });
    const run = await ran(id, company);
    expect(run.status).toBe('SUCCEEDED');
    const rows = await kit.database.prisma.$queryRawUnsafe<{ name: string; effort: number }[]>(
      `SELECT name, ("customFields"->>(SELECT key FROM "CustomFieldDefinition" WHERE name = 'effortX'))::int AS effort FROM "Customer" WHERE "companyId" = $1::uuid`,
      rowIdOf(company),
    );
    expect(rows).toEqual([
      { name: '7', effort: 3 },
      { name: '7', effort: 3 },
    ]);
  });

  it("a to-many relation's date column: a date text made the date its writer takes", async () => {
    const company = (await admin.query(`mutation { createCompany(input: { name: "Acme Deals" }) { company { id } } }`)).createCompany.company.id;
    const owner = await customer({ name: 'Dora Deals', companyId: company });
    await admin.query(`mutation ($c: ID!, $co: ID!) { createDeal(input: { customerId: $c, companyId: $co, title: "Boiler" }) { deal { id } } }`, { c: owner, co: company });
    expect(await publishError({ trigger: onCompany, steps: [{ id: 'u', kind: 'updateRecord', relation: 'deals', values: { expectedCloseAt: 'soon' } }] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.values.expectedCloseAt',
    });
    const id = await publishedWorkflow(admin, 'Close dates', { trigger: onCompany, steps: [{ id: 'u', kind: 'updateRecord', relation: 'deals', values: { expectedCloseAt: '2027-03-01T09:00:00Z' } }] });
    expect((await ran(id, company)).status).toBe('SUCCEEDED');
    const [deal] = await kit.database.prisma.$queryRawUnsafe<{ expectedCloseAt: Date }[]>(`SELECT "expectedCloseAt" FROM "Deal" WHERE "companyId" = $1::uuid`, rowIdOf(company));
    expect(deal!.expectedCloseAt.toISOString()).toBe('2027-03-01T09:00:00.000Z');
  });
});

describe('the dry run agrees with the run', () => {
  it("shows the run's refusal of a template's value (a list in a title, a `to` that is no address) and stops there", async () => {
    // A payload's values have no type when publishing: the run judges them, and the dry run as the run does.
    const hook = await draft({
      trigger: { kind: 'webhook' },
      steps: [
        { id: 'task', kind: 'createTask', title: '{{trigger.event.payload.tags}}' },
        { id: 'mail', kind: 'sendEmail', to: '{{trigger.event.payload.email}}', subject: 'Hi', text: 'Hello' },
      ],
    });
    const listed = (await admin.query(DRY_RUN, { id: hook, sample: { tags: ['x', 'y'], email: 'ann@example.com' } })).testWorkflow;
    expect(listed.steps).toEqual([{ stepId: 'task', effect: 'would fail: title: text, not ["x","y"]' }]);
    const badTo = (await admin.query(DRY_RUN, { id: hook, sample: { tags: 'vip', email: 'nobody' } })).testWorkflow;
    expect(badTo.steps.map((s: { stepId: string }) => s.stepId)).toEqual(['task', 'mail']);
    expect(badTo.steps[1].effect).toMatch(/^would fail: to: not an email address/);
  });

  it("names every event a trigger's fields may come with (any of them), and refuses a sample no one event carries", async () => {
    const owner = await customer({ name: 'Ed Events' });
    const deal = (await admin.query(`mutation ($c: ID!) { createDeal(input: { customerId: $c, title: "Pump" }) { deal { id } } }`, { c: owner })).createDeal.deal.id;
    const either = await draft({ trigger: { kind: 'record', object: 'Deal', on: 'updated', fields: ['title', 'stageId'] }, steps: [{ id: 'n', kind: 'createTask', title: '{{trigger.event.type}}' }] });
    expect((await admin.query(DRY_RUN, { id: either, recordId: deal })).testWorkflow.trigger).toContain('; announced by deal.updated or deal.stage_changed');
    const both = await admin.request(DRY_RUN, {
      id: either,
      recordId: deal,
      sample: { title: { from: 'Pump', to: 'Heat pump' }, stageId: { from: '0190a000-0000-7000-8000-000000000001', to: '0190a000-0000-7000-8000-000000000002' } },
    });
    expect(both.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'sample' } });
    expect(both.errors?.[0]?.message).toContain('deal.updated carries title; deal.stage_changed carries stageId');
    const one = (await admin.query(DRY_RUN, { id: either, recordId: deal, sample: { title: { from: 'Pump', to: 'Heat pump' } } })).testWorkflow;
    expect(one.trigger).toContain('; announced by deal.updated');
    expect(one.trigger).not.toContain('stage_changed');
  });
});

describe('values in code', () => {
  it('a wait until a Date instance, as the old run took it; an EventInfo without `changes`', () => {
    const until = new Date('2027-01-02T03:04:05.000Z');
    expect(buildInput('wait', { until }).until.toISOString()).toBe('2027-01-02T03:04:05.000Z');
    // Third-party code that builds an EventInfo as before `changes` was added still compiles (and reads no changes).
    const info: EventInfo = { type: 'thing.updated', subject: 'Thing', plugin: 'things' };
    expect(info.changes ?? null).toBeNull();
  });
});
