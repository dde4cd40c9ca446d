// `updateRecord` through a to-many relation of a workspace's custom object (a customer's `contracts`) and of a plugin
// object (competitor-feedback's `Competitor`, through its custom relation field: a customer's `competitors`): written
// by core's batch update writer (the custom object's `updateX` rule; the plugin's declared `updateRule`), so 3 or 12
// related records cost the same statements; each record's custom values merged with the ones it keeps, and announced
// as its single update does it; all or none, a refused record named by its id. Tenancy and permissions of the batch
// writer through the bulk mutations it also serves: another workspace's ids are NOT_FOUND, a READ_ONLY key FORBIDDEN.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineContract, finishedRuns, publishedWorkflow, RUN, rowIdOf, startTwoWorkspaces, switchAllOff } from './support.js';

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const CONTRACT = `mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`;
const COMPETITOR = `mutation ($i: CompetitorFields!) { createCompetitor(input: $i) { competitor { id } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Objects batch elsewhere'));
  for (const client of [admin, other]) {
    await defineContract(client, { number: { type: 'TEXT' }, status: { type: 'TEXT' }, score: { type: 'NUMBER' }, customer: { type: 'RELATION', target: 'Customer' } });
    await client.query(DEFINE_FIELD, { i: { object: 'COMPETITOR', name: 'customer', type: 'RELATION', target: 'Customer' } });
    await client.query(DEFINE_FIELD, { i: { object: 'COMPETITOR', name: 'threat', type: 'NUMBER' } });
  }
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

let serial = 0;
const customer = async (name: string, client = admin) =>
  (await client.query(`mutation ($n: String!) { createCustomer(input: { name: $n }) { customer { id } } }`, { n: name })).createCustomer.customer.id as string;
const contracts = async (customerId: string, count: number, client = admin) => {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await client.query(CONTRACT, { i: { number: `N-${++serial}`, status: 'open', customer: customerId } })).createContract.contract.id);
  return ids;
};
const competitors = async (customerId: string, count: number, client = admin) => {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await client.query(COMPETITOR, { i: { name: `Rival ${++serial}`, customFields: { customer: customerId, threat: 1 } } })).createCompetitor.competitor.id);
  return ids;
};
const related = (relation: string, values: Record<string, unknown>) => ({
  trigger: { kind: 'manual', object: 'Customer' },
  steps: [{ id: 'each', kind: 'updateRecord', relation, values }],
});

/** The statements of one run of `workflow` on `record`: how many name `table`, and how many open a savepoint. */
async function runCosts(workflow: string, record: string, runs: number, table: string) {
  const statements = await kit.sql.during(async () => {
    await admin.query(RUN, { id: workflow, recordId: record });
    await finishedRuns(kit, admin, workflow, runs);
  });
  return { table: statements.filter((s) => s.includes(`"${table}"`)).length, savepoints: statements.filter((s) => /^SAVEPOINT/i.test(s)).length };
}

/** The payloads of `type` events about `ids` (row ids), read straight from the database. */
async function payloads(type: string, ids: string[]) {
  const events = await kit.database.prisma.event.findMany({ where: { type, subjectId: { in: ids.map(rowIdOf) } }, orderBy: { seq: 'asc' } });
  return events.map((event) => event.payload);
}

describe('to-many updates of custom and plugin objects in one batch', () => {
  it('3 or 12 contracts (a custom object): the same statements; values merged; each contract.updated as updateContract gives it', async () => {
    const [few, many, single] = [await customer('Few contracts'), await customer('Many contracts'), await customer('One contract')];
    const [fewOnes, manyOnes, [alone]] = [await contracts(few, 3), await contracts(many, 12), await contracts(single, 1)];
    const workflow = await publishedWorkflow(admin, 'Close contracts', related('contracts', { status: 'closed', score: 5 }));
    const small = await runCosts(workflow, few, 1, 'CustomRecord');
    const large = await runCosts(workflow, many, 2, 'CustomRecord');
    console.info(`to-many custom object update: ${small.table} statements on CustomRecord for 3 records, ${large.table} for 12; savepoints ${small.savepoints} / ${large.savepoints}`);
    expect(large).toEqual(small);
    expect((await finishedRuns(kit, admin, workflow, 2)).map((run) => run.steps[0]!.output.count).sort((a, b) => Number(a) - Number(b))).toEqual([3, 12]);
    // The values it did not name are kept (the JSON merged with each record's own), the relation too.
    const view = await admin.query(`query ($id: ID!) { node(id: $id) { ... on Contract { number status score customer { id } } } }`, { id: manyOnes[4] });
    expect(view.node).toEqual({ number: expect.stringMatching(/^N-/), status: 'closed', score: 5, customer: { id: many } });
    await admin.query(`mutation ($i: UpdateContractInput!) { updateContract(input: $i) { contract { id } } }`, { i: { id: alone, status: 'closed', score: 5 } });
    const [singleUpdated] = await payloads('contract.updated', [alone!]);
    expect(singleUpdated).toMatchObject({ changed: ['status', 'score'] });
    expect(await payloads('contract.updated', [...fewOnes, ...manyOnes])).toEqual(Array(15).fill(singleUpdated));
  });

  it('3 or 12 competitors (a plugin object): the same statements; custom values merged; each competitor.updated as updateCompetitor gives it', async () => {
    const [few, many, single] = [await customer('Few rivals'), await customer('Many rivals'), await customer('One rival')];
    const [fewOnes, manyOnes, [alone]] = [await competitors(few, 3), await competitors(many, 12), await competitors(single, 1)];
    const workflow = await publishedWorkflow(admin, 'Watch rivals', related('competitors', { strengths: 'Fast', threat: 7 }));
    const small = await runCosts(workflow, few, 1, 'Competitor');
    const large = await runCosts(workflow, many, 2, 'Competitor');
    console.info(`to-many plugin object update: ${small.table} statements on Competitor for 3 records, ${large.table} for 12; savepoints ${small.savepoints} / ${large.savepoints}`);
    expect(large).toEqual(small);
    const view = await admin.query(`query ($id: ID!) { node(id: $id) { ... on Competitor { strengths threat customer { id } } } }`, { id: manyOnes[7] });
    expect(view.node).toEqual({ strengths: 'Fast', threat: 7, customer: { id: many } });
    await admin.query(`mutation ($id: ID!) { updateCompetitor(id: $id, input: { strengths: "Fast", customFields: { threat: 7 } }) { competitor { id } } }`, { id: alone });
    // The same payload but for each record's own customer (its custom relation value, unchanged, in from and to).
    type Payload = { changed: string[]; changes: { customFields: { from: Record<string, unknown>; to: Record<string, unknown> } } };
    const ownCustomer = (payload: unknown) => {
      const { changes } = payload as Payload;
      expect(changes.customFields.from.customer).toBe(changes.customFields.to.customer);
      return { ...(payload as Payload), changes: { ...changes, customFields: { from: { ...changes.customFields.from, customer: 'own' }, to: { ...changes.customFields.to, customer: 'own' } } } };
    };
    const [singleUpdated] = (await payloads('competitor.updated', [alone!])).map(ownCustomer);
    expect(singleUpdated).toMatchObject({ changed: ['strengths', 'customFields'] });
    expect((await payloads('competitor.updated', [...fewOnes, ...manyOnes])).map(ownCustomer)).toEqual(Array(15).fill(singleUpdated));
  });

  it('all or none: a name two competitors cannot both take fails the step naming one, and none is changed', async () => {
    const holder = await customer('Same names');
    const ids = await competitors(holder, 2);
    const workflow = await publishedWorkflow(admin, 'Rename rivals', related('competitors', { name: 'Everyone' }));
    await admin.query(RUN, { id: workflow, recordId: holder });
    const [run] = await finishedRuns(kit, admin, workflow, 1);
    expect(run).toMatchObject({ status: 'FAILED' });
    expect(run!.steps[0]!.error).toMatch(new RegExp(`the Competitor (${ids.map(rowIdOf).join('|')}) cannot be changed: .*already exists.*nothing was changed`));
    const names = await kit.database.prisma.competitor.findMany({ where: { id: { in: ids.map(rowIdOf) } }, select: { name: true } });
    expect(names.map((c) => c.name)).not.toContain('Everyone');
    expect(await payloads('competitor.updated', ids)).toEqual([]);
  });

  it('the batch writer through the bulk mutations: another workspace’s records NOT_FOUND, a READ_ONLY key FORBIDDEN, nothing written', async () => {
    const mine = await customer('Mine');
    const [myContract] = await contracts(mine, 1);
    const [myRival] = await competitors(mine, 1);
    const theirs = await customer('Theirs', other);
    const [theirContract] = await contracts(theirs, 1, other);
    const [theirRival] = await competitors(theirs, 1, other);
    const UPDATE_CONTRACTS = `mutation ($ids: [ID!]) { updateContracts(where: { ids: $ids }, patch: { customFields: { status: "taken" } }) { count } }`;
    const UPDATE_COMPETITORS = `mutation ($ids: [ID!]) { updateCompetitors(where: { ids: $ids }, patch: { strengths: "taken" }) { count } }`;
    for (const [query, ids] of [[UPDATE_CONTRACTS, [myContract!, theirContract!]], [UPDATE_COMPETITORS, [myRival!, theirRival!]]] as const) {
      const answer = await admin.request(query, { ids });
      expect(answer.errors?.[0]?.extensions?.code).toMatch(/NOT_FOUND|BAD_USER_INPUT/);
      expect(JSON.stringify(answer.errors)).toMatch(/not found/i);
    }
    const reader = kit.client((await admin.query(`mutation { createApiKey(input: { name: "reader", role: READ_ONLY }) { secret } }`)).createApiKey.secret);
    for (const [query, ids] of [[UPDATE_CONTRACTS, [myContract!]], [UPDATE_COMPETITORS, [myRival!]]] as const) {
      expect((await reader.request(query, { ids })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const contractStatus = async (client: TestClient, id: string) => (await client.query(`query ($id: ID!) { node(id: $id) { ... on Contract { status } } }`, { id })).node.status;
    const rivalStrengths = async (client: TestClient, id: string) => (await client.query(`query ($id: ID!) { node(id: $id) { ... on Competitor { strengths } } }`, { id })).node.strengths;
    expect([await contractStatus(admin, myContract!), await contractStatus(other, theirContract!)]).toEqual(['open', 'open']);
    expect([await rivalStrengths(admin, myRival!), await rivalStrengths(other, theirRival!)]).toEqual([null, null]);
  });
});
