// Renaming a custom field that waiting steps' `where` names, or a custom object whose events they wait for: their
// inputs are rewritten with one statement (the plugin's `rows.write` in the renaming transaction), so 3 or 12 waiting
// steps cost the same statements. Tenancy:
// another workspace's waiting step on a field of the same name keeps its name. Permissions: a MEMBER key cannot rename.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineContract, eventually, publishedWorkflow, RUN, runsOf, startTwoWorkspaces, switchAllOff } from './support.js';

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const RENAME = `mutation ($i: RenameCustomFieldInput!) { renameCustomField(input: $i) { customField { name } } }`;
const RENAME_OBJECT = `mutation ($i: RenameCustomObjectInput!) { renameCustomObject(input: $i) { customObject { name } } }`;
const CONTRACT = `mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;
const contractObject: Record<string, string> = {};

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Rename waits elsewhere'));
  for (const [name, client] of [['a', admin], ['b', other]] as const) contractObject[name] = await defineContract(client, { status: { type: 'TEXT' } });
}, 120_000);
afterEach(async () => {
  await switchAllOff(kit, admin);
  await switchAllOff(kit, other);
});
afterAll(async () => {
  await kit?.close();
});

const awaiting = (field: string) => ({
  trigger: { kind: 'manual', object: 'Contract' },
  steps: [
    { id: 'upgrade', kind: 'waitForEvent', eventType: 'contract.updated', where: { value: `{{ event.payload.changes.${field}.to }}`, operator: 'eq', operand: 'gold' }, timeout: { days: 1 } },
    { id: 'done', kind: 'createTask', title: 'Upgraded' },
  ],
});

/** A field `name` of the client's Contract, a workflow waiting on its change, and `count` runs of it waiting. */
async function waitingOn(client: TestClient, workspace: 'a' | 'b', name: string, count: number) {
  const field = (await client.query(DEFINE_FIELD, { i: { customObjectId: contractObject[workspace], name, type: 'TEXT' } })).defineCustomField.customField.id as string;
  const workflow = await publishedWorkflow(client, `Await ${name}`, awaiting(name));
  for (let i = 0; i < count; i++) {
    const contract = (await client.query(CONTRACT, { i: { status: `c${i}` } })).createContract.contract.id;
    await client.query(RUN, { id: workflow, recordId: contract });
  }
  await eventually(kit, async () => expect((await runsOf(client, workflow)).filter((run) => run.status === 'WAITING')).toHaveLength(count));
  return { field, workflow };
}

/**
 * The statements of `work` naming the waiting steps' table: the rename's (the queue's claims, polling meanwhile on
 * their own connections, are left out: they are no part of it).
 */
async function stepStatements(work: () => Promise<unknown>) {
  return (await kit.sql.during(work)).filter((s) => s.includes('"WorkflowStepRun"') && !s.includes('SKIP LOCKED')).length;
}

const renameCost = (field: string, to: string) => stepStatements(() => admin.query(RENAME, { i: { id: field, name: to } }));

/** A custom object `name` with a text field `code`. */
async function defineObject(client: TestClient, name: string): Promise<string> {
  const id = (await client.query(`mutation ($n: String!) { defineCustomObject(input: { name: $n, label: $n }) { customObject { id } } }`, { n: name })).defineCustomObject.customObject.id as string;
  await client.query(DEFINE_FIELD, { i: { customObjectId: id, name: 'code', type: 'TEXT' } });
  return id;
}

const waitingWhere = async (client: TestClient, workflow: string) => (await runsOf(client, workflow)).map((run) => run.steps[0]!.input.where.value);

describe('renaming a field waiting steps name', () => {
  it('rewrites 3 or 12 waiting steps with the same statements; another workspace’s and a MEMBER’s attempt change nothing', async () => {
    const few = await waitingOn(admin, 'a', 'plan', 3);
    const many = await waitingOn(admin, 'a', 'grade', 12);
    const theirs = await waitingOn(other, 'b', 'plan', 1);

    const member = kit.client((await admin.query(`mutation { createApiKey(input: { name: "member", role: MEMBER }) { secret } }`)).createApiKey.secret);
    const refused = await member.request(RENAME, { i: { id: few.field, name: 'tier' } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await waitingWhere(admin, few.workflow)).toEqual(Array(3).fill('{{ event.payload.changes.plan.to }}'));
    // Another workspace's field id: not found there, nothing renamed.
    const elsewhere = await admin.request(RENAME, { i: { id: theirs.field, name: 'tier' } });
    expect(elsewhere.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const small = await renameCost(few.field, 'package');
    const large = await renameCost(many.field, 'level');
    console.info(`field rename: ${small} statements on waiting steps for 3, ${large} for 12`);
    // One read of the waiting steps and one write of all of them.
    expect([small, large]).toEqual([2, 2]);
    expect(await waitingWhere(admin, few.workflow)).toEqual(Array(3).fill('{{ event.payload.changes.package.to }}'));
    expect(await waitingWhere(admin, many.workflow)).toEqual(Array(12).fill('{{ event.payload.changes.level.to }}'));
    expect(await waitingWhere(other, theirs.workflow)).toEqual(['{{ event.payload.changes.plan.to }}']);
  });
});

describe('renaming an object waiting steps wait for events of', () => {
  it('rewrites the event type and key of 3 or 12 waiting steps with the same statements; another workspace’s keep theirs', async () => {
    /** A custom object `name`, a workflow waiting for a change of one of its records, and `count` runs of it waiting. */
    const waitingFor = async (client: TestClient, name: string, count: number) => {
      const object = await defineObject(client, name);
      const event = `${name.toLowerCase()}.updated`;
      const workflow = await publishedWorkflow(client, `Await a ${name}`, { trigger: { kind: 'manual', object: name }, steps: [{ id: 'change', kind: 'waitForEvent', eventType: event, timeout: { days: 1 } }] });
      for (let i = 0; i < count; i++) {
        const record = (await client.query(`mutation ($i: Create${name}Input!) { create${name}(input: $i) { ${name.toLowerCase()} { id } } }`, { i: { code: `r${i}` } }))[`create${name}`][name.toLowerCase()].id;
        await client.query(RUN, { id: workflow, recordId: record });
      }
      await eventually(kit, async () => expect((await runsOf(client, workflow)).filter((run) => run.status === 'WAITING')).toHaveLength(count));
      return { object, workflow };
    };
    const few = await waitingFor(admin, 'Lease', 3);
    const many = await waitingFor(admin, 'Permit', 12);
    const theirs = await waitingFor(other, 'Lease', 1);
    const cost = (object: string, to: string) => stepStatements(() => admin.query(RENAME_OBJECT, { i: { id: object, name: to } }));

    const small = await cost(few.object, 'Tenancy');
    const large = await cost(many.object, 'Licence');
    console.info(`object rename: ${small} statements on waiting steps for 3, ${large} for 12`);
    expect([small, large]).toEqual([2, 2]);
    const awaited = async (client: TestClient, workflow: string) => (await runsOf(client, workflow)).map((run) => run.steps[0]!.input.eventType);
    expect(await awaited(admin, few.workflow)).toEqual(Array(3).fill('tenancy.updated'));
    expect(await awaited(admin, many.workflow)).toEqual(Array(12).fill('licence.updated'));
    expect(await awaited(other, theirs.workflow)).toEqual(['lease.updated']);
    // Another workspace's object: not found there, nothing renamed.
    const elsewhere = await admin.request(RENAME_OBJECT, { i: { id: theirs.object, name: 'Rental' } });
    expect(elsewhere.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
