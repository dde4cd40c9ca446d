// Renaming a custom field that a run's trigger is read by: `{{trigger.event.payload.changes.<field>…}}` in definitions
// is rewritten with the trigger's record's templates, and runs under way (their trigger's snapshot holds its record's
// custom fields, and its event's changes, under the names at their start) have the keys renamed in their snapshots, in
// one statement whatever the number of runs. Tenancy: another workspace's field of the same name, its definitions and
// its runs keep their name.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, finishedRuns, publishedWorkflow, runsOf, startTwoWorkspaces, switchAllOff } from './support.js';

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const RENAME = `mutation ($i: RenameCustomFieldInput!) { renameCustomField(input: $i) { customField { name } } }`;
const CUSTOMER = `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`;
const UPDATE_CUSTOMER = `mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`;
const WORKFLOW = `query ($id: ID!) { workflow(id: $id) { draft versions { definition } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Rename trigger reads B'));
}, 120_000);
afterEach(async () => {
  await switchAllOff(kit, admin);
  await switchAllOff(kit, other);
});
afterAll(async () => {
  await kit?.close();
});

const defineOnCustomer = async (client: TestClient, name: string) => (await client.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name, type: 'TEXT' } })).defineCustomField.customField.id as string;
const titleOf = (run: { steps: { stepId: string; output: any }[] }) => run.steps.find((s) => s.stepId === 'note')!.output.title as string;

describe('renaming a custom field the trigger’s event is read by', () => {
  it('rewrites `{{trigger.event.payload.changes.<field>…}}`: the published version reads the change under the new name', async () => {
    const onPlan = (field: string) => ({
      trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: [field] },
      steps: [{ id: 'note', kind: 'createTask', title: `From {{trigger.event.payload.changes.${field}.from}} to {{ trigger.event.payload.changes.${field}.to }}` }],
    });
    const field = await defineOnCustomer(admin, 'plan');
    await defineOnCustomer(other, 'plan');
    const mine = await publishedWorkflow(admin, 'Plan changed', onPlan('plan'));
    const theirs = await publishedWorkflow(other, 'Plan changed', onPlan('plan'));

    await admin.query(RENAME, { i: { id: field, name: 'package' } });
    const shown = (await admin.query(WORKFLOW, { id: mine })).workflow;
    for (const definition of [shown.versions[0].definition, shown.draft]) {
      expect(definition.steps[0].title).toBe('From {{trigger.event.payload.changes.package.from}} to {{ trigger.event.payload.changes.package.to }}');
    }
    expect((await other.query(WORKFLOW, { id: theirs })).workflow.versions[0].definition.steps[0].title).toBe(onPlan('plan').steps[0]!.title);

    const ada = (await admin.query(CUSTOMER, { i: { name: 'Ada', customFields: { package: 'basic' } } })).createCustomer.customer.id;
    await admin.query(UPDATE_CUSTOMER, { i: { id: ada, customFields: { package: 'gold' } } });
    const [run] = await finishedRuns(kit, admin, mine, 1);
    expect(run!.status, run!.error ?? '').toBe('SUCCEEDED');
    expect(titleOf(run!)).toBe('From basic to gold');
    // The other workspace's runs on its own `plan`.
    const bea = (await other.query(CUSTOMER, { i: { name: 'Bea', customFields: { plan: 'basic' } } })).createCustomer.customer.id;
    await other.query(UPDATE_CUSTOMER, { i: { id: bea, customFields: { plan: 'silver' } } });
    const [their] = await finishedRuns(kit, other, theirs, 1);
    expect(titleOf(their!)).toBe('From basic to silver');
  });
});

describe('renaming a custom field runs under way hold in their trigger', () => {
  // Started by a change of `tier`, waiting for a change of the customer's name, then reading the trigger.
  const onTier = {
    trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['tier'] },
    steps: [
      { id: 'rename', kind: 'waitForEvent', eventType: 'customer.updated', where: { value: '{{event.payload.changes.name.to}}', operator: 'eq', operand: 'Go' }, timeout: { days: 1 } },
      { id: 'note', kind: 'createTask', title: 'Upgraded to {{trigger.record.tier}} from {{trigger.event.payload.changes.tier.from}}' },
    ],
  };
  /** `count` customers of the client whose tier (named `field` now) went basic → gold, each with a run of `workflow` waiting. */
  async function waiting(client: TestClient, workflow: string, count: number, first = 0, field = 'tier'): Promise<string[]> {
    const customers: string[] = [];
    for (let i = first; i < first + count; i++) {
      const id = (await client.query(CUSTOMER, { i: { name: `C${i}`, customFields: { [field]: 'basic' } } })).createCustomer.customer.id as string;
      await client.query(UPDATE_CUSTOMER, { i: { id, customFields: { [field]: 'gold' } } });
      customers.push(id);
    }
    await eventually(kit, async () => expect((await runsOf(client, workflow)).filter((run) => run.status === 'WAITING')).toHaveLength(first + count));
    return customers;
  }
  /** The statements of `work` naming the runs' table (the queue's claims, polling meanwhile, left out). */
  const runStatements = async (work: () => Promise<unknown>) => (await kit.sql.during(work)).filter((s) => s.includes('"WorkflowRun"') && !s.includes('SKIP LOCKED')).length;

  it('renames the keys in their snapshots (3 or 12 runs, the same statements): a later step reads the new name', async () => {
    const tier = await defineOnCustomer(admin, 'tier');
    await defineOnCustomer(other, 'tier');
    const mine = await publishedWorkflow(admin, 'Tier', onTier);
    const theirs = await publishedWorkflow(other, 'Tier', onTier);
    const few = await waiting(admin, mine, 3);
    const [theirCustomer] = await waiting(other, theirs, 1);

    const small = await runStatements(() => admin.query(RENAME, { i: { id: tier, name: 'level' } }));
    const more = await waiting(admin, mine, 12 - 3, 3, 'level');
    const large = await runStatements(() => admin.query(RENAME, { i: { id: tier, name: 'grade' } }));
    console.info(`field rename: ${small} statements on runs for 3 under way, ${large} for 12`);

    for (const id of [...few, ...more]) await admin.query(UPDATE_CUSTOMER, { i: { id, name: 'Go' } });
    const runs = await finishedRuns(kit, admin, mine, 12);
    for (const run of runs) expect(run.status, run.error ?? '').toBe('SUCCEEDED');
    expect(runs.map(titleOf)).toEqual(Array(12).fill('Upgraded to gold from basic'));

    // The other workspace's run keeps `tier` in its snapshot and its version: it reads it.
    await other.query(UPDATE_CUSTOMER, { i: { id: theirCustomer, name: 'Go' } });
    const [their] = await finishedRuns(kit, other, theirs, 1);
    expect(titleOf(their!)).toBe('Upgraded to gold from basic');
    // One statement renames the keys of every run under way.
    expect([small, large]).toEqual([1, 1]);
  });
});
