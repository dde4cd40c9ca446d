// Relation fields on a plugin object (docs/custom-fields.md, "On plugin objects"): `Competitor.account`, a RELATION to
// Customer, is written through the plugin's mutation (checked: a live customer of the workspace, NOT_FOUND
// otherwise), reads as an object field and as the reverse connection `Customer.competitorsAsAccount`, filters the
// list through the related record in one statement, and follows the target's lifecycle as core's relations do
// (trashed: null until restored; merged: moved; destroyed: cleared). Another workspace's customers are never linked
// nor matched; a role that hides the id field, or does not read customers, filters nothing through it.
import { type PluginTestGateway, startPluginTestGateway, type TestClient, type TestWorkspace } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { competitorFeedback } from '../src/index.js';

const DEFINE = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const CREATE = `mutation ($input: CompetitorFields!) { createCompetitor(input: $input) { competitor { id } } }`;
const READ = `query ($id: ID!) { competitor(id: $id) { name account { name } } }`;
const LIST = `query ($f: CompetitorFilter) { competitors(first: 10, filter: $f) { edges { node { name account { name } } } } }`;

let kit: PluginTestGateway;
let a: TestWorkspace;
let b: TestWorkspace;

const customer = async (w: TestWorkspace, name: string) =>
  (await w.client.query(`mutation ($n: String!) { createCustomer(input: { name: $n }) { customer { id } } }`, { n: name })).createCustomer.customer.id as string;
const competitor = async (client: TestClient, name: string, account?: string) =>
  (await client.query(CREATE, { input: { name, customFields: account ? { account } : {} } })).createCompetitor.competitor.id as string;
const accountOf = async (id: string) => (await a.client.query(READ, { id })).competitor.account?.name ?? null;
const storedOf = async (id: string) =>
  (await kit.database.prisma.$queryRawUnsafe<{ values: Record<string, unknown> }[]>(`SELECT "customFields" AS values FROM "Competitor" WHERE id = $1::uuid`, Buffer.from(id, 'base64').toString().split(':')[1]))[0]
    ?.values;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [competitorFeedback] });
  a = kit.workspace;
  b = await kit.createWorkspace('Workspace B');
  for (const w of [a, b]) await w.client.query(DEFINE, { i: { object: 'COMPETITOR', name: 'account', type: 'RELATION', target: 'Customer' } });
}, 120_000);
afterAll(async () => {
  await kit?.close();
});

describe('relation fields on a plugin object', () => {
  it('writes a checked link, reads it both ways, filters through it in one statement, sorts by it', async () => {
    const ada = await customer(a, 'Ada');
    const brewtal = await competitor(a.client, 'Brewtal', ada);
    await competitor(a.client, 'Plain Beans');
    expect(await accountOf(brewtal)).toBe('Ada');
    const reverse = await a.client.query(`query ($id: ID!) { customer(id: $id) { competitorsAsAccount(first: 5) { edges { node { name } } } } }`, { id: ada });
    expect(reverse.customer.competitorsAsAccount.edges).toEqual([{ node: { name: 'Brewtal' } }]);
    let listed: Record<string, any> = {};
    const statements = await kit.sql.during(async () => (listed = await a.client.query(LIST, { f: { account: { name: { eq: 'Ada' } } } })));
    expect(listed.competitors.edges).toEqual([{ node: { name: 'Brewtal', account: { name: 'Ada' } } }]);
    expect(statements.filter((s) => s.includes('"Competitor"')), statements.join('\n')).toHaveLength(1);
    // Sorted by the related record's field: those without a link last ascending.
    await competitor(a.client, 'Acme Roasters', await customer(a, 'Zed'));
    const sorted = await a.client.query(`{ competitors(first: 10, orderBy: [{ field: ACCOUNT_NAME }, { field: NAME }]) { edges { node { name } } } }`);
    expect(sorted.competitors.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['Brewtal', 'Acme Roasters', 'Plain Beans']);
    // A trashed source leaves the reverse connection until restored.
    const REVERSE = `query ($id: ID!) { customer(id: $id) { competitorsAsAccount(first: 5) { totalCount } } }`;
    await a.client.query(`mutation ($id: ID!) { deleteCompetitor(input: { id: $id }) { deletedCompetitorId } }`, { id: brewtal });
    expect((await a.client.query(REVERSE, { id: ada })).customer.competitorsAsAccount.totalCount).toBe(0);
    await a.client.query(`mutation ($id: ID!) { restoreCompetitor(input: { id: $id }) { competitor { id } } }`, { id: brewtal });
    expect((await a.client.query(REVERSE, { id: ada })).customer.competitorsAsAccount.totalCount).toBe(1);
  });

  it('refuses a link to a customer that does not exist or is another workspace’s (NOT_FOUND naming the field)', async () => {
    const theirs = await customer(b, 'Bee');
    for (const account of [theirs, '00000000-0000-4000-8000-000000000000']) {
      const refused = await a.client.request(CREATE, { input: { name: `Refused ${account.slice(0, 6)}`, customFields: { account } } });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customFields.account' });
    }
    // B's list never matches A's customers; A's competitors are not B's.
    expect((await b.client.query(LIST, { f: { account: { name: { eq: 'Ada' } } } })).competitors.edges).toEqual([]);
  });

  it('roles: a hidden id field filters nothing; without reading customers nothing is filtered through the link', async () => {
    const keyFor = async (name: string, p: unknown[]) => {
      const role = await a.client.query(`mutation ($n: String!, $p: [ObjectPermissionInput!]!) { createRole(input: { name: $n, permissions: $p }) { role { id } } }`, { n: name, p });
      return kit.client((await a.client.query(`mutation ($r: ID!) { createApiKey(input: { name: "rep", roleId: $r }) { secret } }`, { r: role.createRole.role.id })).createApiKey.secret);
    };
    const hidden = await keyFor('No account id', [{ object: 'Competitor', read: true, hiddenFields: ['accountId'] }, { object: 'Customer', read: true }]);
    const byId = await hidden.request(`query { competitors(first: 10, filter: { accountId: { isNull: false } }) { totalCount } }`);
    expect(byId.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.accountId' });
    const noCustomers = await keyFor('Competitors only', [{ object: 'Competitor', read: true }]);
    const read = await noCustomers.request(`query { competitors(first: 10, filter: { name: { eq: "Brewtal" } }) { edges { node { name account { name } } } } }`);
    const through = await noCustomers.request(LIST, { f: { account: { name: { eq: 'Ada' } } } });
    // As every to-one link (docs/security.md): it still names its row, as its id does; filtering through it is refused.
    expect(read.data?.competitors.edges).toEqual([{ node: { name: 'Brewtal', account: { name: 'Ada' } } }]);
    expect(through.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.account.name' });
  });

  it('follows the target: trashed reads null until restored, merged moves, destroyed clears', async () => {
    const cy = await customer(a, 'Cy');
    const roast = await competitor(a.client, 'Roastery', cy);
    await a.client.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: cy });
    expect(await accountOf(roast)).toBeNull();
    await a.client.query(`mutation ($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id } } }`, { id: cy });
    expect(await accountOf(roast)).toBe('Cy');

    const keep = await customer(a, 'Cy Keep');
    const merged = await a.client.query(`mutation ($i: MergeCustomersInput!) { mergeCustomers(input: $i) { moved { kind count } } }`, { i: { keep, merge: [cy] } });
    expect(merged.mergeCustomers.moved).toContainEqual({ kind: 'relationValues', count: 1 });
    expect(await accountOf(roast)).toBe('Cy Keep');

    await a.client.query(`mutation ($id: ID!) { destroyCustomer(input: { id: $id }) { destroyedCustomerId } }`, { id: keep });
    expect(await accountOf(roast)).toBeNull();
    expect(await storedOf(roast)).toEqual({});
  });
});
