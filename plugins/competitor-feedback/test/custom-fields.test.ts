// Custom fields on plugin objects (docs/custom-fields.md, docs/plugins/api-reference.md "Custom fields"), through a
// gateway with this plugin and loyalty (the SDK's test kit, PGlite): an ADMIN defines fields on Competitor (a plugin
// object with a generic writer) and LoyaltyReward (one written only by the plugin's own mutation); values go through
// the plugin's mutations, bulk writes, upserts and CSV imports, checked in the command's transaction; they are
// filtered, sorted, aggregated, grouped and exported like core fields; renames, archives and deletes; tenancy, roles,
// and a workspace where the plugin is switched off.
import { loyalty } from '@crm/plugin-loyalty';
import { type PluginTestGateway, startPluginTestGateway, TestClient, type TestWorkspace } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { competitorFeedback } from '../src/index.js';

const DEFINE = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id name object } } }`;
const CREATE = `mutation ($input: CompetitorFields!) { createCompetitor(input: $input) { competitor { id name tier threat code } } }`;
const UPDATE = `mutation ($id: ID!, $input: CompetitorFields!) { updateCompetitor(id: $id, input: $input) { competitor { id tier threat } } }`;
const IMPORT = `mutation ($file: Upload!, $on: String) {
  importRecords(object: COMPETITOR, file: $file, on: $on) { created updated refused errors { line field message } } }`;

let kit: PluginTestGateway;
let a: TestWorkspace;
let b: TestWorkspace;
let member: TestClient;
let readOnly: TestClient;
const fieldIds: Record<string, string> = {};

const define = async (client: TestClient, input: Record<string, unknown>) => (await client.query(DEFINE, { i: input })).defineCustomField.customField;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [competitorFeedback, loyalty] });
  a = kit.workspace;
  b = await kit.createWorkspace('Workspace B');
  member = await kit.issueKey(a.workspaceId, 'MEMBER');
  readOnly = await kit.issueKey(a.workspaceId, 'READ_ONLY');
  for (const input of [
    { name: 'tier', type: 'SELECT', options: [{ value: 'major' }, { value: 'minor' }] },
    { name: 'threat', type: 'NUMBER', min: 0, max: 10, indexed: true },
    { name: 'code', type: 'TEXT', unique: true },
  ]) {
    const field = await define(a.client, { object: 'COMPETITOR', ...input });
    expect(field.object).toBe('COMPETITOR');
    fieldIds[field.name] = field.id;
  }
  // Workspace B has a field of its own on Competitor.
  await define(b.client, { object: 'COMPETITOR', name: 'secretScore', type: 'NUMBER' });
});
afterAll(async () => {
  await kit?.close();
});

describe('the catalog decides which objects take custom fields', () => {
  it('offers core objects and the plugins’ objects that opt in (customFields: true), and no others', async () => {
    const values = (await a.client.query(`{ __type(name: "ExtensibleObject") { enumValues { name } } }`)).__type.enumValues.map((v: { name: string }) => v.name);
    expect(values).toEqual(expect.arrayContaining(['CUSTOMER', 'COMPANY', 'COMPETITOR', 'LOYALTY_REWARD']));
    expect(values).not.toContain('LOYALTY_ACCOUNT');
    expect(values).not.toContain('DEAL');
  });
});

describe('writes through the plugin’s own mutations', () => {
  it('createCompetitor and updateCompetitor take, check and store the values; the event and history carry the change', async () => {
    const created = (await member.query(CREATE, { input: { name: 'Brewtal', customFields: { tier: 'major', threat: 7, code: 'BRW' } } })).createCompetitor.competitor;
    expect(created).toMatchObject({ name: 'Brewtal', tier: 'major', threat: 7, code: 'BRW' });
    const updated = (await member.query(UPDATE, { id: created.id, input: { customFields: { threat: 9 } } })).updateCompetitor.competitor;
    expect(updated).toEqual({ id: created.id, tier: 'major', threat: 9 });

    const event = await kit.lastEvent('competitor.updated', a.workspaceId);
    expect(event.payload).toMatchObject({ changed: ['customFields'] });
    const history = await a.client.query(`query ($id: ID!) { competitor(id: $id) { history(first: 5, types: ["competitor.updated"]) { edges { node { type } } } } }`, { id: created.id });
    expect(history.competitor.history.edges).toEqual([{ node: { type: 'competitor.updated' } }]);
  });

  it('refuses bad values with BAD_USER_INPUT / CONFLICT naming the field, and writes nothing', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ tier: 'giant' }, 'customFields.tier', 'BAD_USER_INPUT'],
      [{ threat: 11 }, 'customFields.threat', 'BAD_USER_INPUT'],
      [{ code: 'BRW' }, 'customFields.code', 'CONFLICT'],
    ];
    for (const [customFields, field, code] of cases) {
      const refused = await member.request(CREATE, { input: { name: `Refused ${field}`, customFields } });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code, field });
    }
    expect((await a.client.query(`{ competitors(filter: { name: { startsWith: "Refused" } }) { totalCount } }`)).competitors.totalCount).toBe(0);
  });

  it('LoyaltyReward: createReward takes the values of its own input (a plugin object without a generic writer)', async () => {
    await define(a.client, { object: 'LOYALTY_REWARD', name: 'season', type: 'SELECT', options: [{ value: 'summer' }, { value: 'winter' }], required: true });
    const CREATE_REWARD = `mutation ($input: CreateRewardInput!) { createReward(input: $input) { reward { id name } } }`;
    await a.client.query(CREATE_REWARD, { input: { name: 'Free espresso', costPoints: 100, customFields: { season: 'summer' } } });
    const missing = await a.client.request(CREATE_REWARD, { input: { name: 'Free latte', costPoints: 150 } });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customFields.season' });
    const listed = await a.client.query(`{ loyaltyRewards(filter: { season: { eq: "summer" } }) { edges { node { name season } } } }`);
    expect(listed.loyaltyRewards.edges).toEqual([{ node: { name: 'Free espresso', season: 'summer' } }]);
  });
});

describe('the generic writes', () => {
  it('bulk creates and updates, upserts and CSV imports check the values like the plugin’s mutation', async () => {
    const created = await member.query(
      `mutation ($inputs: [CompetitorInput!]!) { createCompetitors(inputs: $inputs) { competitors { id name tier threat } } }`,
      { inputs: [{ name: 'Bulk One', customFields: { tier: 'minor', threat: 2 } }, { name: 'Bulk Two', customFields: { threat: 3 } }] },
    );
    const ids = created.createCompetitors.competitors.map((c: { id: string }) => c.id);
    expect(created.createCompetitors.competitors.map(({ id: _id, ...rest }: { id: string }) => rest)).toEqual([
      { name: 'Bulk One', tier: 'minor', threat: 2 },
      { name: 'Bulk Two', tier: null, threat: 3 },
    ]);
    const refused = await member.request(`mutation ($inputs: [CompetitorInput!]!) { createCompetitors(inputs: $inputs) { count } }`, {
      inputs: [{ name: 'Bulk Fine' }, { name: 'Bulk Bad', customFields: { tier: 'giant' } }],
    });
    expect(refused.errors?.[0]?.extensions?.rows).toEqual([expect.objectContaining({ index: 1, field: 'customFields.tier', code: 'BAD_USER_INPUT' })]);
    const patched = await member.query(`mutation ($ids: [ID!]!) { updateCompetitors(where: { ids: $ids }, patch: { customFields: { tier: "major" } }) { competitors { tier threat } } }`, { ids });
    expect(patched.updateCompetitors.competitors).toEqual([{ tier: 'major', threat: 2 }, { tier: 'major', threat: 3 }]);

    const upserted = await member.query(`mutation { upsertCompetitor(input: { name: "bulk one", customFields: { threat: 4 } }, on: NAME) { created competitor { id tier threat } } }`);
    expect(upserted.upsertCompetitor).toEqual({ created: false, competitor: { id: ids[0], tier: 'major', threat: 4 } });

    const csv = 'name,tier,threat\nImported One,minor,5\nImported Bad,giant,1\n';
    const imported = await new TestClient(kit.url, a.apiKey).upload<{ importRecords: Record<string, any> }>(IMPORT, {}, csv, 'competitors.csv');
    expect(imported.data?.importRecords).toMatchObject({ created: 1, refused: 1, errors: [expect.objectContaining({ line: 3, field: 'customFields.tier' })] });
    const one = await a.client.query(`{ competitors(filter: { name: { eq: "Imported One" } }) { edges { node { tier threat } } } }`);
    expect(one.competitors.edges).toEqual([{ node: { tier: 'minor', threat: 5 } }]);
  });
});

describe('reads', () => {
  it('filters, sorts, aggregates and groups on custom fields, in the read engine’s one statement', async () => {
    const LIST = `{ competitors(filter: { threat: { gte: 3 } }, orderBy: [{ field: THREAT, direction: DESC }]) {
      totalCount aggregate { max { threat } } edges { node { name threat } } } }`;
    const statements = await kit.sql.during(async () => {
      const list = (await a.client.query(LIST)).competitors;
      expect(list.edges.map((e: { node: { threat: number } }) => e.node.threat)).toEqual([...list.edges.map((e: { node: { threat: number } }) => e.node.threat)].sort((x, y) => y - x));
      expect(list.edges.every((e: { node: { threat: number } }) => e.node.threat >= 3)).toBe(true);
      expect(list.aggregate.max.threat).toBe(9);
    });
    expect(statements).toHaveLength(1);
    const groups = await a.client.query(`{ competitorsGroupBy(by: [{ field: TIER }]) { key { tier } aggregate { count } } }`);
    expect(groups.competitorsGroupBy).toEqual(
      expect.arrayContaining([{ key: { tier: 'major' }, aggregate: { count: 3 } }, { key: { tier: 'minor' }, aggregate: { count: 1 } }]),
    );
  });

  it('exports custom fields as columns', async () => {
    const response = await fetch(`${kit.url}/export/competitors?fields=name,tier,threat&filter=${encodeURIComponent('{"name":{"eq":"Brewtal"}}')}`, {
      headers: { authorization: `Bearer ${a.apiKey}` },
    });
    expect(response.status).toBe(200);
    expect((await response.text()).trim().split(/\r?\n/)).toEqual(['name,tier,threat', 'Brewtal,major,9']);
  });
});

describe('tenancy, roles and the plugin switch', () => {
  it('workspace B never sees A’s fields (introspection, reads) and cannot write them; A never sees B’s', async () => {
    const fieldsOf = async (client: TestClient) => (await client.query(`{ __type(name: "Competitor") { fields { name } } }`)).__type.fields.map((f: { name: string }) => f.name);
    expect(await fieldsOf(b.client)).not.toContain('tier');
    expect(await fieldsOf(b.client)).toContain('secretScore');
    expect(await fieldsOf(a.client)).not.toContain('secretScore');
    const written = await b.client.request(CREATE, { input: { name: 'Sneaky', customFields: { tier: 'major' } } });
    expect(written.errors?.length).toBeGreaterThan(0);
    expect((await b.client.query(`{ competitors { totalCount } }`)).competitors.totalCount).toBe(0);
    // A's field id means nothing in B.
    const renamed = await b.client.request(`mutation ($id: ID!) { renameCustomField(input: { id: $id, name: "stolen" }) { customField { id } } }`, { id: fieldIds.tier });
    expect(renamed.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('only an ADMIN defines fields on plugin objects', async () => {
    for (const client of [member, readOnly]) {
      const refused = await client.request(DEFINE, { i: { object: 'COMPETITOR', name: 'sneaky', type: 'TEXT' } });
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const write = await readOnly.request(UPDATE, { id: (await a.client.query(`{ competitors(first: 1) { edges { node { id } } } }`)).competitors.edges[0].node.id, input: { customFields: { threat: 1 } } });
    expect(write.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('a custom role hides or freezes a plugin object’s custom field: null on reads, FORBIDDEN naming it on writes', async () => {
    const role = await a.client.query(
      `mutation ($p: [ObjectPermissionInput!]!, $plugin: [String!]) { createRole(input: { name: "Analyst", permissions: $p, pluginPermissions: $plugin }) { role { id } } }`,
      {
        p: [{ object: 'Competitor', read: true, create: true, update: true, hiddenFields: ['code'], readOnlyFields: ['tier'] }],
        plugin: ['competitor-feedback.read', 'competitor-feedback.write'],
      },
    );
    const secret = (await a.client.query(`mutation ($r: ID!) { createApiKey(input: { name: "analyst", roleId: $r }) { secret } }`, { r: role.createRole.role.id })).createApiKey.secret;
    const analyst = new TestClient(kit.url, secret);
    const read = await analyst.query(`{ competitors(filter: { name: { eq: "Brewtal" } }) { edges { node { tier code } } } }`);
    expect(read.competitors.edges).toEqual([{ node: { tier: 'major', code: null } }]);
    const frozen = await analyst.request(CREATE, { input: { name: 'Analysed', customFields: { tier: 'minor' } } });
    expect(frozen.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'customFields.tier' });
    const hidden = await analyst.request(`mutation { createCompetitors(inputs: [{ name: "Analysed", customFields: { code: "ANL" } }]) { count } }`);
    expect(hidden.errors?.[0]?.extensions?.rows).toEqual([expect.objectContaining({ index: 0, field: 'customFields.code', code: 'FORBIDDEN' })]);
  });

  it('a workspace where the plugin is switched off is not offered its objects for definitions', async () => {
    const other = await kit.createWorkspace('Switched off');
    await other.client.query(`mutation { setPluginEnabled(input: { pluginId: "competitor-feedback", enabled: false }) { plugin { enabled } } }`);
    const refused = await other.client.request(DEFINE, { i: { object: 'COMPETITOR', name: 'tier', type: 'TEXT' } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'PLUGIN_DISABLED', plugin: 'competitor-feedback' });
    // Core objects and the other plugins' stay offered there.
    await define(other.client, { object: 'LOYALTY_REWARD', name: 'tier', type: 'TEXT' });
  });
});

describe('the trash', () => {
  it('restoring a competitor whose unique custom value another took meanwhile is CONFLICT naming the field', async () => {
    const first = (await a.client.query(CREATE, { input: { name: 'Trashy', customFields: { code: 'TRS' } } })).createCompetitor.competitor.id;
    await a.client.query(`mutation ($id: ID!) { deleteCompetitor(input: { id: $id }) { deletedCompetitorId } }`, { id: first });
    await a.client.query(CREATE, { input: { name: 'Trashy Two', customFields: { code: 'TRS' } } });
    const restored = await a.client.request(`mutation ($id: ID!) { restoreCompetitor(input: { id: $id }) { competitor { id } } }`, { id: first });
    expect(restored.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'customFields.code' });
  });
});

describe('rename, archive, delete', () => {
  it('a rename keeps the values; an archive hides the field and keeps them; a delete removes them', async () => {
    await a.client.query(`mutation ($id: ID!) { renameCustomField(input: { id: $id, name: "danger" }) { customField { name } } }`, { id: fieldIds.threat });
    const BREWTAL = `{ competitors(filter: { name: { eq: "Brewtal" } }) { edges { node { danger } } } }`;
    expect((await a.client.query(BREWTAL)).competitors.edges).toEqual([{ node: { danger: 9 } }]);

    await a.client.query(`mutation ($id: ID!) { archiveCustomField(input: { id: $id }) { customField { id } } }`, { id: fieldIds.threat });
    expect((await a.client.request(BREWTAL)).errors?.length).toBeGreaterThan(0);
    await a.client.query(`mutation ($id: ID!) { archiveCustomField(input: { id: $id, archived: false }) { customField { id } } }`, { id: fieldIds.threat });
    expect((await a.client.query(BREWTAL)).competitors.edges).toEqual([{ node: { danger: 9 } }]);

    await a.client.query(`mutation ($id: ID!) { deleteCustomField(input: { id: $id }) { deletedId } }`, { id: fieldIds.threat });
    const row = await kit.database.prisma.competitor.findFirst({ where: { workspaceId: a.workspaceId, name: 'Brewtal' }, select: { customFields: true } });
    expect(row?.customFields).toEqual({ tier: 'major', code: 'BRW' });
  });
});
