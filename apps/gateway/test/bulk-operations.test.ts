import { createPluginHost, loadPlugins } from '@crm/plugin-sdk/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWsClient, SubscriptionCollector, startTestGateway, type TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

// Bulk writes and upserts (docs/data.md): createXs / updateXs / deleteXs / upsertX for every declared object with a
// writer, core's and plugins' alike; one transaction per call, every refused row listed, one event per record.

let t: TestGateway;
let admin: TestClient;
let member: TestClient;
let readOnly: TestClient;
let other: TestWorkspace;

type RowError = { index: number; field: string | null; message: string; code: string };

beforeAll(async () => {
  const loaded = await loadPlugins({ bundledOnly: true });
  const host = createPluginHost(loaded.enabled);
  t = await startTestGateway({ plugins: host, migrations: host.migrations });
  admin = t.workspace.client;
  member = await t.issueKey(t.workspace.workspaceId, 'MEMBER');
  readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
  other = await t.createWorkspace('Workspace B');
});
afterAll(async () => {
  await t?.close();
});

const CREATE_CUSTOMERS = `mutation ($inputs: [CustomerInput!]!) { createCustomers(inputs: $inputs) { count customers { id name email lifecycleStage company { name } } } }`;
const UPDATE_CUSTOMERS = `mutation ($where: CustomersWhere!, $patch: CustomerPatch!) { updateCustomers(where: $where, patch: $patch) { count customers { id name lifecycleStage tags } } }`;
const DELETE_CUSTOMERS = `mutation ($where: CustomersWhere!, $reason: String) { deleteCustomers(where: $where, reason: $reason) { count deletedIds } }`;
const UPSERT_CUSTOMER = `mutation ($input: CustomerInput!, $on: CustomerUniqueKey!) { upsertCustomer(input: $input, on: $on) { created customer { id name email phone externalRef } } }`;

async function rowsOf(client: TestClient, query: string, variables: Record<string, unknown>): Promise<RowError[]> {
  const result = await client.request(query, variables);
  expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  return result.errors![0]!.extensions!.rows as RowError[];
}

const countOf = async (client: TestClient, list: string, filter = '{}') => (await client.query(`{ ${list}(filter: ${filter}) { totalCount } }`))[list].totalCount as number;

describe('createXs', () => {
  it('creates every row in one call, references decoded, in the order given', async () => {
    const company = (await admin.query(`mutation { createCompany(input: { name: "Bulk Co", domain: "bulk.test" }) { company { id } } }`)).createCompany.company.id;
    const inputs = Array.from({ length: 25 }, (_, i) => ({ name: `Bulk ${i}`, email: `bulk${i}@bulk.test`, companyId: company, lifecycleStage: i % 2 ? 'LEAD' : 'PROSPECT' }));
    const created = (await member.query(CREATE_CUSTOMERS, { inputs })).createCustomers;
    expect(created.count).toBe(25);
    expect(created.customers.map((c: { name: string }) => c.name)).toEqual(inputs.map((i) => i.name));
    expect(created.customers[3]).toMatchObject({ lifecycleStage: 'LEAD', company: { name: 'Bulk Co' } });
    expect(await countOf(admin, 'customers', '{ email: { endsWith: "@bulk.test" } }')).toBe(25);
  });

  it('all or nothing: every refused row is reported with its index and field, and nothing is written', async () => {
    const before = await countOf(admin, 'customers');
    const rows = await rowsOf(member, CREATE_CUSTOMERS, {
      inputs: [
        { name: 'Fine One', email: 'fine1@rows.test' },
        { name: '', email: 'empty@rows.test' },
        { name: 'Bad Mail', email: 'not-an-email' },
        { name: 'Taken', email: 'bulk0@bulk.test' }, // a unique violation: the database aborts the statement
        { name: 'Fine Two', email: 'fine2@rows.test' },
        { name: 'Twice', email: 'twice@rows.test' },
        { name: 'Twice again', email: 'twice@rows.test' },
        { name: 'No company', companyId: 'Q29tcGFueTpub3BlCg' },
      ],
    });
    expect(rows.map((r) => [r.index, r.field, r.code])).toEqual([
      [1, 'name', 'BAD_USER_INPUT'],
      [2, 'email', 'BAD_USER_INPUT'],
      [3, 'email', 'CONFLICT'],
      [6, 'email', 'CONFLICT'],
      [7, 'companyId', 'BAD_USER_INPUT'],
    ]);
    expect(await countOf(admin, 'customers')).toBe(before);
    expect(await countOf(admin, 'customers', '{ email: { endsWith: "@rows.test" } }')).toBe(0);
  });

  it('refuses more than 1,000 rows and an empty list', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ name: `Too many ${i}` }));
    const result = await member.request(CREATE_CUSTOMERS, { inputs: many });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs' });
    expect(await member.errorCode(CREATE_CUSTOMERS, { inputs: [] })).toBe('BAD_USER_INPUT');
  });

  it('works on every writable core object: companies, products, deals, tasks, tickets, activities', async () => {
    const ada = (await member.query(`mutation { createCustomer(input: { name: "Ada Bulk", email: "ada@objects.test" }) { customer { id } } }`)).createCustomer.customer.id;
    const q = (query: string, variables?: Record<string, unknown>) => member.query(query, variables);
    expect((await q(`mutation { createCompanies(inputs: [{ name: "A Co", domain: "a-co.test" }, { name: "B Co", size: SMALL }]) { count } }`)).createCompanies.count).toBe(2);
    expect((await q(`mutation { createProducts(inputs: [{ sku: "BK-1", name: "One", unitPrice: "1.50" }, { sku: "BK-2", name: "Two", unitPrice: "2.00" }]) { products { sku unitPrice } } }`)).createProducts.products)
      .toEqual([{ sku: 'BK-1', unitPrice: '1.50' }, { sku: 'BK-2', unitPrice: '2.00' }]);
    const deals = await q(`mutation ($c: ID!) { createDeals(inputs: [{ customerId: $c, title: "D1", amount: "10.00", externalRef: "crm-1" }, { customerId: $c, title: "D2" }]) { deals { title externalRef customer { id } } } }`, { c: ada });
    expect(deals.createDeals.deals).toEqual([{ title: 'D1', externalRef: 'crm-1', customer: { id: ada } }, { title: 'D2', externalRef: null, customer: { id: ada } }]);
    expect((await q(`mutation ($c: ID!) { createTasks(inputs: [{ title: "Call", customerId: $c }]) { count } }`, { c: ada })).createTasks.count).toBe(1);
    expect((await q(`mutation ($c: ID!) { createTickets(inputs: [{ subject: "Broken", customerId: $c, priority: HIGH }]) { tickets { priority } } }`, { c: ada })).createTickets.tickets).toEqual([{ priority: 'HIGH' }]);
    expect((await q(`mutation ($c: ID!) { createActivities(inputs: [{ customerId: $c, type: CALL, channel: PHONE, subject: "Hello" }]) { count } }`, { c: ada })).createActivities.count).toBe(1);
  });
});

describe('updateXs and deleteXs', () => {
  it('updates by ids and by filter, with the single command’s rules (stage history, events)', async () => {
    const ids = (await admin.query(`{ customers(first: 100, filter: { email: { endsWith: "@bulk.test" } }) { edges { node { id } } } }`)).customers.edges.map((e: { node: { id: string } }) => e.node.id);
    const byIds = (await member.query(UPDATE_CUSTOMERS, { where: { ids: ids.slice(0, 3) }, patch: { tags: ['vip'] } })).updateCustomers;
    expect(byIds.count).toBe(3);
    expect(byIds.customers.every((c: { tags: string[] }) => c.tags.includes('vip'))).toBe(true);

    const byFilter = (await member.query(UPDATE_CUSTOMERS, { where: { filter: { email: { endsWith: '@bulk.test' }, lifecycleStage: { eq: 'LEAD' } } }, patch: { lifecycleStage: 'CUSTOMER' } })).updateCustomers;
    expect(byFilter.count).toBe(12);
    expect(await countOf(admin, 'customers', '{ email: { endsWith: "@bulk.test" }, lifecycleStage: { eq: CUSTOMER } }')).toBe(12);
    const history = await admin.query(`query ($id: ID!) { customer(id: $id) { stageHistory { fromStage toStage } } }`, { id: byFilter.customers[0].id });
    expect(history.customer.stageHistory.at(-1)).toEqual({ fromStage: 'LEAD', toStage: 'CUSTOMER' });
  });

  it('an update with a bad id or a bad patch changes nothing and names the rows', async () => {
    const ids = (await admin.query(`{ customers(first: 2, filter: { email: { endsWith: "@bulk.test" } }) { edges { node { id } } } }`)).customers.edges.map((e: { node: { id: string } }) => e.node.id);
    const rows = await rowsOf(member, UPDATE_CUSTOMERS, { where: { ids }, patch: { email: 'same@bulk.test' } });
    // Both rows take the same email: the second is refused by the unique index, so neither is written.
    expect(rows).toEqual([expect.objectContaining({ index: 1, field: 'email', code: 'CONFLICT' })]);
    expect(await countOf(admin, 'customers', '{ email: { eq: "same@bulk.test" } }')).toBe(0);
    expect(await member.errorCode(UPDATE_CUSTOMERS, { where: { ids }, patch: {} })).toBe('BAD_USER_INPUT');
    expect(await member.errorCode(UPDATE_CUSTOMERS, { where: { ids, filter: {} }, patch: { name: 'x' } })).toBe('BAD_USER_INPUT');
  });

  it('deletes to the trash (restorable), by filter', async () => {
    await member.query(CREATE_CUSTOMERS, { inputs: [{ name: 'Gone 1', email: 'g1@gone.test' }, { name: 'Gone 2', email: 'g2@gone.test' }] });
    const deleted = (await member.query(DELETE_CUSTOMERS, { where: { filter: { email: { endsWith: '@gone.test' } } }, reason: 'cleanup' })).deleteCustomers;
    expect(deleted.count).toBe(2);
    expect(await countOf(admin, 'customers', '{ email: { endsWith: "@gone.test" } }')).toBe(0);
    const trash = await admin.query(`{ trash(object: CUSTOMER, first: 10) { edges { node { id deleteReason } } } }`);
    expect(trash.trash.edges.filter((e: { node: { id: string } }) => deleted.deletedIds.includes(e.node.id)).map((e: { node: { deleteReason: string } }) => e.node.deleteReason)).toEqual(['cleanup', 'cleanup']);
    await member.query(`mutation ($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id } } }`, { id: deleted.deletedIds[0] });
    expect(await countOf(admin, 'customers', '{ email: { endsWith: "@gone.test" } }')).toBe(1);
  });

  it('a filter matching more than 1,000 records is refused', async () => {
    // The filter is resolved inside the transaction; the refusal names where.filter. (The 1,001 rows are inserted
    // directly: this is about the limit, not about creating them.)
    await t.database.prisma.$executeRawUnsafe(
      `INSERT INTO "Customer" (id, "workspaceId", name, tags, "updatedAt") SELECT gen_random_uuid(), $1::uuid, 'Mass ' || i, ARRAY['mass'], now() FROM generate_series(1, 1001) AS i`,
      t.workspace.workspaceId,
    );
    const result = await member.request(UPDATE_CUSTOMERS, { where: { filter: { tags: { hasAny: ['mass'] } } }, patch: { lifecycleStage: 'LEAD' } });
    expect(result.errors?.[0]?.extensions, JSON.stringify(result.errors)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'where.filter' });
    expect(await countOf(admin, 'customers', '{ tags: { hasAny: ["mass"] }, lifecycleStage: { eq: LEAD } }')).toBe(0);
  });
});

describe('upsertX', () => {
  it('creates, then updates the record with the same key (email normalised, external reference)', async () => {
    const first = (await member.query(UPSERT_CUSTOMER, { input: { name: 'Up Sert', email: 'Up@Sert.test', externalRef: 'ext-1' }, on: 'EMAIL' })).upsertCustomer;
    expect(first.created).toBe(true);
    const again = (await member.query(UPSERT_CUSTOMER, { input: { name: 'Up Sert Jr', email: 'up@sert.test', phone: '+44 20 7946 0000' }, on: 'EMAIL' })).upsertCustomer;
    expect(again).toMatchObject({ created: false, customer: { id: first.customer.id, name: 'Up Sert Jr', externalRef: 'ext-1', phone: '+44 20 7946 0000' } });
    const byRef = (await member.query(UPSERT_CUSTOMER, { input: { name: 'By Ref', externalRef: 'ext-1' }, on: 'EXTERNAL_REF' })).upsertCustomer;
    expect(byRef).toMatchObject({ created: false, customer: { id: first.customer.id, name: 'By Ref', email: 'up@sert.test' } });
    expect(await countOf(admin, 'customers', '{ email: { eq: "up@sert.test" } }')).toBe(1);
  });

  it('refuses a row without the key, and keys that are not declared', async () => {
    const result = await member.request(UPSERT_CUSTOMER, { input: { name: 'Keyless' }, on: 'EMAIL' });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', rows: [{ index: 0, field: 'email' }] });
    expect(await member.errorCode(`mutation { upsertCustomer(input: { name: "x", email: "x@x.test" }, on: NAME) { created } }`)).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('companies by domain, products by SKU, deals by external reference; a key twice in one call updates the first', async () => {
    const companies = await member.query(`mutation { upsertCompanies(inputs: [{ name: "Dom", domain: "DOM.test" }, { name: "Dom renamed", domain: "dom.test" }], on: DOMAIN) { created updated companies { id name } } }`);
    expect(companies.upsertCompanies).toMatchObject({ created: 1, updated: 1 });
    expect(companies.upsertCompanies.companies[0].id).toBe(companies.upsertCompanies.companies[1].id);
    const product = await member.query(`mutation { upsertProduct(input: { sku: "BK-1", name: "One renamed", unitPrice: "3.00" }, on: SKU) { created product { name unitPrice } } }`);
    expect(product.upsertProduct).toEqual({ created: false, product: { name: 'One renamed', unitPrice: '3.00' } });
    const deal = await member.query(`mutation { upsertDeal(input: { title: "D1 again", externalRef: "crm-1" }, on: EXTERNAL_REF) { created deal { title } } }`);
    expect(deal.upsertDeal).toEqual({ created: false, deal: { title: 'D1 again' } });
  });
});

describe('a plugin object (competitor feedback’s Competitor)', () => {
  it('bulk create, upsert on its name key, update, delete', async () => {
    const created = await member.query(`mutation { createCompetitors(inputs: [{ name: "Rival One", website: "https://rival.one" }, { name: "Rival Two", aliases: ["R2"] }]) { count competitors { id name } } }`);
    expect(created.createCompetitors.count).toBe(2);
    const [one, two] = created.createCompetitors.competitors;
    const upserted = await member.query(`mutation { upsertCompetitor(input: { name: "  rival   ONE ", strengths: "cheap" }, on: NAME) { created competitor { id strengths } } }`);
    expect(upserted.upsertCompetitor).toEqual({ created: false, competitor: { id: one.id, strengths: 'cheap' } });
    const rows = await rowsOf(member, `mutation { createCompetitors(inputs: [{ name: "Rival Three" }, { name: "rival two" }, { name: "Bad site", website: "ftp://x" }]) { count } }`, {});
    expect(rows.map((r) => [r.index, r.field, r.code])).toEqual([[1, 'name', 'CONFLICT'], [2, 'website', 'BAD_USER_INPUT']]);
    expect(await countOf(admin, 'competitors')).toBe(2);
    const updated = await member.query(`mutation ($ids: [ID!]) { updateCompetitors(where: { ids: $ids }, patch: { weaknesses: "slow" }) { competitors { weaknesses } } }`, { ids: [one.id, two.id] });
    expect(updated.updateCompetitors.competitors).toEqual([{ weaknesses: 'slow' }, { weaknesses: 'slow' }]);
    const deleted = await member.query(`mutation { deleteCompetitors(where: { filter: { name: { eq: "Rival Two" } } }) { deletedIds } }`);
    expect(deleted.deleteCompetitors.deletedIds).toEqual([two.id]);
    expect(await countOf(admin, 'competitors')).toBe(1);
    const events = await admin.query(`{ events(first: 20, types: ["competitor.created", "competitor.updated", "competitor.trashed"]) { edges { node { type } } } }`);
    const types = events.events.edges.map((e: { node: { type: string } }) => e.node.type).sort();
    expect(types).toEqual(['competitor.created', 'competitor.created', 'competitor.trashed', 'competitor.updated', 'competitor.updated', 'competitor.updated']);
  });
});

describe('events', () => {
  it('one event per record reaches a live subscriber', async () => {
    const client = openWsClient(t.wsUrl, t.workspace.apiKey);
    const sub = new SubscriptionCollector<{ events: { type: string; subject: { id: string } | null } }>(client, `subscription { events(types: ["customer.created", "customer.updated"]) { type subject { id } } }`);
    try {
      // Live once a first event arrives.
      for (let i = 0; !sub.results.length && i < 50; i++) {
        await member.query(`mutation { createCustomer(input: { name: "Marker" }) { customer { id } } }`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const seen = sub.results.length;
      const created = (await member.query(CREATE_CUSTOMERS, { inputs: Array.from({ length: 40 }, (_, i) => ({ name: `Live ${i}` })) })).createCustomers.customers;
      const updated = await member.query(UPDATE_CUSTOMERS, { where: { ids: created.map((c: { id: string }) => c.id) }, patch: { tags: ['live'] } });
      expect(updated.updateCustomers.count).toBe(40);
      const got = (await sub.take(seen + 80, 15_000)).slice(seen);
      expect(got.filter((e) => e.events.type === 'customer.created').map((e) => e.events.subject!.id)).toEqual(created.map((c: { id: string }) => c.id));
      expect(got.filter((e) => e.events.type === 'customer.updated')).toHaveLength(40);
    } finally {
      sub.dispose();
      await client.dispose();
    }
  });
});

describe('tenancy and roles', () => {
  it('a filter-based update or delete never touches another workspace', async () => {
    await other.client.query(CREATE_CUSTOMERS, { inputs: [{ name: 'Theirs 1', email: 't1@tenancy.test' }, { name: 'Theirs 2', email: 't2@tenancy.test' }] });
    const mine = await member.query(UPDATE_CUSTOMERS, { where: { filter: { email: { endsWith: '@tenancy.test' } } }, patch: { name: 'Hijacked' } });
    expect(mine.updateCustomers.count).toBe(0);
    const theirIds = (await other.client.query(`{ customers(first: 10) { edges { node { id name } } } }`)).customers.edges.map((e: { node: { id: string; name: string } }) => e.node);
    expect(theirIds.map((c: { name: string }) => c.name).sort()).toEqual(['Theirs 1', 'Theirs 2']);
    // Their ids, named explicitly, are NOT_FOUND rows here, and upserting their email creates this workspace's own.
    const rows = await rowsOf(member, UPDATE_CUSTOMERS, { where: { ids: theirIds.map((c: { id: string }) => c.id) }, patch: { name: 'Hijacked' } });
    expect(rows.map((r) => r.code)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    const upserted = (await member.query(UPSERT_CUSTOMER, { input: { name: 'Mine', email: 't1@tenancy.test' }, on: 'EMAIL' })).upsertCustomer;
    expect(upserted.created).toBe(true);
    expect((await other.client.query(`{ customers(first: 10, filter: { name: { eq: "Hijacked" } }) { totalCount } }`)).customers.totalCount).toBe(0);
    expect((await other.client.query(`{ customers(first: 10, filter: { email: { eq: "t1@tenancy.test" } }) { edges { node { name } } } }`)).customers.edges).toEqual([{ node: { name: 'Theirs 1' } }]);
  });

  it('READ_ONLY keys cannot bulk-write (core and plugin objects)', async () => {
    expect(await readOnly.errorCode(CREATE_CUSTOMERS, { inputs: [{ name: 'No' }] })).toBe('FORBIDDEN');
    expect(await readOnly.errorCode(UPSERT_CUSTOMER, { input: { name: 'No', email: 'no@ro.test' }, on: 'EMAIL' })).toBe('FORBIDDEN');
    expect(await readOnly.errorCode(DELETE_CUSTOMERS, { where: { filter: {} } })).toBe('FORBIDDEN');
    expect(await readOnly.errorCode(`mutation { createCompetitors(inputs: [{ name: "No" }]) { count } }`)).toBe('FORBIDDEN');
  });
});
