// Search over core objects' custom text fields (docs/custom-fields.md, "Search"): `customers(search:)`,
// `companies(search:)` and the global `search` find customers and companies by their text, email, phone, URL, long
// text and select values, ranked by type; numbers and dates are not words; a typo in a text or email value is found
// by trigram similarity, ranked with the rest. Indexed (migrations `custom_values_search`, `custom_values_trigram`):
// the statement's plan reads the indexes. A role that hides a field searches without it (typos included); another
// workspace's values are never found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient, TestGateway, TestWorkspace } from '../src/testing/index.js';
import { startWithTwoWorkspaces } from './support/two-workspaces.js';

let t: TestGateway;
let a: TestWorkspace;
let b: TestWorkspace;
let readOnly: TestClient;

const DEFINE = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const CREATE = `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`;
const FIND = `query ($q: String!) { customers(first: 10, search: $q, orderBy: [{ field: NAME, direction: ASC }]) { totalCount edges { node { name } } } }`;

const found = async (client: TestClient, q: string) => (await client.query(FIND, { q })).customers.edges.map((e: { node: { name: string } }) => e.node.name);

beforeAll(async () => {
  ({ t, a, b, readOnly } = await startWithTwoWorkspaces());
  for (const [name, type] of [['nickname', 'TEXT'], ['altEmail', 'EMAIL'], ['notes', 'LONG_TEXT'], ['seats', 'NUMBER'], ['renewal', 'DATE']] as const) {
    await a.client.query(DEFINE, { i: { object: 'CUSTOMER', name, type } });
  }
  await a.client.query(DEFINE, { i: { object: 'COMPANY', name: 'motto', type: 'TEXT' } });
  await b.client.query(DEFINE, { i: { object: 'CUSTOMER', name: 'nickname', type: 'TEXT' } });
  const company = (await a.client.query(`mutation { createCompany(input: { name: "Plain Ltd", customFields: { motto: "Quixotic ventures" } }) { company { id } } }`)).createCompany.company.id;
  await a.client.query(CREATE, { i: { name: 'Ada', customFields: { nickname: 'Zanzibar', seats: 4242, renewal: '2031-05-06' } } });
  await a.client.query(CREATE, { i: { name: 'Bob', customFields: { altEmail: 'bob@marrakesh.example', notes: 'Met at the Timbuktu fair' } } });
  await a.client.query(CREATE, { i: { name: 'Cy', companyId: company } });
  await b.client.query(CREATE, { i: { name: 'Bee', customFields: { nickname: 'Zanzibar' } } });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('search over custom text fields of customers and companies', () => {
  it('finds customers by text, email and long text values (stemmed, prefixes), in the caller workspace only', async () => {
    expect(await found(a.client, 'zanzib')).toEqual(['Ada']);
    expect(await found(a.client, 'bob@marrakesh.example')).toEqual(['Bob']);
    expect(await found(a.client, 'timbuktu fairs')).toEqual(['Bob']);
    expect(await found(readOnly, 'zanzibar')).toEqual(['Ada']);
    expect(await found(b.client, 'zanzibar')).toEqual(['Bee']);
  });

  it('finds a typo in a custom text or email value by trigram similarity, in the caller workspace only', async () => {
    expect(await found(a.client, 'zanzibat')).toEqual(['Ada']);
    expect(await found(a.client, 'marakesh')).toEqual(['Bob']);
    expect(await found(b.client, 'zanzibat')).toEqual(['Bee']);
    // Long text is not an A-weight field: its words match, a typo in them does not (as for built-in fields).
    expect(await found(a.client, 'timbucktoo')).toEqual([]);
  });

  it('numbers and dates are not searched', async () => {
    expect(await found(a.client, '4242')).toEqual([]);
    expect(await found(a.client, '2031')).toEqual([]);
  });

  it("finds companies by theirs, and customers through their company's", async () => {
    expect((await a.client.query(`{ companies(first: 5, search: "quixotic") { edges { node { name } } } }`)).companies.edges).toEqual([{ node: { name: 'Plain Ltd' } }]);
    expect(await found(a.client, 'quixotic')).toEqual(['Cy']);
  });

  it('the global search ranks and highlights them', async () => {
    const hits = (await a.client.query(`{ search(query: "zanzibar", types: [Customer, Company], first: 5) { type score highlight { field snippet } node { ... on Customer { name } } } }`)).search;
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ type: 'Customer', highlight: { field: 'nickname', snippet: '<b>Zanzibar</b>' }, node: { name: 'Ada' } });
    expect(hits[0].score).toBeGreaterThan(0);
    const typo = (await a.client.query(`{ search(query: "zanzibat", types: [Customer, Company], first: 5) { score highlight { field snippet } node { ... on Customer { name } } } }`)).search;
    expect(typo).toHaveLength(1);
    expect(typo[0]).toMatchObject({ highlight: { field: 'nickname', snippet: 'Zanzibar' }, node: { name: 'Ada' } });
    // Ranked with the rest: the exact word scores above the typo.
    expect(typo[0].score).toBeGreaterThan(0);
    expect(typo[0].score).toBeLessThan(hits[0].score);
  });

  it('a role that hides the field does not find by it', async () => {
    const role = await a.client.query(`mutation ($p: [ObjectPermissionInput!]!) { createRole(input: { name: "No nickname", permissions: $p }) { role { id } } }`, {
      p: [{ object: 'Customer', read: true, hiddenFields: ['nickname'] }],
    });
    const key = (await a.client.query(`mutation ($r: ID!) { createApiKey(input: { name: "rep", roleId: $r }) { secret } }`, { r: role.createRole.role.id })).createApiKey.secret;
    const rep = t.client(key);
    expect(await found(rep, 'zanzibar')).toEqual([]);
    expect(await found(rep, 'zanzibat')).toEqual([]);
    expect(await found(rep, 'marakesh')).toEqual(['Bob']);
    expect(await found(rep, 'timbuktu')).toEqual(['Bob']);
  });

  it("the read engine's search statement reads the custom values index", async () => {
    // Enough customers that scanning them costs more than the indexes: 3,000 with custom values, one rare word.
    await t.database.prisma.$executeRawUnsafe(
      `INSERT INTO "Customer" (id, "workspaceId", name, "customFields", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), $1::uuid, 'Customer ' || i, jsonb_build_object(k.key, 'Regular buyer ' || i), now(), now()
         FROM generate_series(1, 3000) AS i, (SELECT key FROM "CustomFieldDefinition" WHERE "workspaceId" = $1::uuid AND name = 'notes') AS k`,
      a.workspaceId,
    );
    await t.database.prisma.$executeRawUnsafe('ANALYZE "Customer"');
    let result: Record<string, any> = {};
    await t.sql.during(async () => (result = await a.client.query(FIND, { q: 'zanzibar' })));
    expect(result.customers).toEqual({ totalCount: 1, edges: [{ node: { name: 'Ada' } }] });
    const statement = t.sql.withParams.find((s) => s.query.includes('to_tsquery'));
    expect(statement, 'the engine answered in SQL').toBeDefined();
    const plan = (await t.database.prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${statement!.query}`, ...(JSON.parse(statement!.params) as unknown[])))
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(plan, plan).toContain('Bitmap Index Scan on "Customer_custom_search_idx"');
    expect(plan, plan).toContain('Bitmap Index Scan on "Customer_search_idx"');
    expect(plan, plan).toContain('Bitmap Index Scan on "Customer_custom_trigram_idx"');
  });
});
