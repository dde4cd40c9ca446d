// Custom fields over HTTP (docs/custom-fields.md): an ADMIN defines typed fields at run time; the workspace's own
// schema has them as real fields, written through the create/update inputs (validated), read, filtered, sorted,
// aggregated and grouped by the read engine; renamed, archived and deleted; never seen by another workspace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWsClient, startTestGateway, SubscriptionCollector, type TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

let t: TestGateway;
let a: TestWorkspace;
let b: TestWorkspace;

beforeAll(async () => {
  t = await startTestGateway();
  a = t.workspace;
  b = await t.createWorkspace('Workspace B');
});
afterAll(async () => {
  await t?.close();
});

const DEFINE = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id name label type options { value label color } required unique indexed position } } }`;
const CREATE = `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id name } } }`;
const UPDATE = `mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`;

async function define(client: TestClient, input: Record<string, unknown>) {
  return (await client.query(DEFINE, { i: { object: 'CUSTOMER', ...input } })).defineCustomField.customField as { id: string; name: string };
}

async function errorOf(client: TestClient, query: string, variables?: Record<string, unknown>) {
  const result = await client.request(query, variables);
  expect(result.errors?.length, JSON.stringify(result)).toBeTruthy();
  const error = result.errors![0]!;
  return { code: error.extensions?.code, field: error.extensions?.field, message: error.message };
}

describe('custom fields', () => {
  const ids: Record<string, string> = {};
  let tierId: string;

  it('an ADMIN defines fields of every kind; the schema has them as typed fields at once', async () => {
    await define(a.client, { name: 'contractEnd', label: 'Contract end', type: 'DATE', indexed: true });
    tierId = (await define(a.client, {
      name: 'tier',
      type: 'SELECT',
      options: [
        { value: 'gold', label: 'Gold', color: '#eab308' },
        { value: 'silver', label: 'Silver' },
        { value: 'bronze' },
      ],
    })).id;
    await define(a.client, { name: 'seats', type: 'NUMBER', min: 0, max: 100000 });
    await define(a.client, { name: 'contractValue', type: 'MONEY', currency: 'EUR' });
    await define(a.client, { name: 'vip', type: 'BOOLEAN', defaultValue: false });
    await define(a.client, { name: 'interests', type: 'MULTI_SELECT', options: [{ value: 'golf' }, { value: 'wine' }, { value: 'sailing' }] });
    await define(a.client, { name: 'membershipNo', type: 'TEXT', unique: true });
    await define(a.client, { name: 'renewedAt', type: 'DATE_TIME' });
    await define(a.client, { name: 'happiness', type: 'RATING' });
    const listed = (await a.client.query(`{ customFields(object: CUSTOMER) { name type position options { value label color } } }`)).customFields;
    expect(listed.map((f: { name: string }) => f.name)).toEqual(['contractEnd', 'tier', 'seats', 'contractValue', 'vip', 'interests', 'membershipNo', 'renewedAt', 'happiness']);
    expect(listed[1].options).toEqual([
      { value: 'gold', label: 'Gold', color: '#eab308' },
      { value: 'silver', label: 'Silver', color: null },
      { value: 'bronze', label: 'bronze', color: null },
    ]);
    const type = (await a.client.query(`{ __type(name: "Customer") { fields { name type { kind name ofType { name } } } } }`)).__type;
    const typeOf = (name: string) => type.fields.find((f: { name: string }) => f.name === name)?.type;
    expect(typeOf('contractEnd')).toEqual({ kind: 'SCALAR', name: 'Date', ofType: null });
    expect(typeOf('contractValue')).toEqual({ kind: 'SCALAR', name: 'Decimal', ofType: null });
    expect(typeOf('renewedAt')).toEqual({ kind: 'SCALAR', name: 'DateTime', ofType: null });
    expect(typeOf('happiness')).toEqual({ kind: 'SCALAR', name: 'Int', ofType: null });
    expect(typeOf('interests')).toMatchObject({ kind: 'NON_NULL' });
  });

  it('writes values through createCustomer and updateCustomer, typed and validated', async () => {
    const rows = [
      { name: 'Ada', customFields: { contractEnd: '2027-03-31', tier: 'gold', seats: 120, contractValue: '1500.5', interests: ['wine', 'golf'], membershipNo: 'M-1', renewedAt: '2026-01-02T10:00:00+01:00', happiness: 5 } },
      { name: 'Bob', customFields: { contractEnd: '2026-12-31', tier: 'silver', seats: 8, contractValue: '200', vip: true, membershipNo: 'M-2', happiness: 3 } },
      { name: 'Cy', customFields: { contractEnd: '2027-01-15', tier: 'gold', seats: 40, contractValue: '99.99', interests: ['sailing'] } },
      { name: 'Di', customFields: {} },
    ];
    for (const row of rows) ids[row.name] = (await a.client.query(CREATE, { i: row })).createCustomer.customer.id;
    await a.client.query(UPDATE, { i: { id: ids.Di, customFields: { tier: 'bronze', seats: 1 } } });
    const read = (await a.client.query(`{ customers(first: 10, orderBy: [{ field: NAME }]) { edges { node { name contractEnd tier seats contractValue vip interests membershipNo renewedAt happiness } } } }`)).customers.edges.map((e: { node: unknown }) => e.node);
    expect(read).toEqual([
      { name: 'Ada', contractEnd: '2027-03-31', tier: 'gold', seats: 120, contractValue: '1500.50', vip: false, interests: ['golf', 'wine'], membershipNo: 'M-1', renewedAt: '2026-01-02T09:00:00.000Z', happiness: 5 },
      { name: 'Bob', contractEnd: '2026-12-31', tier: 'silver', seats: 8, contractValue: '200.00', vip: true, interests: [], membershipNo: 'M-2', renewedAt: null, happiness: 3 },
      { name: 'Cy', contractEnd: '2027-01-15', tier: 'gold', seats: 40, contractValue: '99.99', vip: false, interests: ['sailing'], membershipNo: null, renewedAt: null, happiness: null },
      { name: 'Di', contractEnd: null, tier: 'bronze', seats: 1, contractValue: null, vip: false, interests: [], membershipNo: null, renewedAt: null, happiness: null },
    ]);
    // The by-id field and node read the same values.
    const one = (await a.client.query(`query ($id: ID!) { customer(id: $id) { tier contractEnd } node(id: $id) { ... on Customer { seats } } }`, { id: ids.Ada }));
    expect(one).toEqual({ customer: { tier: 'gold', contractEnd: '2027-03-31' }, node: { seats: 120 } });
  });

  it('refuses bad values naming the field: wrong type, unknown option, out of range, duplicate unique', async () => {
    expect(await errorOf(a.client, CREATE, { i: { name: 'X', customFields: { tier: 'platinum' } } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customFields.tier' });
    expect(await errorOf(a.client, CREATE, { i: { name: 'X', customFields: { interests: ['golf', 'chess'] } } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customFields.interests.1' });
    expect(await errorOf(a.client, CREATE, { i: { name: 'X', customFields: { seats: -1 } } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customFields.seats' });
    expect(await errorOf(a.client, CREATE, { i: { name: 'X', customFields: { happiness: 6 } } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customFields.happiness' });
    expect(await errorOf(a.client, CREATE, { i: { name: 'X', customFields: { contractValue: '1.234' } } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customFields.contractValue' });
    // GraphQL's own types: a Date that does not exist, a number for a Date.
    expect((await errorOf(a.client, CREATE, { i: { name: 'X', customFields: { contractEnd: '2027-02-30' } } })).code).toBe('BAD_USER_INPUT');
    expect((await errorOf(a.client, CREATE, { i: { name: 'X', customFields: { contractEnd: 5 } } })).code).toBe('BAD_USER_INPUT');
    expect(await errorOf(a.client, CREATE, { i: { name: 'X', customFields: { membershipNo: 'M-1' } } })).toMatchObject({ code: 'CONFLICT', field: 'customFields.membershipNo' });
    expect(await errorOf(a.client, UPDATE, { i: { id: ids.Bob, customFields: { membershipNo: 'M-1' } } })).toMatchObject({ code: 'CONFLICT', field: 'customFields.membershipNo' });
    // Nothing of the refused writes was kept.
    expect((await a.client.query(`{ customers(first: 1) { totalCount } }`)).customers.totalCount).toBe(4);
  });

  it('a required field is required on create and cannot be cleared', async () => {
    const field = await define(a.client, { name: 'region', type: 'TEXT', required: true, defaultValue: 'EMEA' });
    const created = (await a.client.query(`mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id region } } }`, { i: { name: 'Eve' } })).createCustomer.customer;
    expect(created.region).toBe('EMEA');
    expect(await errorOf(a.client, UPDATE, { i: { id: created.id, customFields: { region: null } } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customFields.region' });
    await a.client.query(`mutation ($i: DeleteCustomFieldInput!) { deleteCustomField(input: $i) { deletedId } }`, { i: { id: field.id } });
    await a.client.query(`mutation ($i: DeleteCustomerInput!) { deleteCustomer(input: $i) { deletedCustomerId } }`, { i: { id: created.id } });
  });

  it('filters, sorts, aggregates and groups on custom fields', async () => {
    const names = async (filter: unknown, orderBy?: unknown) =>
      (await a.client.query(`query ($f: CustomerFilter, $o: [CustomerOrderBy!]) { customers(first: 10, filter: $f, orderBy: $o) { edges { node { name } } } }`, { f: filter, o: orderBy })).customers.edges.map(
        (e: { node: { name: string } }) => e.node.name,
      );
    expect(await names({ tier: { eq: 'gold' } }, [{ field: 'NAME' }])).toEqual(['Ada', 'Cy']);
    expect(await names({ contractEnd: { lt: '2027-02-01' } }, [{ field: 'CONTRACT_END', direction: 'ASC' }])).toEqual(['Bob', 'Cy']);
    expect(await names({ seats: { gte: 40 } }, [{ field: 'SEATS', direction: 'DESC' }])).toEqual(['Ada', 'Cy']);
    expect(await names({ contractValue: { gt: '150' } }, [{ field: 'CONTRACT_VALUE' }])).toEqual(['Bob', 'Ada']);
    expect(await names({ interests: { has: 'golf' } })).toEqual(['Ada']);
    expect(await names({ interests: { hasAny: ['sailing', 'wine'] } }, [{ field: 'NAME' }])).toEqual(['Ada', 'Cy']);
    expect(await names({ vip: { eq: true } })).toEqual(['Bob']);
    expect(await names({ contractEnd: { isNull: true } })).toEqual(['Di']);
    expect(await names({ tier: { neq: 'gold' } }, [{ field: 'NAME' }])).toEqual(['Bob', 'Di']);
    expect(await names({ membershipNo: { startsWith: 'm-' } }, [{ field: 'NAME' }])).toEqual(['Ada', 'Bob']);
    expect(await names({ renewedAt: { gte: '2026-01-01T00:00:00Z' } })).toEqual(['Ada']);
    // Empty values last ascending (PostgreSQL's default), ties broken by id.
    expect(await names(undefined, [{ field: 'CONTRACT_END', direction: 'ASC' }])).toEqual(['Bob', 'Cy', 'Ada', 'Di']);
    expect(await names(undefined, [{ field: 'HAPPINESS', direction: 'DESC', nulls: 'LAST' }, { field: 'NAME' }])).toEqual(['Ada', 'Bob', 'Cy', 'Di']);

    const aggregate = (await a.client.query(`{ customers(first: 1) { aggregate { count sum { seats contractValue } avg { seats } min { contractEnd contractValue } max { contractEnd renewedAt happiness } countDistinct(field: TIER) } } }`)).customers.aggregate;
    expect(aggregate).toEqual({
      count: 4,
      sum: { seats: 169, contractValue: '1800.49' },
      avg: { seats: 42.25 },
      min: { contractEnd: '2026-12-31', contractValue: '99.99' },
      max: { contractEnd: '2027-03-31', renewedAt: '2026-01-02T09:00:00.000Z', happiness: 5 },
      countDistinct: 3,
    });
    const groups = (await a.client.query(`{ customersGroupBy(by: [{ field: TIER }], orderBy: [{ field: COUNT, direction: DESC }]) { key { tier } aggregate { count sum { seats } } } }`)).customersGroupBy;
    expect(groups).toEqual([
      { key: { tier: 'gold' }, aggregate: { count: 2, sum: { seats: 160 } } },
      { key: { tier: 'bronze' }, aggregate: { count: 1, sum: { seats: 1 } } },
      { key: { tier: 'silver' }, aggregate: { count: 1, sum: { seats: 8 } } },
    ]);
  });

  it('checks names: GraphQL rules, reserved words, built-in, computed and plugin fields, sort keys', async () => {
    const refused = async (name: string) => errorOf(a.client, DEFINE, { i: { object: 'CUSTOMER', name, type: 'TEXT' } });
    for (const name of ['Contract', '2fast', 'contract-end', 'a'.repeat(51), '__typename']) expect(await refused(name)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    // Reserved, built-in columns, relations, computed fields, another custom field, a sort key of a relation.
    for (const name of ['id', 'customFields', 'email', 'company', 'analytics', 'history', 'tier', 'companyName']) {
      expect(await refused(name), name).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    }
    // Rules of a definition: options only on selects, currency on money, unique only where it means something.
    expect(await errorOf(a.client, DEFINE, { i: { object: 'CUSTOMER', name: 'kind', type: 'SELECT' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'options' });
    expect(await errorOf(a.client, DEFINE, { i: { object: 'CUSTOMER', name: 'budget', type: 'MONEY' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currency' });
    expect(await errorOf(a.client, DEFINE, { i: { object: 'CUSTOMER', name: 'flag', type: 'BOOLEAN', unique: true } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'unique' });
    expect(await errorOf(a.client, DEFINE, { i: { object: 'CUSTOMER', name: 'size', type: 'SELECT', options: [{ value: 'S' }], defaultValue: 'XL' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'defaultValue' });
    expect(await errorOf(a.client, DEFINE, { i: { object: 'CUSTOMER', name: 'hue', type: 'SELECT', options: [{ value: 'red', color: 'red' }] } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'options.0.color' });
  });

  it('workspace B never sees A’s fields, not even in introspection or the schema file, and cannot write them', async () => {
    const type = (await b.client.query(`{ __type(name: "Customer") { fields { name } } }`)).__type;
    expect(type.fields.map((f: { name: string }) => f.name)).not.toContain('tier');
    expect((await b.client.query(`{ __type(name: "CustomerCustomFieldsInput") { name } }`)).__type).toBeNull();
    expect((await b.client.request(`{ customers(first: 1) { edges { node { tier } } } }`)).errors?.[0]?.message).toMatch(/Cannot query field "tier"/);
    expect((await errorOf(b.client, CREATE, { i: { name: 'Z', customFields: { tier: 'gold' } } })).code).toBe('BAD_USER_INPUT');
    expect((await b.client.query(`{ customFields { name } }`)).customFields).toEqual([]);
    // Nor can B change A's definitions by id.
    expect((await errorOf(b.client, `mutation ($i: ArchiveCustomFieldInput!) { archiveCustomField(input: $i) { customField { id } } }`, { i: { id: tierId } })).code).toBe('NOT_FOUND');
    // Without a key: the base schema, and no schema file.
    expect((await t.client().request(`{ __type(name: "Customer") { fields { name } } }`)).data?.__type?.fields?.some((f: { name: string }) => f.name === 'tier') ?? false).toBe(false);
    expect((await fetch(`${t.url}/schema.graphql`)).status).toBe(401);
    const sdlOf = async (key: string) => (await fetch(`${t.url}/schema.graphql`, { headers: { authorization: `Bearer ${key}` } })).text();
    expect(await sdlOf(a.apiKey)).toMatch(/\n  contractEnd: Date\n/);
    expect(await sdlOf(b.apiKey)).not.toMatch(/\n  contractEnd: Date\n/);
    // B defines the very same field: its own definition, its own values.
    await define(b.client, { name: 'tier', type: 'SELECT', options: [{ value: 'gold', label: 'Gold', color: '#eab308' }, { value: 'silver', label: 'Silver' }, { value: 'bronze' }] });
    await b.client.query(CREATE, { i: { name: 'Zed', customFields: { tier: 'silver' } } });
    const counts = async (client: TestClient) => (await client.query(`{ customers(first: 1, filter: { tier: { in: ["gold", "silver"] } }) { totalCount aggregate { countDistinct(field: TIER) } } }`)).customers;
    expect(await counts(b.client)).toEqual({ totalCount: 1, aggregate: { countDistinct: 1 } });
    expect(await counts(a.client)).toEqual({ totalCount: 3, aggregate: { countDistinct: 2 } });
  });

  it('only an ADMIN key defines, renames, archives or deletes; every key lists them', async () => {
    const member = await t.issueKey(a.workspaceId, 'MEMBER');
    const readOnly = await t.issueKey(a.workspaceId, 'READ_ONLY');
    expect((await errorOf(member, DEFINE, { i: { object: 'CUSTOMER', name: 'nope', type: 'TEXT' } })).code).toBe('FORBIDDEN');
    expect((await errorOf(readOnly, DEFINE, { i: { object: 'CUSTOMER', name: 'nope', type: 'TEXT' } })).code).toBe('FORBIDDEN');
    expect((await errorOf(member, `mutation ($i: DeleteCustomFieldInput!) { deleteCustomField(input: $i) { deletedId } }`, { i: { id: tierId } })).code).toBe('FORBIDDEN');
    expect((await readOnly.query(`{ customFields(object: CUSTOMER) { name } }`)).customFields.length).toBeGreaterThan(3);
    // A READ_ONLY key reads the values, and cannot write them.
    expect((await readOnly.query(`{ customers(first: 1, orderBy: [{ field: NAME }]) { edges { node { tier } } } }`)).customers.edges[0].node.tier).toBe('gold');
    expect((await errorOf(readOnly, UPDATE, { i: { id: ids.Ada, customFields: { tier: 'silver' } } })).code).toBe('FORBIDDEN');
  });

  it('renames a field: the schema follows, the values stay, metadata.changed is recorded', async () => {
    const RENAME = `mutation ($i: RenameCustomFieldInput!) { renameCustomField(input: $i) { customField { name label } } }`;
    expect((await a.client.query(RENAME, { i: { id: tierId, name: 'level', label: 'Level' } })).renameCustomField.customField).toEqual({ name: 'level', label: 'Level' });
    const read = await a.client.query(`{ customers(first: 1, filter: { level: { eq: "gold" } }, orderBy: [{ field: NAME }]) { totalCount edges { node { name level } } } }`);
    expect(read.customers).toEqual({ totalCount: 2, edges: [{ node: { name: 'Ada', level: 'gold' } }] });
    expect((await a.client.request(`{ customers(first: 1) { edges { node { tier } } } }`)).errors?.[0]?.message).toMatch(/Cannot query field "tier"/);
    expect(await errorOf(a.client, RENAME, { i: { id: tierId, name: 'seats' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const events = (await a.client.query(`{ events(first: 20, types: ["metadata.changed"]) { edges { node { type payload } } } }`)).events.edges;
    expect(events[0].node).toEqual({ type: 'metadata.changed', payload: { object: 'Customer', field: 'level', change: 'renamed' } });
  });

  it('archives a field (gone from the schema, values kept) and restores it', async () => {
    const ARCHIVE = `mutation ($i: ArchiveCustomFieldInput!) { archiveCustomField(input: $i) { customField { name } } }`;
    await a.client.query(ARCHIVE, { i: { id: tierId } });
    expect((await a.client.request(`{ customers(first: 1) { edges { node { level } } } }`)).errors?.[0]?.message).toMatch(/Cannot query field "level"/);
    expect((await a.client.query(`{ customFields(object: CUSTOMER) { name } }`)).customFields.map((f: { name: string }) => f.name)).not.toContain('level');
    // While archived, writes cannot name it.
    expect((await errorOf(a.client, UPDATE, { i: { id: ids.Ada, customFields: { level: 'silver' } } })).code).toBe('BAD_USER_INPUT');
    await a.client.query(ARCHIVE, { i: { id: tierId, archived: false } });
    expect((await a.client.query(`{ customers(first: 1, filter: { level: { eq: "gold" } }) { totalCount } }`)).customers.totalCount).toBe(2);
  });

  it('deletes a field and its values; the name can be used again, starting empty', async () => {
    const DELETE = `mutation ($i: DeleteCustomFieldInput!) { deleteCustomField(input: $i) { deletedId usedBy } }`;
    expect((await a.client.query(DELETE, { i: { id: tierId } })).deleteCustomField).toEqual({ deletedId: tierId, usedBy: [] });
    expect((await a.client.request(`{ customers(first: 1) { edges { node { level } } } }`)).errors?.[0]?.message).toMatch(/Cannot query field "level"/);
    await define(a.client, { name: 'level', type: 'TEXT' });
    expect((await a.client.query(`{ customers(first: 1, filter: { level: { isNull: false } }) { totalCount } }`)).customers.totalCount).toBe(0);
    const rows = await t.database.prisma.customer.findMany({ where: { workspaceId: a.workspaceId }, select: { customFields: true } });
    expect(rows.some((r) => 'tier' in (r.customFields as object))).toBe(false);
  });

  it('companies take custom fields the same way; the order import gives new customers the defaults', async () => {
    await a.client.query(DEFINE, { i: { object: 'COMPANY', name: 'accountTier', type: 'SELECT', options: [{ value: 'key' }, { value: 'standard' }], defaultValue: 'standard' } });
    const CREATE_COMPANY = `mutation ($i: CreateCompanyInput!) { createCompany(input: $i) { company { id accountTier } } }`;
    const key = (await a.client.query(CREATE_COMPANY, { i: { name: 'Key Co', customFields: { accountTier: 'key' } } })).createCompany.company;
    expect(key.accountTier).toBe('key');
    expect((await a.client.query(CREATE_COMPANY, { i: { name: 'Plain Co' } })).createCompany.company.accountTier).toBe('standard');
    expect(await errorOf(a.client, `mutation ($i: UpdateCompanyInput!) { updateCompany(input: $i) { company { id } } }`, { i: { id: key.id, customFields: { accountTier: 'gold' } } })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'customFields.accountTier',
    });
    expect((await a.client.query(`{ companies(first: 5, filter: { accountTier: { eq: "key" } }) { edges { node { name } } } }`)).companies.edges).toEqual([{ node: { name: 'Key Co' } }]);
    // A customer's filter reaches its company's custom field too.
    expect((await a.client.query(`{ customers(first: 5, filter: { company: { accountTier: { eq: "key" } } }) { totalCount } }`)).customers.totalCount).toBe(0);

    await a.client.query(`mutation ($i: ImportOrdersInput!) { importOrders(input: $i) { imported } }`, { i: { csv: 'customer,orderedAt,total\nnew.buyer@example.com,2026-05-01,10' } });
    const imported = (await a.client.query(`{ customers(first: 1, filter: { email: { eq: "new.buyer@example.com" } }) { edges { node { vip happiness } } } }`)).customers.edges;
    expect(imported).toEqual([{ node: { vip: false, happiness: null } }]);
  });

  it('a live subscription keeps running across a definition change; a new one on the same socket sees the new field', async () => {
    const socket = openWsClient(t.wsUrl, a.apiKey);
    try {
      const created = await t.subscribed(() => new SubscriptionCollector<{ events: { type: string } }>(socket, `subscription { events(types: ["customer.created"]) { type } }`));
      await define(a.client, { name: 'nickname', type: 'TEXT' });
      const withField = await t.subscribed(
        () =>
          new SubscriptionCollector<{ events: { subject: { nickname: string } } }>(socket, `subscription { events(types: ["customer.created"]) { subject { ... on Customer { nickname } } } }`),
      );
      await a.client.query(CREATE, { i: { name: 'Live', customFields: { nickname: 'Lively' } } });
      expect((await created.take(1))[0]!.events.type).toBe('customer.created');
      expect((await withField.take(1))[0]!.events.subject).toEqual({ nickname: 'Lively' });
    } finally {
      await socket.dispose();
    }
  });

  it('an operation with a computed field reads, filters and sorts custom values (the engine defers only the computed field)', async () => {
    // `analytics` is computed: its resolver runs on the rows of the engine's one statement (per-field fallback).
    const read = await a.client.query(`{ customers(first: 1, orderBy: [{ field: NAME }]) { edges { node { name seats contractEnd analytics { profit } } } } }`);
    expect(read.customers.edges[0].node).toMatchObject({ name: 'Ada', seats: 120, contractEnd: '2027-03-31' });
    const filtered = await a.client.query(`{ customers(first: 1, filter: { seats: { gte: 1 } }, orderBy: [{ field: NAME }]) { edges { node { name analytics { profit } } } } }`);
    expect(filtered.customers.edges[0].node.name).toBe('Ada');
  });
});
