// Renaming a custom field or a custom object a workflow names (issues 16, 17). A field: the drafts and published versions that name it are rewritten in
// the renaming transaction (the plugin's `fieldRenamed`), as saved segments' filters are — so they keep working and
// show the new name. Both paths: a field of a core object (Customer's `tier`) and a field of a custom object
// (Contract's `status`, its object named by id in the definitions' table). Tenancy: another workspace with the same
// names keeps its own, unrenamed, and its workflows go on with them. An object: its record triggers, event types and
// created records follow the new name, so its events go on setting workflows off.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, defineContract, eventually, finishedRuns, PUBLISH, publishedWorkflow, RUN, rowIdOf, runsOf, startTwoWorkspaces, switchAllOff } from './support.js';

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const RENAME = `mutation ($i: RenameCustomFieldInput!) { renameCustomField(input: $i) { customField { name } } }`;
const CUSTOMER = `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`;
const UPDATE_CUSTOMER = `mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`;
const WORKFLOW = `query ($id: ID!) { workflow(id: $id) { draft versions { number definition } } }`;
const TASKS = `{ tasks(first: 50) { edges { node { title } } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;
const tierField: Record<string, string> = {};
const contractObject: Record<string, string> = {};
const statusField: Record<string, string> = {};

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Renames B'));
  for (const [name, client] of [['a', admin], ['b', other]] as const) {
    tierField[name] = (await client.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'tier', type: 'TEXT' } })).defineCustomField.customField.id;
    const contract = (contractObject[name] = await defineContract(client, { status: { type: 'TEXT' }, customer: { type: 'RELATION', target: 'Customer' } }));
    const fields = (await client.query(`query ($o: ID!) { customFields(customObjectId: $o) { id name } }`, { o: contract })).customFields;
    statusField[name] = fields.find((f: { name: string }) => f.name === 'status').id;
  }
}, 120_000);
afterEach(async () => {
  await switchAllOff(kit, admin);
  await switchAllOff(kit, other);
});
afterAll(async () => {
  await kit?.close();
});

const goldTier = {
  trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['tier'], to: 'gold', condition: { tier: { in: ['gold', 'platinum'] } } },
  steps: [
    { id: 'hello', kind: 'createTask', title: 'Tier {{trigger.record.tier}} for {{trigger.record.name}}' },
    { id: 'vip', kind: 'condition', if: { tier: { eq: 'gold' } }, then: [{ id: 'mark', kind: 'updateRecord', values: { tier: 'welcomed' } }] },
  ],
};
const signed = {
  trigger: { kind: 'record', object: 'Contract', on: 'created', condition: { and: [{ status: { eq: 'signed' } }, { customer: { tier: { eq: 'welcomed' } } }] } },
  steps: [
    { id: 'upgrade', kind: 'updateRecord', relation: 'customer', values: { tier: 'platinum' } },
    { id: 'copy', kind: 'createRecord', object: 'Contract', values: { status: 'copy of {{trigger.record.status}}', customer: '{{trigger.record.customerId}}' } },
    { id: 'thanks', kind: 'createTask', title: 'Contract {{trigger.record.status}} of {{trigger.record.customer.name}} ({{trigger.record.customer.tier}})' },
  ],
};

describe('renaming a custom field a workflow names', () => {
  it('rewrites drafts and published versions (a core object’s field and a custom object’s), which keep working under the new names', async () => {
    const tiers = await publishedWorkflow(admin, 'Gold tier', goldTier);
    const contracts = await publishedWorkflow(admin, 'Signed contract', signed);
    const draft = (await admin.query(CREATE, { name: 'Draft', definition: { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'x', kind: 'condition', if: { tier: { eq: 'x' } } }] } }))
      .createWorkflow.workflow.id;
    const theirs = await publishedWorkflow(other, 'Gold tier', goldTier);

    await admin.query(RENAME, { i: { id: tierField.a, name: 'level' } });
    await admin.query(RENAME, { i: { id: statusField.a, name: 'state' } });

    // Shown under the new names, the old ones gone: the published versions and the drafts.
    const shown = JSON.stringify([(await admin.query(WORKFLOW, { id: tiers })).workflow, (await admin.query(WORKFLOW, { id: contracts })).workflow]);
    expect(shown).not.toMatch(/tier|status/);
    const version = (await admin.query(WORKFLOW, { id: tiers })).workflow.versions[0].definition;
    expect(version.trigger).toMatchObject({ fields: ['level'], condition: { level: { in: ['gold', 'platinum'] } } });
    expect(version.steps[0].title).toBe('Tier {{trigger.record.level}} for {{trigger.record.name}}');
    expect(version.steps[1]).toMatchObject({ if: { level: { eq: 'gold' } }, then: [{ values: { level: 'welcomed' } }] });
    const contractVersion = (await admin.query(WORKFLOW, { id: contracts })).workflow.versions[0].definition;
    expect(contractVersion.trigger.condition).toEqual({ and: [{ state: { eq: 'signed' } }, { customer: { level: { eq: 'welcomed' } } }] });
    expect(contractVersion.steps[0].values).toEqual({ level: 'platinum' });
    expect(contractVersion.steps[1].values).toEqual({ state: 'copy of {{trigger.record.state}}', customer: '{{trigger.record.customerId}}' });
    expect(contractVersion.steps[2].title).toBe('Contract {{trigger.record.state}} of {{trigger.record.customer.name}} ({{trigger.record.customer.level}})');
    expect((await admin.query(WORKFLOW, { id: draft })).workflow.draft.steps[0].if).toEqual({ level: { eq: 'x' } });
    // The draft still publishes.
    expect((await admin.request(PUBLISH, { id: draft })).errors).toBeUndefined();

    // The published versions run under the new names.
    const ada = (await admin.query(CUSTOMER, { i: { name: 'Ada' } })).createCustomer.customer.id;
    await admin.query(UPDATE_CUSTOMER, { i: { id: ada, customFields: { level: 'gold' } } });
    const [tierRun] = await finishedRuns(kit, admin, tiers, 1);
    expect(tierRun!.status, tierRun!.error ?? '').toBe('SUCCEEDED');
    expect(tierRun!.steps.find((s) => s.stepId === 'hello')!.output.title).toBe('Tier gold for Ada');
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { level } }`, { id: ada })).customer.level).toBe('welcomed');
    await admin.query(`mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`, { i: { state: 'signed', customer: ada } });
    const [contractRun] = await finishedRuns(kit, admin, contracts, 1);
    expect(contractRun!.status, contractRun!.error ?? '').toBe('SUCCEEDED');
    // The trigger's record as it was when the run started (its customer then `welcomed`), and the customer upgraded since.
    expect(contractRun!.steps.find((s) => s.stepId === 'thanks')!.output.title).toBe('Contract signed of Ada (welcomed)');
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { level } }`, { id: ada })).customer.level).toBe('platinum');
    const states = (await admin.query(`{ contracts(first: 10) { edges { node { state } } } }`)).contracts.edges.map((e: any) => e.node.state);
    expect(states.sort()).toEqual(['copy of signed', 'signed']);

    // The other workspace kept `tier`: its workflow is as published and runs on its own field.
    const theirVersion = (await other.query(WORKFLOW, { id: theirs })).workflow.versions[0].definition;
    expect(theirVersion.trigger.fields).toEqual(['tier']);
    const bea = (await other.query(CUSTOMER, { i: { name: 'Bea' } })).createCustomer.customer.id;
    await other.query(UPDATE_CUSTOMER, { i: { id: bea, customFields: { tier: 'gold' } } });
    const [theirRun] = await finishedRuns(kit, other, theirs, 1);
    expect(theirRun!.status).toBe('SUCCEEDED');
    expect((await other.query(TASKS)).tasks.edges.map((e: any) => e.node.title)).toEqual(['Tier gold for Bea']);
    expect((await admin.query(TASKS)).tasks.edges.map((e: any) => e.node.title)).not.toContain('Tier gold for Bea');
  });
});

describe('renaming a custom field a wait’s condition reads', () => {
  it('rewrites `{{event.payload.changes.<field>…}}` in the published version, the draft and a waiting step: the run still matches the event', async () => {
    const plan: Record<string, string> = {};
    for (const [name, client] of [['a', admin], ['b', other]] as const) {
      plan[name] = (await client.query(DEFINE_FIELD, { i: { customObjectId: contractObject[name], name: 'plan', type: 'TEXT' } })).defineCustomField.customField.id;
    }
    const awaitGold = {
      trigger: { kind: 'manual', object: 'Contract' },
      steps: [
        { id: 'upgrade', kind: 'waitForEvent', eventType: 'contract.updated', where: { value: '{{ event.payload.changes.plan.to }}', operator: 'eq', operand: 'gold' }, timeout: { days: 1 } },
        { id: 'done', kind: 'createTask', title: 'Upgraded' },
      ],
    };
    const mine = await publishedWorkflow(admin, 'Await gold plan', awaitGold);
    const theirs = await publishedWorkflow(other, 'Await gold plan', awaitGold);
    const contract = (await admin.query(`mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`, { i: { plan: 'basic' } })).createContract.contract.id;
    await admin.query(RUN, { id: mine, recordId: contract });
    await eventually(kit, async () => expect((await runsOf(admin, mine))[0]?.status).toBe('WAITING'));

    await admin.query(RENAME, { i: { id: plan.a, name: 'package' } });
    const shown = (await admin.query(WORKFLOW, { id: mine })).workflow;
    for (const definition of [shown.versions[0].definition, shown.draft]) expect(definition.steps[0].where.value).toBe('{{ event.payload.changes.package.to }}');
    expect((await runsOf(admin, mine))[0]!.steps[0]!.input.where.value).toBe('{{ event.payload.changes.package.to }}');
    // The other workspace's field keeps its name, and so do its workflows.
    expect((await other.query(WORKFLOW, { id: theirs })).workflow.versions[0].definition.steps[0].where.value).toBe('{{ event.payload.changes.plan.to }}');

    // A change for which it does not hold leaves the run waiting; the one for which it holds ends the wait.
    const UPDATE_CONTRACT = `mutation ($i: UpdateContractInput!) { updateContract(input: $i) { contract { id } } }`;
    await admin.query(UPDATE_CONTRACT, { i: { id: contract, package: 'silver' } });
    await kit.settled();
    expect((await runsOf(admin, mine))[0]?.status).toBe('WAITING');
    await admin.query(UPDATE_CONTRACT, { i: { id: contract, package: 'gold' } });
    const [run] = await finishedRuns(kit, admin, mine, 1);
    expect(run!.status, run!.error ?? '').toBe('SUCCEEDED');
    expect(run!.steps.find((s) => s.stepId === 'upgrade')!.output.received).toBe(true);
  });
});

describe('renaming a custom object a workflow names', () => {
  it('its triggers, event types and created records follow the new name: its events go on setting workflows off', async () => {
    // A's Contract has `state` since the test above; B's still has `status`.
    const onCreated = await publishedWorkflow(admin, 'New contract', {
      trigger: { kind: 'record', object: 'Contract', on: 'created', condition: { state: { eq: 'new' } } },
      steps: [
        { id: 'copy', kind: 'createRecord', object: 'Contract', values: { state: 'copy', customer: '{{trigger.record.customerId}}' } },
        { id: 'note', kind: 'createTask', title: 'New {{trigger.record.state}} contract' },
      ],
    });
    const onEvent = await publishedWorkflow(admin, 'Contract changed', {
      trigger: { kind: 'event', eventType: 'contract.updated', object: 'Contract' },
      steps: [{ id: 'note', kind: 'createTask', title: 'Changed to {{trigger.record.state}}' }],
    });
    const theirs = await publishedWorkflow(other, 'New contract', {
      trigger: { kind: 'record', object: 'Contract', on: 'created' },
      steps: [{ id: 'note', kind: 'createTask', title: 'Their {{trigger.record.status}} contract' }],
    });

    await admin.query(`mutation ($i: RenameCustomObjectInput!) { renameCustomObject(input: $i) { customObject { name } } }`, { i: { id: contractObject.a, name: 'Agreement' } });
    const shown = (await admin.query(`query ($id: ID!) { workflow(id: $id) { draft versions { trigger definition } } }`, { id: onCreated })).workflow;
    expect(shown.versions[0].trigger).toBe('record:Agreement');
    expect(shown.versions[0].definition.trigger.object).toBe('Agreement');
    expect(shown.versions[0].definition.steps[0].object).toBe('Agreement');
    expect(shown.draft.trigger.object).toBe('Agreement');
    const eventVersion = (await admin.query(`query ($id: ID!) { workflow(id: $id) { versions { trigger definition } } }`, { id: onEvent })).workflow.versions[0];
    expect(eventVersion).toMatchObject({ trigger: 'event:agreement.updated', definition: { trigger: { eventType: 'agreement.updated', object: 'Agreement' } } });

    const customer = (await admin.query(CUSTOMER, { i: { name: 'Cy' } })).createCustomer.customer.id;
    const created = (await admin.query(`mutation ($i: CreateAgreementInput!) { createAgreement(input: $i) { agreement { id } } }`, { i: { state: 'new', customer } })).createAgreement.agreement.id;
    const [run] = await finishedRuns(kit, admin, onCreated, 1);
    expect(run!.status, run!.error ?? '').toBe('SUCCEEDED');
    const states = (await admin.query(`{ agreements(first: 20) { edges { node { state } } } }`)).agreements.edges.map((e: any) => e.node.state);
    expect(states).toEqual(expect.arrayContaining(['new', 'copy']));
    await admin.query(`mutation ($i: UpdateAgreementInput!) { updateAgreement(input: $i) { agreement { id } } }`, { i: { id: created, state: 'signed' } });
    const [changed] = await finishedRuns(kit, admin, onEvent, 1);
    expect(changed!.steps[0]!.output.title).toBe('Changed to signed');

    // B's Contract was not renamed: its workflow goes on with it, and A's rename set nothing off there.
    const theirCustomer = (await other.query(CUSTOMER, { i: { name: 'Cy' } })).createCustomer.customer.id;
    await other.query(`mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`, { i: { status: 'new', customer: theirCustomer } });
    const [theirRun] = await finishedRuns(kit, other, theirs, 1);
    expect(theirRun!.steps[0]!.output.title).toBe('Their new contract');
    expect((await other.query(TASKS)).tasks.edges.map((e: any) => e.node.title)).not.toContain('New new contract');
  });
});

describe('a version rewritten by another instance', () => {
  it('runs as stored, not as this process planned it before (its planned copy is checked against the stored definition)', async () => {
    // It names the custom field `tier`: a rename anywhere rewrites it.
    const workflow = await publishedWorkflow(other, 'Elsewhere', {
      trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['tier'] },
      steps: [{ id: 'hello', kind: 'createTask', title: 'First {{trigger.record.tier}}' }],
    });
    const bo = (await other.query(CUSTOMER, { i: { name: 'Bo' } })).createCustomer.customer.id;
    await other.query(UPDATE_CUSTOMER, { i: { id: bo, customFields: { tier: 'one' } } });
    const [first] = await finishedRuns(kit, other, workflow, 1);
    expect(first!.steps.find((s) => s.stepId === 'hello')!.output.title).toBe('First one');

    // As another instance's rename transaction would: the stored version rewritten, this process not told.
    await kit.database.sql.query(
      `UPDATE "WorkflowVersion" SET "definition" = jsonb_set("definition", '{steps,0,title}', '"Second {{trigger.record.tier}}"') WHERE "workflowId" = $1::uuid`,
      [rowIdOf(workflow)],
    );
    await other.query(UPDATE_CUSTOMER, { i: { id: bo, customFields: { tier: 'two' } } });
    const runs = await finishedRuns(kit, other, workflow, 2);
    expect(runs.map((run) => run.steps.find((s) => s.stepId === 'hello')!.output.title).sort()).toEqual(['First one', 'Second two']);
  });
});
