// Search over a plugin object's custom text fields (docs/custom-fields.md, "Search"), as over customers': words and
// prefixes, and typos in the A-weight (text, email) values, ranked with the declared fields. Indexed by the plugin's
// own migrations (`competitor_custom_values_search`, loyalty's `reward_custom_values_search`, which index the declared
// document too): the statement's plan reads them. A role that hides the field never finds by it; another workspace's values are never found.
import { loyalty } from '@crm/plugin-loyalty';
import { type PluginTestGateway, startPluginTestGateway, type TestClient, type TestWorkspace } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { competitorFeedback } from '../src/index.js';

const DEFINE = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const CREATE = `mutation ($input: CompetitorFields!) { createCompetitor(input: $input) { competitor { id } } }`;
const FIND = `query ($q: String!) { competitors(first: 10, search: $q) { totalCount edges { node { name } } } }`;

let kit: PluginTestGateway;
let a: TestWorkspace;
let b: TestWorkspace;

const found = async (client: TestClient, q: string) =>
  (await client.query(FIND, { q })).competitors.edges.map((e: { node: { name: string } }) => e.node.name).sort();

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [competitorFeedback, loyalty] });
  a = kit.workspace;
  b = await kit.createWorkspace('Workspace B');
  for (const [name, type] of [['nickname', 'TEXT'], ['notes', 'LONG_TEXT']] as const) {
    await a.client.query(DEFINE, { i: { object: 'COMPETITOR', name, type } });
  }
  await b.client.query(DEFINE, { i: { object: 'COMPETITOR', name: 'nickname', type: 'TEXT' } });
  await a.client.query(CREATE, { input: { name: 'Brewtal', customFields: { nickname: 'Zanzibar roasters', notes: 'Seen at the Timbuktu fair' } } });
  await a.client.query(CREATE, { input: { name: 'Plain Beans' } });
  await b.client.query(CREATE, { input: { name: 'Other Brew', customFields: { nickname: 'Zanzibar' } } });
});
afterAll(async () => {
  await kit?.close();
});

describe("search over a plugin object's custom text fields", () => {
  it('finds by words, prefixes and typos of text values, in the caller workspace only', async () => {
    expect(await found(a.client, 'zanzib')).toEqual(['Brewtal']);
    expect(await found(a.client, 'timbuktu')).toEqual(['Brewtal']);
    expect(await found(a.client, 'zanzibat')).toEqual(['Brewtal']);
    expect(await found(b.client, 'zanzibat')).toEqual(['Other Brew']);
    expect(await found(a.client, 'roaster')).toEqual(['Brewtal']);
  });

  it('the global search ranks and highlights a typo with the rest', async () => {
    const hits = (await a.client.query(`{ search(query: "zanzibat", types: [Competitor], first: 5) { score highlight { field snippet } node { ... on Competitor { name } } } }`)).search;
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ highlight: { field: 'nickname', snippet: 'Zanzibar roasters' }, node: { name: 'Brewtal' } });
    expect(hits[0].score).toBeGreaterThan(0);
  });

  it('a role that hides the field does not find by it, typos included', async () => {
    const role = await a.client.query(`mutation ($p: [ObjectPermissionInput!]!) { createRole(input: { name: "No nickname", permissions: $p }) { role { id } } }`, {
      p: [{ object: 'Competitor', read: true, hiddenFields: ['nickname'] }],
    });
    const key = (await a.client.query(`mutation ($r: ID!) { createApiKey(input: { name: "rep", roleId: $r }) { secret } }`, { r: role.createRole.role.id })).createApiKey.secret;
    const rep = kit.client(key);
    expect(await found(rep, 'zanzibar')).toEqual([]);
    expect(await found(rep, 'zanzibat')).toEqual([]);
    expect(await found(rep, 'timbuktu')).toEqual(['Brewtal']);
  });

  it("the read engine's search statement reads the plugin's custom values indexes", async () => {
    // Enough competitors that scanning them costs more than the indexes.
    await kit.database.prisma.$executeRawUnsafe(
      `INSERT INTO "Competitor" (id, "workspaceId", name, "nameKey", "customFields", "updatedAt")
       SELECT gen_random_uuid(), $1::uuid, 'Competitor ' || i, 'competitor ' || i, jsonb_build_object(k.key, 'Regular roaster ' || i), now()
         FROM generate_series(1, 3000) AS i, (SELECT key FROM "CustomFieldDefinition" WHERE "workspaceId" = $1::uuid AND name = 'notes') AS k`,
      a.workspaceId,
    );
    await kit.database.prisma.$executeRawUnsafe('ANALYZE "Competitor"');
    let result: Record<string, any> = {};
    await kit.sql.during(async () => (result = await a.client.query(FIND, { q: 'zanzibat' })));
    expect(result.competitors).toEqual({ totalCount: 1, edges: [{ node: { name: 'Brewtal' } }] });
    const statement = kit.sql.withParams.find((s) => s.query.includes('to_tsquery'));
    expect(statement, 'the engine answered in SQL').toBeDefined();
    const plan = (await kit.database.prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${statement!.query}`, ...(JSON.parse(statement!.params) as unknown[])))
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(plan, plan).toContain('Bitmap Index Scan on "Competitor_custom_search_idx"');
    expect(plan, plan).toContain('Bitmap Index Scan on "Competitor_custom_trigram_idx"');
    // Loyalty's migration indexes its rewards the same way.
    const indexes = await kit.database.prisma.$queryRawUnsafe<{ indexname: string }[]>(`SELECT indexname FROM pg_indexes WHERE tablename = 'LoyaltyReward' AND indexname LIKE '%custom%' ORDER BY 1`);
    expect(indexes.map((i) => i.indexname)).toEqual(['LoyaltyReward_custom_search_idx', 'LoyaltyReward_custom_trigram_idx']);
    expect(plan, plan).toContain('Bitmap Index Scan on "Competitor_search_idx"');
  });
});
