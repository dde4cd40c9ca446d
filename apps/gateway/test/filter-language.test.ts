// The filter language, ordering, aggregates, group-by and search on a hand-built fixture whose answers are known:
// each operator, and/or/not, relation filters both ways (to-one at depth, to-many some/every/none), nulls, ties, and
// the limits that keep a filter's cost bounded. (sql-projection.test.ts holds the engine equal to Pothos.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
let c: TestClient;
const id: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestGateway();
  c = (await t.createWorkspace('Filters')).client;
  const company = async (name: string, industry: string | null) =>
    (await c.query(`mutation ($i: CreateCompanyInput!) { createCompany(input: $i) { company { id } } }`, { i: { name, industry } })).createCompany.company.id;
  id.acme = await company('Acme', 'Retail');
  id.globex = await company('Globex', 'Software');
  id.plain = await company('Plain', null);
  const customer = async (input: Record<string, unknown>) =>
    (await c.query(`mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`, { i: input })).createCustomer.customer.id;
  id.ada = await customer({ name: 'Ada Audit', email: 'ada@acme.test', companyId: id.acme, lifecycleStage: 'LEAD', tags: ['vip', 'north'] });
  id.bob = await customer({ name: 'Bob Brown', email: 'bob@globex.test', companyId: id.globex, lifecycleStage: 'CUSTOMER', tags: ['north'] });
  id.cy = await customer({ name: 'Cy Clark', lifecycleStage: 'PROSPECT' });
  id.di = await customer({ name: 'Di Dane', email: 'di@plain.test', companyId: id.plain, lifecycleStage: 'CUSTOMER', tags: ['vip'] });
  await c.query(`mutation { createProduct(input: { sku: "P", name: "Widget", unitPrice: "10.00" }) { product { id } } }`);
  const order = (customerId: string, quantity: number, orderedAt: string) =>
    c.query(`mutation ($i: RecordOrderInput!) { recordOrder(input: $i) { order { id } } }`, { i: { customerId, orderedAt, lines: [{ sku: 'P', quantity }] } });
  await order(id.ada!, 15, '2026-01-10T10:00:00Z');
  await order(id.ada!, 2, '2026-02-10T10:00:00Z');
  await order(id.bob!, 5, '2026-02-20T10:00:00Z');
  const deal = async (customerId: string, amount: string, title: string) =>
    c.query(`mutation ($i: CreateDealInput!) { createDeal(input: $i) { deal { id } } }`, { i: { customerId, amount, title } });
  // An order makes a lead a customer; Ada goes back to being a lead, to have one.
  await c.query(`mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`, { i: { id: id.ada, lifecycleStage: 'LEAD' } });
  await deal(id.ada!, '5000.00', 'Big');
  await deal(id.bob!, '100.00', 'Small');
});
afterAll(async () => {
  await t?.close();
});

/** The names of the customers a filter (and order) selects. */
async function names(filter: unknown, orderBy: unknown = [{ field: 'NAME', direction: 'ASC' }]): Promise<string[]> {
  const result = await c.query(`query ($f: CustomerFilter, $o: [CustomerOrderBy!]) { customers(filter: $f, orderBy: $o) { totalCount edges { node { name } } } }`, { f: filter, o: orderBy });
  const list = result.customers.edges.map((e: { node: { name: string } }) => e.node.name);
  expect(result.customers.totalCount).toBe(list.length);
  return list;
}

describe('the filter language', () => {
  it('compares fields: equality keeps empty values out, except neq and notIn which keep them', async () => {
    expect(await names({ email: { eq: 'ada@acme.test' } })).toEqual(['Ada Audit']);
    expect(await names({ email: { neq: 'ada@acme.test' } })).toEqual(['Bob Brown', 'Cy Clark', 'Di Dane']);
    expect(await names({ email: { in: ['ada@acme.test', 'di@plain.test'] } })).toEqual(['Ada Audit', 'Di Dane']);
    expect(await names({ email: { notIn: ['ada@acme.test'] } })).toEqual(['Bob Brown', 'Cy Clark', 'Di Dane']);
    expect(await names({ email: { isNull: true } })).toEqual(['Cy Clark']);
    expect(await names({ lifecycleStage: { in: ['LEAD', 'PROSPECT'] } })).toEqual(['Ada Audit', 'Cy Clark']);
    // One value in a list. Under `npm start` PGlite's adapter sent a one-value array parameter as a bare string and the
    // statement failed; this suite's gateway did not reproduce it (checked by hand against `npm start`).
    expect(await names({ lifecycleStage: { in: ['PROSPECT'] }, tags: { hasAny: [] } })).toEqual([]);
    expect(await names({ lifecycleStage: { in: ['PROSPECT'] } })).toEqual(['Cy Clark']);
    const one = await c.query(`{ customers(filter: { lifecycleStage: { in: [PROSPECT] } }) { aggregate { count } } }`);
    expect(one.customers.aggregate.count).toBe(1);
    expect(await names({ lifetimeValue: { gte: '50' } })).toEqual(['Ada Audit', 'Bob Brown']);
    expect(await names({ lifetimeValue: { gt: '50', lt: '1000' } })).toEqual(['Ada Audit']);
    expect(await names({ orderCount: { lte: 0 } })).toEqual(['Cy Clark', 'Di Dane']);
    expect(await names({ createdAt: { lastNDays: 1 } })).toHaveLength(4);
    expect(await names({ createdAt: { nextNDays: 1 } })).toEqual([]);
    expect(await names({ lastOrderAt: { gte: '2026-02-01', lt: '2026-03-01' } })).toEqual(['Ada Audit', 'Bob Brown']);
  });

  it('matches text case-insensitively, with % and _ as plain characters', async () => {
    expect(await names({ name: { contains: 'AU' } })).toEqual(['Ada Audit']);
    expect(await names({ name: { startsWith: 'b' } })).toEqual(['Bob Brown']);
    expect(await names({ name: { endsWith: 'ANE' } })).toEqual(['Di Dane']);
    expect(await names({ name: { contains: '%' } })).toEqual([]);
    expect(await names({ email: { contains: '_' } })).toEqual([]);
  });

  it('lists: has, hasAny, hasAll, isEmpty', async () => {
    expect(await names({ tags: { has: 'vip' } })).toEqual(['Ada Audit', 'Di Dane']);
    expect(await names({ tags: { hasAny: ['north', 'south'] } })).toEqual(['Ada Audit', 'Bob Brown']);
    expect(await names({ tags: { hasAll: ['vip', 'north'] } })).toEqual(['Ada Audit']);
    expect(await names({ tags: { isEmpty: true } })).toEqual(['Cy Clark']);
  });

  it('and, or, not', async () => {
    expect(await names({ or: [{ lifecycleStage: { eq: 'LEAD' } }, { tags: { has: 'vip' } }] })).toEqual(['Ada Audit', 'Di Dane']);
    expect(await names({ not: { lifecycleStage: { eq: 'CUSTOMER' } } })).toEqual(['Ada Audit', 'Cy Clark']);
    expect(await names({ and: [{ tags: { has: 'north' } }, { not: { or: [{ name: { startsWith: 'A' } }, { name: { startsWith: 'C' } }] } }] })).toEqual(['Bob Brown']);
    expect(await names({ or: [] })).toEqual([]);
    expect(await names({ and: [] })).toHaveLength(4);
  });

  it('relations: to-one at any depth (the related row must exist), to-many with some, every, none', async () => {
    expect(await names({ company: { industry: { eq: 'Retail' } } })).toEqual(['Ada Audit']);
    expect(await names({ company: { industry: { isNull: true } } })).toEqual(['Di Dane']);
    expect(await names({ companyId: { isNull: true } })).toEqual(['Cy Clark']);
    expect(await names({ orders: { some: { total: { gt: '100' } } } })).toEqual(['Ada Audit']);
    expect(await names({ orders: { every: { total: { gt: '30' } } } })).toEqual(['Bob Brown', 'Cy Clark', 'Di Dane']);
    expect(await names({ orders: { none: {} } })).toEqual(['Cy Clark', 'Di Dane']);
    expect(await names({ deals: { some: { amount: { gte: '1000' } } } })).toEqual(['Ada Audit']);
    const companies = await c.query(`{ companies(filter: { customers: { some: { lifecycleStage: { eq: LEAD } } } }) { edges { node { name } } } }`);
    expect(companies.companies.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['Acme']);
    const deals = await c.query(`{ deals(filter: { customer: { company: { industry: { eq: "Retail" } } } }) { edges { node { title } } } }`);
    expect(deals.deals.edges.map((e: { node: { title: string } }) => e.node.title)).toEqual(['Big']);
  });

  it('membership of a saved segment', async () => {
    const segment = (await c.query(`mutation { createSegment(input: { name: "North", filter: { tags: { has: "north" } } }) { segment { id } } }`)).createSegment.segment.id;
    expect(await names({ inSegment: segment })).toEqual(['Ada Audit', 'Bob Brown']);
    expect(await names({ not: { inSegment: segment } })).toEqual(['Cy Clark', 'Di Dane']);
    const nested = await c.request(`mutation ($s: ID!) { createSegment(input: { name: "Nested", filter: { inSegment: $s } }) { segment { id } } }`, { s: segment });
    expect(nested.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter' });
  });

  it('orders by own and related fields with nulls where asked and a stable tie-break', async () => {
    expect(await names({}, [{ field: 'COMPANY_NAME', direction: 'ASC' }])).toEqual(['Ada Audit', 'Bob Brown', 'Di Dane', 'Cy Clark']);
    expect(await names({}, [{ field: 'COMPANY_INDUSTRY', direction: 'ASC', nulls: 'FIRST' }])).toEqual(['Cy Clark', 'Di Dane', 'Ada Audit', 'Bob Brown']);
    expect(await names({}, [{ field: 'LIFECYCLE_STAGE', direction: 'DESC' }, { field: 'NAME', direction: 'DESC' }])).toEqual(['Di Dane', 'Bob Brown', 'Ada Audit', 'Cy Clark']);
    // Ties (two CUSTOMERs) are broken by the row id, the same on every page.
    const walk: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 4; i++) {
      const page: { customers: { pageInfo: { endCursor: string }; edges: { node: { name: string } }[] } } = await c.query(
        `query ($a: String) { customers(first: 1, after: $a, orderBy: [{ field: LIFECYCLE_STAGE, direction: ASC }]) { pageInfo { endCursor } edges { node { name } } } }`,
        { a: after },
      );
      walk.push(page.customers.edges[0]!.node.name);
      after = page.customers.pageInfo.endCursor;
    }
    expect(new Set(walk).size).toBe(4);
  });
});

describe('aggregates and group-by', () => {
  it('aggregate over the filtered set, on root lists and nested connections', async () => {
    const result = await c.query(`{
      customers(first: 1, filter: { orderCount: { gte: 1 } }) {
        totalCount
        aggregate { count countDistinct(field: COMPANY_ID) sum { lifetimeValue orderCount } avg { lifetimeValue } min { lifetimeValue lastOrderAt } max { lifetimeValue } }
      }
      all: customers { edges { node { name orders { aggregate { count sum { total } } } } } }
    }`);
    expect(result.customers.totalCount).toBe(2);
    expect(result.customers.aggregate).toEqual({
      count: 2,
      countDistinct: 2,
      sum: { lifetimeValue: '220.00', orderCount: 3 },
      avg: { lifetimeValue: '110.00' },
      min: { lifetimeValue: '50.00', lastOrderAt: '2026-02-10T10:00:00.000Z' },
      max: { lifetimeValue: '170.00' },
    });
    const perCustomer = Object.fromEntries(result.all.edges.map((e: { node: { name: string; orders: { aggregate: unknown } } }) => [e.node.name, e.node.orders.aggregate]));
    expect(perCustomer).toEqual({
      'Ada Audit': { count: 2, sum: { total: '170.00' } },
      'Bob Brown': { count: 1, sum: { total: '50.00' } },
      'Cy Clark': { count: 0, sum: { total: null } },
      'Di Dane': { count: 0, sum: { total: null } },
    });
  });

  it('groups by fields and truncated dates, ordered and limited', async () => {
    const result = await c.query(`{
      byStage: customersGroupBy(by: [{ field: LIFECYCLE_STAGE }]) { key { lifecycleStage } aggregate { count sum { lifetimeValue } } }
      byMonth: ordersGroupBy(by: [{ field: ORDERED_AT, truncate: MONTH }], orderBy: [{ field: SUM_TOTAL, direction: DESC }]) { key { orderedAt } aggregate { count sum { total } } }
      top: customersGroupBy(by: [{ field: COMPANY_ID }, { field: LIFECYCLE_STAGE }], orderBy: [{ field: COUNT, direction: DESC }], first: 1, filter: { tags: { has: "vip" } }) { key { companyId lifecycleStage } aggregate { count } }
    }`);
    expect(result.byStage).toEqual([
      { key: { lifecycleStage: 'PROSPECT' }, aggregate: { count: 1, sum: { lifetimeValue: '0.00' } } },
      { key: { lifecycleStage: 'LEAD' }, aggregate: { count: 1, sum: { lifetimeValue: '170.00' } } },
      { key: { lifecycleStage: 'CUSTOMER' }, aggregate: { count: 2, sum: { lifetimeValue: '50.00' } } },
    ]);
    expect(result.byMonth).toEqual([
      { key: { orderedAt: '2026-01-01T00:00:00.000Z' }, aggregate: { count: 1, sum: { total: '150.00' } } },
      { key: { orderedAt: '2026-02-01T00:00:00.000Z' }, aggregate: { count: 2, sum: { total: '70.00' } } },
    ]);
    expect(result.top).toHaveLength(1);
    expect([id.acme, id.plain]).toContain(result.top[0].key.companyId);
  });
});

describe('search', () => {
  it('finds words in any order, prefixes, stems and typos; the global search ranks hits across types', async () => {
    const search = async (q: string) => (await c.query(`query ($q: String) { customers(search: $q) { edges { node { name } } } }`, { q })).customers.edges.map((e: { node: { name: string } }) => e.node.name);
    expect(await search('Ada Audit')).toEqual(['Ada Audit']);
    expect(await search('Audit Ada')).toEqual(['Ada Audit']);
    expect(await search('aud')).toEqual(['Ada Audit']);
    expect(await search('audits')).toEqual(['Ada Audit']);
    expect(await search('Clarke')).toEqual(['Cy Clark']);
    expect(await search('%')).toEqual([]);
    const hits = await c.query(`{ search(query: "acme") { type score highlight { field snippet } node { id ... on Company { name } ... on Customer { name } } } }`);
    expect(hits.search.map((h: { type: string }) => h.type).sort()).toEqual(['Company', 'Customer']);
    const company = hits.search.find((h: { type: string }) => h.type === 'Company');
    expect(company.node).toEqual({ id: id.acme, name: 'Acme' });
    expect(company.highlight).toEqual({ field: 'name', snippet: '<b>Acme</b>' });
    const onlyDeals = await c.query(`{ search(query: "big", types: [Deal]) { type node { ... on Deal { title } } } }`);
    expect(onlyDeals.search).toEqual([{ type: 'Deal', node: { title: 'Big' } }]);
  });
});

describe('bad input is a coded client error naming the path', () => {
  const code = async (query: string, variables: Record<string, unknown> = {}) => (await c.request(query, variables)).errors?.[0]?.extensions;

  it('depth, size, values', async () => {
    let deep: Record<string, unknown> = { name: { eq: 'x' } };
    for (let i = 0; i < 6; i++) deep = { not: deep };
    expect(await code(`query ($f: CustomerFilter) { customers(filter: $f) { totalCount } }`, { f: deep })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.not.not.not.not.not' });
    const wide = { or: Array.from({ length: 51 }, (_, i) => ({ name: { eq: `n${i}` } })) };
    expect(await code(`query ($f: CustomerFilter) { customers(filter: $f) { totalCount } }`, { f: wide })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.or.50.name.eq' });
    expect(await code(`{ customers(filter: { or: [{ name: { eq: "a" } }, { company: { annualWallet: { gte: "1.234" } } }] }) { totalCount } }`)).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'filter.or.1.company.annualWallet.gte',
    });
    expect(await code(`{ customers(filter: { companyId: { eq: "bad" } }) { totalCount } }`)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.companyId.eq' });
    // A NUL character is refused by the input guard before the filter is parsed (apps/gateway/src/input-values.ts).
    expect(await code(`{ customers(filter: { name: { contains: "a\\u0000" } }) { totalCount } }`)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await code(`{ customers(filter: { createdAt: { lastNDays: -1 } }) { totalCount } }`)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.createdAt.lastNDays' });
  });

  it('group-by limits', async () => {
    expect(await code(`{ customersGroupBy(by: [{ field: LIFECYCLE_STAGE }, { field: SOURCE }, { field: COMPANY_ID }, { field: OWNER_ID }]) { aggregate { count } } }`)).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'by',
    });
    expect(await code(`{ customersGroupBy(by: [{ field: LIFECYCLE_STAGE }], first: 1001) { aggregate { count } } }`)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(await code(`{ customersGroupBy(by: [{ field: LIFECYCLE_STAGE, truncate: MONTH }]) { aggregate { count } } }`)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'by.0.truncate' });
    expect(await code(`{ customersGroupBy(by: [{ field: LIFECYCLE_STAGE }], orderBy: [{ field: KEY_SOURCE }]) { aggregate { count } } }`)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'orderBy.0.field' });
  });
});
