// Renaming a custom field that waiting steps' `where` names: their inputs are rewritten with one statement (the
// plugin's `rows.write` in the renaming transaction), so 3 or 12 waiting steps cost the same statements. Tenancy:
// another workspace's waiting step on a field of the same name keeps its name. Permissions: a MEMBER key cannot rename.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineContract, eventually, publishedWorkflow, RUN, runsOf, startTwoWorkspaces, switchAllOff } from './support.js';

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const RENAME = `mutation ($i: RenameCustomFieldInput!) { renameCustomField(input: $i) { customField { name } } }`;
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

/** The statements of renaming `field` to `to` naming the waiting steps' table. */
async function renameCost(field: string, to: string) {
  const statements = await kit.sql.during(() => admin.query(RENAME, { i: { id: field, name: to } }));
  return statements.filter((s) => s.includes('"WorkflowStepRun"')).length;
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
    expect(large).toBe(small);
    expect(await waitingWhere(admin, few.workflow)).toEqual(Array(3).fill('{{ event.payload.changes.package.to }}'));
    expect(await waitingWhere(admin, many.workflow)).toEqual(Array(12).fill('{{ event.payload.changes.level.to }}'));
    expect(await waitingWhere(other, theirs.workflow)).toEqual(['{{ event.payload.changes.plan.to }}']);
  });
});
