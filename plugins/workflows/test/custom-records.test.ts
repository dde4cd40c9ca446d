// Workflows on a workspace's own model (issue 17: "any object of the declared object model, including plugin and
// custom objects"; "create a record (… custom object)"): conditions on custom fields (triggers, condition steps,
// selections), record triggers on a custom object (created with a condition through its relation field, updated with
// from/to on a custom field, deleted), steps that update it, its related customer's custom field and a plugin object,
// and create custom records. Tenancy: another workspace with the same field and object names is never seen nor
// touched. Permissions: steps write as the publishing key's role (FORBIDDEN at publish, and at run time when the role
// changed since), and only fields the object's writer takes (BAD_USER_INPUT).
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, defineContract, finishedRuns, PUBLISH, publishedWorkflow, rowIdOf, runsOf, startTwoWorkspaces, switchAllOff } from './support.js';

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const CUSTOMER = `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`;
const UPDATE_CUSTOMER = `mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`;
const CONTRACT = `mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`;
const UPDATE_CONTRACT = `mutation ($i: UpdateContractInput!) { updateContract(input: $i) { contract { id } } }`;
const DELETE_CONTRACT = `mutation ($i: DeleteContractInput!) { deleteContract(input: $i) { deletedContractId } }`;
const CONTRACTS = `{ contracts(first: 50) { edges { node { id number amount status customer { id } } } } }`;
const TIER = `query ($id: ID!) { customer(id: $id) { tier tags } }`;
const TASKS = `{ tasks(first: 50) { edges { node { title customer { id } } } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Custom records B'));
  // Both workspaces define the same names: a workflow of one must never read or write the other's.
  for (const client of [admin, other]) {
    await client.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'tier', type: 'TEXT' } });
    await defineContract(client, {
      number: { type: 'TEXT' },
      amount: { type: 'MONEY', currency: 'EUR' },
      status: { type: 'TEXT' },
      customer: { type: 'RELATION', target: 'Customer' },
    });
  }
  await other.query(`mutation { defineCustomObject(input: { name: "Lease", label: "Lease" }) { customObject { id } } }`);
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

const publishError = async (client: TestClient, definition: unknown) => {
  const id = (await client.query(CREATE, { name: 'Checked', definition })).createWorkflow.workflow.id;
  return (await client.request(PUBLISH, { id })).errors?.[0];
};
const customer = async (client: TestClient, name: string, tier: string) => (await client.query(CUSTOMER, { i: { name, customFields: { tier } } })).createCustomer.customer.id as string;
const contract = async (client: TestClient, input: object) => (await client.query(CONTRACT, { i: input })).createContract.contract.id as string;

describe('conditions on custom fields', () => {
  it('a record trigger on a custom field’s change (to), a condition step on it, and a selection filtered by it', async () => {
    const id = await publishedWorkflow(admin, 'Gold welcome', {
      trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['tier'], to: 'gold', condition: { tier: { in: ['gold', 'platinum'] } } },
      steps: [
        { id: 'welcome', kind: 'createTask', title: 'Welcome {{trigger.record.name}} to {{trigger.record.tier}}' },
        { id: 'vip', kind: 'condition', if: { and: [{ tier: { eq: 'gold' } }, { name: { startsWith: 'Ada' } }] }, then: [{ id: 'tag', kind: 'addTag', tag: 'vip' }] },
      ],
    });
    const ada = await customer(admin, 'Ada Gold', 'silver');
    const bob = await customer(admin, 'Bob Gold', 'silver');
    const theirs = await customer(other, 'Ada Gold', 'silver');
    await admin.query(UPDATE_CUSTOMER, { i: { id: ada, customFields: { tier: 'gold' } } });
    await admin.query(UPDATE_CUSTOMER, { i: { id: bob, customFields: { tier: 'gold' } } });
    await admin.query(UPDATE_CUSTOMER, { i: { id: bob, name: 'Bob Gold II' } }); // not a change of tier
    await admin.query(UPDATE_CUSTOMER, { i: { id: ada, customFields: { tier: 'platinum' } } }); // tier changed, not to gold
    await other.query(UPDATE_CUSTOMER, { i: { id: theirs, customFields: { tier: 'gold' } } }); // the other workspace's

    const runs = await finishedRuns(kit, admin, id, 2);
    expect(runs.every((r) => r.status === 'SUCCEEDED')).toBe(true);
    expect(runs.map((r) => r.recordId).sort()).toEqual([ada, bob].sort());
    const branches = Object.fromEntries(runs.map((r) => [r.recordId, r.steps.find((s) => s.stepId === 'vip')!.output.branch]));
    expect(branches).toEqual({ [ada]: 'then', [bob]: 'else' });
    expect((await admin.query(TIER, { id: ada })).customer.tags).toContain('vip');
    expect(runs.find((r) => r.recordId === bob)!.steps[0]!.output.title).toBe('Welcome Bob Gold to gold');
    expect((await other.query(TASKS)).tasks.edges).toEqual([]);
    expect((await other.query(TIER, { id: theirs })).customer.tags).toEqual([]);

    // By hand, on a selection filtered by the custom field: the workspace's own gold customers only.
    const manual = await publishedWorkflow(admin, 'Gold call', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'call', kind: 'createTask', title: 'Call {{trigger.record.name}}' }] });
    const started = await admin.query(`mutation ($id: ID!, $f: JSON) { runWorkflowOnRecords(input: { id: $id, filter: $f }) { started runs { recordId } } }`, {
      id: manual,
      f: { tier: { eq: 'gold' } },
    });
    expect(started.runWorkflowOnRecords.started).toBe(1);
    expect(started.runWorkflowOnRecords.runs[0].recordId).toBe(bob);
    await finishedRuns(kit, admin, manual, 1);
    // A field the workspace does not define (another workspace may) is refused.
    const refused = await admin.request(`mutation ($id: ID!, $f: JSON) { runWorkflowOnRecords(input: { id: $id, filter: $f }) { started } }`, { id: manual, f: { seats: { gt: 1 } } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('custom objects', () => {
  it('created (a condition through its relation field), updated (from/to), deleted: steps update it, its customer and create records', async () => {
    const onCreate = await publishedWorkflow(admin, 'Large contract', {
      trigger: { kind: 'record', object: 'Contract', on: 'created', condition: { amount: { gte: '1000' }, customer: { tier: { eq: 'gold' } } } },
      steps: [
        { id: 'review', kind: 'updateRecord', values: { status: 'review' } },
        { id: 'upgrade', kind: 'updateRecord', relation: 'customer', values: { tier: 'platinum' } },
        {
          id: 'renewal',
          kind: 'createRecord',
          object: 'Contract',
          values: { number: 'R-{{trigger.record.number}}', amount: '{{trigger.record.amount}}', customer: '{{trigger.record.customerId}}', status: 'draft' },
        },
        { id: 'note', kind: 'createTask', title: 'Review {{trigger.record.number}} of {{trigger.record.customer.name}} ({{steps.renewal.output.id}})' },
      ],
    });
    const onSigned = await publishedWorkflow(admin, 'Signed', {
      trigger: { kind: 'record', object: 'Contract', on: 'updated', fields: ['status'], from: 'review', to: 'signed' },
      steps: [{ id: 'thanks', kind: 'createTask', title: 'Thank for {{trigger.record.number}}' }],
    });
    const onDeleted = await publishedWorkflow(admin, 'Deleted', {
      trigger: { kind: 'record', object: 'Contract', on: 'deleted', condition: { status: { eq: 'signed' } } },
      steps: [{ id: 'ask', kind: 'createTask', title: 'Why was {{trigger.record.number}} deleted?', customerId: '{{trigger.record.customerId}}' }],
    });
    const gold = await customer(admin, 'Gina', 'gold');
    const silver = await customer(admin, 'Sam', 'silver');
    const theirGold = await customer(other, 'Gina', 'gold');
    const large = await contract(admin, { number: 'C-1', amount: '5000', customer: gold });
    await contract(admin, { number: 'C-2', amount: '50', customer: gold }); // too small
    await contract(admin, { number: 'C-3', amount: '9000', customer: silver }); // customer not gold
    const theirs = await contract(other, { number: 'C-1', amount: '5000', customer: theirGold });

    const [run] = await finishedRuns(kit, admin, onCreate, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED', recordId: large });
    expect(run!.steps.find((s) => s.stepId === 'upgrade')!.input).toMatchObject({ object: 'Customer', relation: 'customer', id: rowIdOf(gold) });
    const contracts = (await admin.query(CONTRACTS)).contracts.edges.map((e: any) => e.node);
    const renewal = contracts.find((c: any) => c.number === 'R-C-1');
    expect(contracts.find((c: any) => c.id === large)).toMatchObject({ status: 'review', amount: '5000.00' });
    expect(renewal).toMatchObject({ amount: '5000.00', status: 'draft', customer: { id: gold } });
    expect(run!.steps.find((s) => s.stepId === 'note')!.output.title).toBe(`Review C-1 of Gina (${rowIdOf(renewal.id)})`);
    expect((await admin.query(TIER, { id: gold })).customer.tier).toBe('platinum');
    // The workflow's own record did not set it off again (the renewal is not a large gold contract either way).
    expect(await runsOf(admin, onCreate)).toHaveLength(1);
    // The other workspace: its contract and customer untouched, no run.
    const theirContracts = (await other.query(CONTRACTS)).contracts.edges.map((e: any) => e.node);
    expect(theirContracts).toEqual([{ id: theirs, number: 'C-1', amount: '5000.00', status: null, customer: { id: theirGold } }]);
    expect((await other.query(TIER, { id: theirGold })).customer.tier).toBe('gold');
    expect((await other.query(`{ workflowRuns(first: 10) { id } }`)).workflowRuns).toEqual([]);

    // Updated from review to signed (a custom object's change, by field), then deleted with the condition on its last state.
    await admin.query(UPDATE_CONTRACT, { i: { id: renewal.id, status: 'signed' } }); // from draft: not this trigger
    await admin.query(UPDATE_CONTRACT, { i: { id: large, status: 'signed' } });
    await other.query(UPDATE_CONTRACT, { i: { id: theirs, status: 'review' } });
    await other.query(UPDATE_CONTRACT, { i: { id: theirs, status: 'signed' } });
    const [signed] = await finishedRuns(kit, admin, onSigned, 1);
    expect(signed).toMatchObject({ status: 'SUCCEEDED', recordId: large });
    expect(signed!.steps[0]!.output.title).toBe('Thank for C-1');
    await admin.query(DELETE_CONTRACT, { i: { id: large } });
    await other.query(DELETE_CONTRACT, { i: { id: theirs } });
    const [deleted] = await finishedRuns(kit, admin, onDeleted, 1);
    expect(deleted).toMatchObject({ status: 'SUCCEEDED', recordId: large });
    const tasks = (await admin.query(TASKS)).tasks.edges.map((e: any) => e.node);
    expect(tasks.find((t: any) => t.title === 'Why was C-1 deleted?')).toMatchObject({ customer: { id: gold } });
    expect((await other.query(TASKS)).tasks.edges).toEqual([]);
  });

  it('a plugin object (competitor-feedback’s Competitor): a condition on its custom field, updated through its writer', async () => {
    for (const client of [admin, other]) await client.query(DEFINE_FIELD, { i: { object: 'COMPETITOR', name: 'threat', type: 'NUMBER' } });
    const id = await publishedWorkflow(admin, 'Competitor intake', {
      trigger: { kind: 'record', object: 'Competitor', on: 'created', condition: { threat: { gte: 3 } } },
      steps: [{ id: 'mark', kind: 'updateRecord', values: { strengths: 'To research: {{trigger.record.name}}', threat: 9 } }],
    });
    const create = (client: TestClient, name: string, threat: number) =>
      client.query(`mutation ($i: CompetitorFields!) { createCompetitor(input: $i) { competitor { id } } }`, { i: { name, customFields: { threat } } }).then((r) => r.createCompetitor.competitor.id);
    const rival = await create(admin, 'Rival Co', 4);
    const calm = await create(admin, 'Calm Co', 1);
    const theirs = await create(other, 'Rival Co', 4);
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED', recordId: rival });
    const read = async (client: TestClient, competitor: string) => (await client.query(`query ($id: ID!) { node(id: $id) { ... on Competitor { strengths threat } } }`, { id: competitor })).node;
    expect(await read(admin, rival)).toEqual({ strengths: 'To research: Rival Co', threat: 9 });
    expect(await read(admin, calm)).toEqual({ strengths: null, threat: 1 });
    expect(await read(other, theirs)).toEqual({ strengths: null, threat: 4 });
  });

  it('publishing checks the workspace’s own model: another workspace’s object, unknown and unwritable fields', async () => {
    const onContract = { kind: 'record', object: 'Contract', on: 'created' };
    expect(await publishError(admin, { trigger: { kind: 'record', object: 'Lease', on: 'created' }, steps: [{ id: 't', kind: 'createTask', title: 'x', customerId: 'x' }] })).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'definition.trigger.object' },
    });
    expect(await publishError(admin, { trigger: onContract, steps: [{ id: 'u', kind: 'updateRecord', values: { seats: 3 } }] })).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'definition.steps.0.values.seats' },
    });
    expect(await publishError(admin, { trigger: onContract, steps: [{ id: 'u', kind: 'updateRecord', values: { createdAt: '2020-01-01T00:00:00Z' } }] })).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'definition.steps.0.values.createdAt' },
    });
    expect(
      await publishError(admin, { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'u', kind: 'updateRecord', values: { lifetimeValue: '10.00' } }] }),
    ).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'definition.steps.0.values.lifetimeValue' } });
    expect(await publishError(admin, { trigger: onContract, steps: [{ id: 'c', kind: 'createRecord', object: 'Lease', values: {} }] })).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'definition.steps.0.object' },
    });
    expect(await publishError(admin, { trigger: onContract, steps: [{ id: 't', kind: 'createTask', title: '{{trigger.record.customer.seats}}' }] })).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'definition.steps.0.title' },
    });
  });
});

describe('steps write as the publishing key’s role', () => {
  it('refuses at publish what the role cannot write, and fails a run when the role lost the right since', async () => {
    const grants = [
      { object: 'Customer', read: true, create: true, update: true, readOnlyFields: ['tier'] },
      { object: 'Contract', read: true, create: false, update: true },
      { object: 'Task', read: true, create: true, update: true },
      { object: 'Competitor', read: true, create: true, update: true },
    ];
    // Competitors as objects, but not (yet) the plugin's own permission its writer asks for (competitor-feedback.write).
    const role = await admin.query(
      `mutation ($p: [ObjectPermissionInput!]!, $pp: [String!]) { createRole(input: { name: "Automator", permissions: $p, pluginPermissions: $pp }) { role { id } } }`,
      { p: grants, pp: ['workflows.manage'] },
    );
    const roleId = role.createRole.role.id;
    const key = (await admin.query(`mutation ($r: ID!) { createApiKey(input: { name: "automator", roleId: $r }) { secret } }`, { r: roleId })).createApiKey.secret;
    const automator = kit.client(key);
    const onCustomer = { kind: 'record', object: 'Customer', on: 'created' };
    expect(await publishError(automator, { trigger: onCustomer, steps: [{ id: 'u', kind: 'updateRecord', values: { tier: 'gold' } }] })).toMatchObject({
      extensions: { code: 'FORBIDDEN', field: 'definition.steps.0.values.tier' },
    });
    expect(await publishError(automator, { trigger: onCustomer, steps: [{ id: 'c', kind: 'createRecord', object: 'Contract', values: { number: 'x' } }] })).toMatchObject({
      extensions: { code: 'FORBIDDEN', field: 'definition.steps.0.object' },
    });
    // What it may write publishes; the ADMIN key publishes the same tier change.
    const renames = await publishedWorkflow(automator, 'Rename', { trigger: onCustomer, steps: [{ id: 'u', kind: 'updateRecord', values: { phone: '+33 1 00 00 00 00' } }] });
    // A plugin object: the role's object grant is not enough, its writer asks for the plugin's permission too.
    const rivalDefinition = { trigger: onCustomer, steps: [{ id: 'c', kind: 'createRecord', object: 'Competitor', values: { name: 'Rival of {{trigger.record.name}}' } }] };
    const refused = await publishError(automator, rivalDefinition);
    expect(refused).toMatchObject({ extensions: { code: 'FORBIDDEN', field: 'definition.steps.0.object' } });
    expect(refused!.message).toContain('competitor-feedback permission "write"');
    await admin.query(`mutation ($id: ID!, $pp: [String!]) { updateRole(input: { id: $id, pluginPermissions: $pp }) { role { id } } }`, {
      id: roleId,
      pp: ['workflows.manage', 'competitor-feedback.write'],
    });
    const rivals = await publishedWorkflow(automator, 'Rival', rivalDefinition);
    expect(await publishError(admin, { trigger: onCustomer, steps: [{ id: 'u', kind: 'updateRecord', values: { tier: 'gold' } }] })).toBeUndefined();

    // The role loses the right to write phones and the plugin's permission: the published workflows' steps are bounded
    // by it as it is now.
    await admin.query(
      `mutation ($id: ID!, $p: [ObjectPermissionInput!]!, $pp: [String!]) { updateRole(input: { id: $id, permissions: $p, pluginPermissions: $pp }) { role { id } } }`,
      {
        id: roleId,
        p: [
          { object: 'Customer', read: true, create: true, update: true, readOnlyFields: ['tier', 'phone'] },
          { object: 'Competitor', read: true, create: true, update: true },
        ],
        pp: ['workflows.manage'],
      },
    );
    const dana = await customer(admin, 'Dana', 'silver');
    const [run] = await finishedRuns(kit, admin, renames, 1);
    expect(run).toMatchObject({ status: 'FAILED', recordId: dana });
    expect(run!.steps[0]!.error).toContain('phone');
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { phone } }`, { id: dana })).customer.phone).toBeNull();
    const [rival] = await finishedRuns(kit, admin, rivals, 1);
    expect(rival).toMatchObject({ status: 'FAILED', recordId: dana });
    expect(rival!.steps[0]!.error).toContain('competitor-feedback permission "write"');
    const names = (await admin.query(`{ competitors(first: 50) { edges { node { name } } } }`)).competitors.edges.map((e: any) => e.node.name);
    expect(names).not.toContain('Rival of Dana');
  });
});

describe('what the workspace’s model costs', () => {
  it('a version naming custom fields reads the definitions once per step transaction, not per step (statement count)', async () => {
    const id = await publishedWorkflow(admin, 'Tiered', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'gold', kind: 'condition', if: { tier: { eq: 'gold' } }, then: [{ id: 'tag', kind: 'addTag', tag: 'counted' }] },
        { id: 'mark', kind: 'updateRecord', values: { tier: 'counted' } },
        { id: 'task', kind: 'createTask', title: 'Counted {{trigger.record.name}} ({{trigger.record.tier}})' },
      ],
    });
    const targets = await Promise.all(Array.from({ length: 20 }, (_, i) => customer(admin, `Cost ${i}`, i % 2 ? 'gold' : 'silver')));
    await kit.settled();
    const statements = await kit.sql.during(async () => {
      await admin.query(`mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`, { id, ids: targets });
      await finishedRuns(kit, admin, id, 20, ['SUCCEEDED'], 60_000);
    });
    // The workspace's definitions as the record access reads them (custom objects with their fields; the core's own
    // value checks read the field definitions too, so those are not counted here).
    const definitionReads = statements.filter((q) => q.includes('"CustomObjectDefinition"')).length;
    console.info(`custom-field workflow: ${(statements.length / 20).toFixed(1)} statements per run, ${definitionReads} reads of the definitions for 20 runs of 3–4 steps`);
    // One read for the selection, then one per transaction that does steps (a run's steps go on in one), never per step.
    expect(definitionReads).toBeLessThanOrEqual(20 + 5);
    const tiers = await Promise.all(targets.map(async (t) => (await admin.query(TIER, { id: t })).customer));
    expect(tiers.every((c) => c.tier === 'counted')).toBe(true);
    expect(tiers.filter((c) => c.tags.includes('counted'))).toHaveLength(10);
  });
});
