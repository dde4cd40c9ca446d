// The SQL projection must answer exactly as Pothos does: every query here runs through both paths (two gateways on
// one database, one with the projection off) and the responses must be identical, byte for byte.
import { seedWorkspace } from '@crm/core';
import { catalogOf } from '@crm/graph';
import { getNamedType, type GraphQLObjectType, isLeafType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { customerListQuery, isReadEngineStatement, startTestGateway, TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

let t: TestGateway;
let plain: Gateway;
let plainUrl: string;
let other: TestWorkspace;

beforeAll(async () => {
  // No background refits of the lifetime-value model: their statements would land in the counted windows.
  // No rate limit: the walks below send hundreds of requests a second on a fast machine (rate-limit.test.ts tests it).
  t = await startTestGateway({ clvRefresh: false, rateLimit: { perMinute: 0 } });
  await seedWorkspace(t.database.prisma, t.workspace.workspaceId, { customers: 120, seed: 1, asOf: new Date('2026-11-01T00:00:00Z') });
  other = await t.createWorkspace('Workspace B');
  await seedWorkspace(t.database.prisma, other.workspaceId, { customers: 30, seed: 2, asOf: new Date('2026-11-01T00:00:00Z') });
  plain = createGateway({ database: t.database, logger: createLogger('error'), sqlProjection: false, clvRefresh: false, rateLimit: { perMinute: 0 } });
  plainUrl = await plain.listen(0);
});
afterAll(async () => {
  await plain?.close(1000);
  await t?.close();
});

/** Runs `query` through both paths; returns the projected response and whether the projection answered it. */
async function both(query: string, variables: Record<string, unknown> = {}, apiKey = t.workspace.apiKey, exactOrder = true) {
  const projected = new TestClient(t.url, apiKey);
  const reference = new TestClient(plainUrl, apiKey);
  await projected.request('{ viewer { role } }'); // the key is verified (and cached) outside the measured request
  // The recorder sees every statement of the process: a background round (outbox relay, webhook or plugin queue)
  // can land in the window when a loaded machine stretches it. The request's own count is the fewest of three tries.
  let statements = await t.sql.during(() => projected.request(query, variables));
  for (let attempt = 1; attempt < 3 && statements.length > 1; attempt++) {
    const again = await t.sql.during(() => projected.request(query, variables));
    if (again.length < statements.length) statements = again;
  }
  const [fast, slow] = await Promise.all([projected.request(query, variables), reference.request(query, variables)]);
  // Same data; key order too, except where graphql-jit (the normal path) departs from the spec's CollectFields
  // order with fragments on interfaces (the projection follows the spec): `exactOrder: false` there.
  expect(fast).toEqual(slow);
  if (exactOrder) expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
  const engine = statements.some(isReadEngineStatement);
  const rowForm = statements.some((sql) => sql.startsWith('SELECT h."switchedOff", h.head'));
  return { response: fast, projected: statements.length === 1 && engine, engine, rowForm };
}

type PageInfo = { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
type Page = { pageInfo: PageInfo; edges: { node: { id: string } }[] };

/** The ids of a list walked page by page through its cursors: forwards (`first`/`after`) and backwards (`last`/`before`). */
async function walk(page: (variables: Record<string, unknown>) => Promise<Page>, size: number): Promise<{ forwards: string[]; backwards: string[] }> {
  const forwards: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 30; i++) {
    const next = await page({ first: size, after });
    forwards.push(...next.edges.map((e) => e.node.id));
    if (!next.pageInfo.hasNextPage) break;
    after = next.pageInfo.endCursor;
  }
  const backwards: string[] = [];
  let before: string | null = null;
  for (let i = 0; i < 30; i++) {
    const previous = await page({ last: size, before });
    backwards.unshift(...previous.edges.map((e) => e.node.id));
    if (!previous.pageInfo.hasPreviousPage) break;
    before = previous.pageInfo.startCursor;
  }
  return { forwards, backwards };
}

const everyField = /* GraphQL */ `
  query Everything($first: Int) {
    customers(first: $first, orderBy: [{ field: NAME, direction: ASC }]) {
      __typename totalCount
      pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        __typename cursor
        node {
          __typename id name email phone lifecycleStage stageChangedAt churnReason source tags externalRef attributes
          annualWallet lifetimeValue orderCount firstOrderAt lastOrderAt createdAt updatedAt
          company { id name domain industry size annualWallet createdAt owner { id name email role active } }
          owner { id name }
          stageHistory { fromStage toStage reason actor changedAt }
          activities(first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id type channel direction subject body occurredAt } } }
          orders(first: 2) { totalCount edges { node { id orderedAt total currency } } }
          tickets(first: 2) { totalCount edges { node { id subject status priority } } }
          tasks(first: 2) { totalCount }
          surveyResponses(first: 2) { edges { node { id kind score } } }
          campaignResponses(first: 2) { edges { node { id kind } } }
        }
      }
    }
  }
`;

describe('the SQL projection answers the customer list exactly as Pothos does', () => {
  it('the benchmark page, at page sizes 10 and 50, in one statement', async () => {
    for (const first of [10, 50]) {
      const { response, projected, rowForm } = await both(customerListQuery, { first });
      expect(projected && rowForm).toBe(true);
      expect(response.data!.customers.edges).toHaveLength(first);
      expect(response.data!.customers.totalCount).toBe(120);
    }
  });

  it('every projectable field of a customer and its relations', async () => {
    const { response, projected } = await both(everyField, { first: 40 });
    expect(projected).toBe(true);
    const nodes = response.data!.customers.edges.map((e: { node: Record<string, unknown> }) => e.node);
    // The data set exercises what the comparison should cover: nulls, money, lists, nested pages.
    expect(nodes.some((n: { company: unknown }) => n.company === null)).toBe(true);
    expect(nodes.some((n: { company: unknown }) => n.company !== null)).toBe(true);
    expect(nodes.some((n: { orders: { totalCount: number } }) => n.orders.totalCount > 2)).toBe(true);
    expect(nodes.some((n: { lastOrderAt: unknown }) => n.lastOrderAt === null)).toBe(true);
  });

  it('filters, search and every sort order', async () => {
    const page = await both(customerListQuery, { first: 100 });
    const someone = page.response.data!.customers.edges.find((e: { node: { company: unknown } }) => e.node.company).node;
    const query = /* GraphQL */ `
      query Filtered($filter: CustomerFilter, $orderBy: [CustomerOrderBy!], $search: String) {
        customers(first: 100, filter: $filter, orderBy: $orderBy, search: $search) {
          totalCount edges { cursor node { id name lifecycleStage lifetimeValue lastOrderAt tags source } }
        }
      }
    `;
    const owner = page.response.data!.customers.edges.find((e: { node: { owner: unknown } }) => e.node.owner).node.owner.id;
    const cases: Record<string, unknown>[] = [
      { filter: { lifecycleStage: { in: ['CUSTOMER', 'ADVOCATE'] } } },
      { filter: { lifecycleStage: { notIn: ['CUSTOMER'] }, source: { neq: 'WEB' } } },
      { filter: { companyId: { eq: someone.company.id } } },
      { filter: { ownerId: { eq: owner } } },
      { filter: { ownerId: { isNull: true } } },
      { filter: { tags: { has: someone.tags[0] ?? 'vip' } } },
      { filter: { tags: { hasAny: ['vip', 'newsletter', 'b2b'] } } },
      { filter: { tags: { hasAll: ['vip', 'newsletter'] } } },
      { filter: { tags: { isEmpty: true } } },
      { filter: { source: { in: ['WEB', 'PHONE'] } } },
      { filter: { createdAt: { gte: '2025-06-01', lt: '2026-06-01T00:00:00Z' } } },
      { filter: { lifetimeValue: { gte: '100', lte: '2000.50' } } },
      { filter: { lastOrderAt: { gte: '2026-01-01' } } },
      { filter: { lastOrderAt: { lastNDays: 400 } } },
      { filter: { name: { contains: 'AN' } } },
      { filter: { name: { startsWith: 'a' }, email: { endsWith: '.test' } } },
      { filter: { name: { contains: '%' } } },
      { filter: { email: { isNull: false }, phone: { isNull: true } } },
      { filter: { or: [{ lifecycleStage: { eq: 'LEAD' } }, { lifetimeValue: { gt: '500' } }] } },
      { filter: { not: { lifecycleStage: { eq: 'CUSTOMER' } } } },
      { filter: { and: [{ not: { or: [{ source: { eq: 'WEB' } }, { tags: { has: 'vip' } }] } }, { orderCount: { gte: 1 } }] } },
      { filter: { company: { industry: { isNull: false } } } },
      { filter: { company: { name: { contains: someone.company.name.slice(0, 3) }, owner: { name: { contains: 'a' } } } } },
      { filter: { orders: { some: { total: { gt: '100' } } } } },
      { filter: { orders: { every: { total: { gt: '20' } } } } },
      { filter: { orders: { none: {} } } },
      { filter: { activities: { some: { channel: { eq: 'EMAIL' } } }, tickets: { none: { status: { eq: 'OPEN' } } } } },
      { filter: { score: { rfmSegment: { in: ['CHAMPIONS', 'LOYAL'] } } } },
      { filter: { companyId: null, tags: null } },
      { search: 'an' },
      { search: someone.company.name.slice(0, 4) },
      { search: someone.name.split(' ').reverse().join(' ') },
      { search: '100%' },
      { search: '   ' },
      { orderBy: [{ field: 'NAME', direction: 'DESC' }] },
      { orderBy: [{ field: 'LIFETIME_VALUE', direction: 'DESC' }, { field: 'NAME', direction: 'ASC' }] },
      { orderBy: [{ field: 'LAST_ORDER_AT', direction: 'DESC' }] },
      { orderBy: [{ field: 'LAST_ORDER_AT', direction: 'ASC', nulls: 'FIRST' }] },
      { orderBy: [{ field: 'COMPANY_NAME', direction: 'ASC' }] },
      { orderBy: [{ field: 'OWNER_NAME', direction: 'DESC', nulls: 'LAST' }, { field: 'NAME', direction: 'ASC' }] },
      { orderBy: [{ field: 'UPDATED_AT', direction: 'ASC' }], filter: { lifecycleStage: { eq: 'LEAD' } }, search: 'e' },
    ];
    for (const variables of cases) {
      const { response, projected } = await both(query, variables).catch((error: Error) => {
        throw new Error(`${JSON.stringify(variables)}: ${error.message.slice(0, 400)}`);
      });
      expect(projected, JSON.stringify(variables)).toBe(true);
      expect(response.errors).toBeUndefined();
    }
  });

  it('walks every page after cursors, whatever the order', async () => {
    const query = /* GraphQL */ `
      query Walk($after: String, $orderBy: [CustomerOrderBy!]) {
        customers(first: 7, after: $after, orderBy: $orderBy) {
          totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id lifetimeValue } }
        }
      }
    `;
    for (const orderBy of [[{ field: 'LIFETIME_VALUE', direction: 'DESC' }], [{ field: 'CREATED_AT', direction: 'ASC' }], []]) {
      let after: string | null = null;
      const seen = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const { response, projected } = await both(query, { after, orderBy });
        expect(projected).toBe(true);
        const connection = response.data!.customers;
        for (const edge of connection.edges) seen.add(edge.node.id);
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
      }
      expect(seen.size).toBe(120);
    }
  });

  it('walks every page of a nullable sort, with ties and nulls first or last, in the order of one whole page', async () => {
    // Prisma's cursor (the resolvers' path) drops rows past a cursor on a nullable sort; the engine pages through them
    // (`afterCursor`), so its pages are checked against Pothos' answer without a cursor: the first 100 in one page.
    const query = /* GraphQL */ `
      query Walk($first: Int!, $after: String, $orderBy: [CustomerOrderBy!]) {
        customers(first: $first, after: $after, orderBy: $orderBy) {
          totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id email lastOrderAt company { name } } }
        }
      }
    `;
    const orders = [
      [{ field: 'COMPANY_NAME', direction: 'ASC', nulls: 'FIRST' }],
      [{ field: 'COMPANY_NAME', direction: 'DESC', nulls: 'LAST' }],
      [{ field: 'COMPANY_NAME', direction: 'ASC' }],
      [{ field: 'COMPANY_NAME', direction: 'DESC' }],
      [{ field: 'LAST_ORDER_AT', direction: 'DESC', nulls: 'LAST' }],
      [{ field: 'LAST_ORDER_AT', direction: 'ASC', nulls: 'FIRST' }, { field: 'COMPANY_NAME', direction: 'DESC', nulls: 'FIRST' }],
    ];
    const client = new TestClient(t.url, t.workspace.apiKey);
    for (const orderBy of orders) {
      const whole = await both(query, { first: 100, orderBy });
      const wholeIds = whole.response.data!.customers.edges.map((e: { node: { id: string } }) => e.node.id);
      let after: string | null = null;
      const walked: string[] = [];
      const companies = new Set<string | null>();
      for (let i = 0; i < 30; i++) {
        let connection: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { id: string; company: { name: string } | null } }[] } | undefined;
        const statements = await t.sql.during(async () => {
          connection = (await client.query(query, { first: 7, after, orderBy })).customers;
        });
        expect(statements.filter(isReadEngineStatement), JSON.stringify({ orderBy, after })).toHaveLength(1);
        for (const edge of connection!.edges) {
          walked.push(edge.node.id);
          companies.add(edge.node.company?.name ?? null);
        }
        if (!connection!.pageInfo.hasNextPage) break;
        after = connection!.pageInfo.endCursor;
      }
      // Every customer once, in the order of the whole page: the ties (customers of one company) and the nulls (no
      // company, no order yet) split across pages.
      expect(walked.slice(0, 100), JSON.stringify(orderBy)).toEqual(wholeIds);
      expect(new Set(walked).size).toBe(120);
      expect(walked).toHaveLength(120);
      expect(companies.has(null) && companies.size < 60).toBe(true);
    }
  });

  it('the resolvers walk every page of a nullable sort too, forwards and backwards, root lists and nested connections', async () => {
    // The path of the paging the engine leaves to the resolvers. Prisma's `cursor` did not keep NULLs where the order
    // puts them: walking COMPANY_NAME ASC NULLS FIRST backwards found 66 of 120.
    const query = /* GraphQL */ `
      query Walk($first: Int, $after: String, $last: Int, $before: String, $orderBy: [CustomerOrderBy!]) {
        customers(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id } }
        }
      }
    `;
    const orders = [
      [{ field: 'COMPANY_NAME', direction: 'ASC', nulls: 'FIRST' }],
      [{ field: 'COMPANY_NAME', direction: 'DESC' }],
      [{ field: 'LAST_ORDER_AT', direction: 'DESC', nulls: 'LAST' }],
      [{ field: 'LAST_ORDER_AT', direction: 'ASC', nulls: 'FIRST' }, { field: 'COMPANY_NAME', direction: 'DESC', nulls: 'FIRST' }],
    ];
    const reference = new TestClient(plainUrl, t.workspace.apiKey);
    for (const orderBy of orders) {
      // The first and the last 100 in one page each (no cursor): what the walks must agree with.
      const head = ((await reference.query(query, { first: 100, orderBy })).customers as Page).edges.map((e) => e.node.id);
      const tail = ((await reference.query(query, { last: 100, orderBy })).customers as Page).edges.map((e) => e.node.id);
      const { forwards, backwards } = await walk(async (variables) => (await reference.query(query, { ...variables, orderBy })).customers as Page, 7);
      expect(forwards.slice(0, 100), JSON.stringify(orderBy)).toEqual(head);
      expect(forwards.slice(-100), JSON.stringify(orderBy)).toEqual(tail);
      expect(new Set(forwards).size).toBe(120);
      expect(forwards).toHaveLength(120);
      expect(backwards, JSON.stringify(orderBy)).toEqual(forwards);
    }
    // A nested connection paged by its cursor (left to Pothos' relatedConnection, Prisma's cursor): the company whose
    // customers have an order date and no order date alike, 2 at a time, both ways, against its whole list.
    const companies = (await reference.query(`{ companies(first: 100) { edges { node { id customers(first: 30) { edges { node { lastOrderAt } } } } } } }`)).companies as {
      edges: { node: { id: string; customers: { edges: { node: { lastOrderAt: string | null } }[] } } }[];
    };
    const mixed = companies.edges
      .map((e) => ({ id: e.node.id, dates: e.node.customers.edges.map((c) => c.node.lastOrderAt) }))
      .filter((c) => c.dates.length > 4 && c.dates.some((d) => d === null) && c.dates.some((d) => d !== null))
      .sort((a, b) => b.dates.length - a.dates.length)[0]!;
    expect(mixed).toBeDefined();
    const nested = /* GraphQL */ `
      query Nested($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $orderBy: [CustomerOrderBy!]) {
        company(id: $id) { customers(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id lastOrderAt } }
        } }
      }
    `;
    for (const orderBy of [[{ field: 'LAST_ORDER_AT', direction: 'DESC', nulls: 'LAST' }], [{ field: 'LAST_ORDER_AT', direction: 'ASC', nulls: 'FIRST' }], [{ field: 'LAST_ORDER_AT', direction: 'ASC' }]]) {
      const nestedPage = async (variables: Record<string, unknown>) => ((await reference.query(nested, { id: mixed.id, ...variables, orderBy })).company as { customers: Page }).customers;
      const whole = (await nestedPage({ first: 100 })).edges.map((e) => e.node.id);
      const { forwards, backwards } = await walk(nestedPage, 2);
      expect(forwards, JSON.stringify(orderBy)).toEqual(whole);
      expect(backwards, JSON.stringify(orderBy)).toEqual(whole);
    }
  });

  it('walks every page of a list counted under a relation filter (its matches found once, as a CTE)', async () => {
    const query = /* GraphQL */ `
      query Walk($after: String, $orderBy: [CustomerOrderBy!], $filter: CustomerFilter) {
        customers(first: 7, after: $after, orderBy: $orderBy, filter: $filter) {
          totalCount aggregate { count } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { id name company { name industry } } }
        }
      }
    `;
    const filters = [
      { company: { industry: { isNull: false } }, orders: { some: { total: { gt: '100' } } } },
      { or: [{ orders: { none: {} } }, { lifecycleStage: { eq: 'LEAD' } }] },
    ];
    const client = new TestClient(t.url, t.workspace.apiKey);
    for (const filter of filters) {
      const statements = await t.sql.during(() => client.request(query, { filter }));
      expect(statements.some((sql) => sql.includes(' AS MATERIALIZED (SELECT '))).toBe(true);
      for (const orderBy of [[{ field: 'LIFETIME_VALUE', direction: 'DESC' }], [{ field: 'CREATED_AT', direction: 'ASC' }], []]) {
        let after: string | null = null;
        const seen = new Set<string>();
        let totalCount = -1;
        for (let i = 0; i < 30; i++) {
          const { response, projected } = await both(query, { after, orderBy, filter });
          expect(projected, JSON.stringify({ filter, orderBy, after })).toBe(true);
          const connection = response.data!.customers;
          totalCount = connection.totalCount;
          expect(connection.aggregate.count).toBe(totalCount);
          for (const edge of connection.edges) seen.add(edge.node.id);
          if (!connection.pageInfo.hasNextPage) break;
          after = connection.pageInfo.endCursor;
        }
        expect(totalCount).toBeGreaterThan(7);
        expect(seen.size).toBe(totalCount);
      }
    }
  });

  it('aliases, fragments, directives and __typename', async () => {
    const query = /* GraphQL */ `
      query Shapes($withCompany: Boolean!, $skipOrders: Boolean!) {
        __typename
        leads: customers(first: 5, filter: { lifecycleStage: { eq: LEAD } }) { ...Page }
        top: customers(first: 3, orderBy: [{ field: LIFETIME_VALUE, direction: DESC }]) {
          count: totalCount
          edges { node { ... on Customer { who: name ...Person } ... on Node { id } } }
        }
      }
      fragment Page on QueryCustomersConnection { totalCount edges { node { ...Person } } }
      fragment Person on Customer {
        name
        company @include(if: $withCompany) { name }
        orders(first: 1) @skip(if: $skipOrders) { edges { node { total } } }
        email @skip(if: true)
      }
    `;
    for (const variables of [{ withCompany: true, skipOrders: false }, { withCompany: false, skipOrders: true }]) {
      const { projected } = await both(query, variables, t.workspace.apiKey, false);
      expect(projected).toBe(true);
    }
    // A page's cursors come from the first `edges` selected (its row ids ride along), from the rows alone without
    // `edges`, and a second `edges` is its own list; on a root list and a nested connection, full, partial and empty.
    const pages = /* GraphQL */ `
      query Pages($first: Int!) {
        customers(first: $first) {
          pageInfo { hasNextPage startCursor endCursor }
          cursors: edges { cursor }
          edges { node { id name activities(first: 2) { pageInfo { hasNextPage endCursor } } } }
        }
        bare: customers(first: $first, orderBy: [{ field: NAME, direction: ASC }]) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
        leads: customers(first: $first, filter: { lifecycleStage: { eq: LEAD } }) { pageInfo { hasNextPage endCursor } edges { cursor } }
        none: customers(first: $first, filter: { name: { eq: "nobody at all" } }) { pageInfo { hasNextPage startCursor endCursor } edges { cursor } }
      }
    `;
    for (const first of [1, 3, 100]) {
      const { projected, response } = await both(pages, { first });
      expect(projected).toBe(true);
      expect(response.data!.none.pageInfo).toEqual({ hasNextPage: false, startCursor: null, endCursor: null });
      expect(response.data!.leads.pageInfo.hasNextPage).toBe(first < 100);
      expect(response.data!.leads.pageInfo.endCursor).toBe(response.data!.leads.edges.at(-1).cursor);
    }
  });

  it('a cursor of a row that does not exist, and the default page size', async () => {
    const missing = Buffer.from('GPC:S:00000000-0000-7000-8000-000000000000').toString('base64');
    const gone = await both(/* GraphQL */ `query ($after: String) { customers(first: 5, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { id } } } }`, { after: missing });
    expect(gone.projected).toBe(true);
    const defaults = await both(/* GraphQL */ `{ customers { totalCount edges { node { id activities { edges { node { id } } } } } } }`);
    expect(defaults.projected).toBe(true);
    expect(defaults.response.data!.customers.edges).toHaveLength(20);
  });

  it('a lone root list comes as rows of columns (empty pages, absent links, every pageInfo field); two root fields as JSON', async () => {
    const page = /* GraphQL */ `
      query Rows($first: Int, $after: String, $filter: CustomerFilter) {
        customers(first: $first, after: $after, filter: $filter, orderBy: [{ field: NAME, direction: ASC }]) {
          __typename totalCount aggregate { count }
          info: pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
          pageInfo { endCursor }
          edges { __typename cursor node { id name tags attributes lifetimeValue orderCount createdAt lastOrderAt company { id name owner { name } } owner { id } orders(first: 2) { totalCount edges { node { total } } } } }
        }
      }
    `;
    const full = await both(page, { first: 10 });
    expect(full.projected && full.rowForm).toBe(true);
    const edges = full.response.data!.customers.edges as { node: { company: unknown } }[];
    expect(edges.some((e) => e.node.company === null) && edges.some((e) => e.node.company !== null)).toBe(true);
    const next = await both(page, { first: 10, after: full.response.data!.customers.pageInfo.endCursor });
    expect(next.rowForm && next.response.data!.customers.info.hasPreviousPage).toBe(true);
    // The last page (exactly `first` rows left: no next page), and an empty one: pageInfo's cursors null, the head's
    // figures still there.
    const last = await both(page, { first: 100, after: next.response.data!.customers.pageInfo.endCursor });
    expect(last.response.data!.customers.edges).toHaveLength(100);
    expect(last.rowForm && last.response.data!.customers.info.hasNextPage === false).toBe(true);
    const empty = await both(page, { first: 5, filter: { name: { eq: 'nobody at all' } } });
    expect(empty.rowForm).toBe(true);
    expect(empty.response.data!.customers).toMatchObject({ totalCount: 0, edges: [], info: { startCursor: null, endCursor: null, hasNextPage: false } });
    const edgesOnly = await both(/* GraphQL */ `{ customers(first: 3) { edges { node { id } } } }`);
    expect(edgesOnly.rowForm).toBe(true);
    const countOnly = await both(/* GraphQL */ `{ customers(first: 3) { totalCount pageInfo { hasNextPage } } }`);
    expect(countOnly.rowForm).toBe(true);
    const two = await both(/* GraphQL */ `{ customers(first: 3) { totalCount edges { node { id } } } deals(first: 2) { edges { node { id } } } }`);
    expect(two.projected && !two.rowForm).toBe(true);
  });

  it('leaves to Pothos what it does not know, with the same answers and errors', async () => {
    // The whole operation goes to the resolvers: the engine answers none of it.
    const declined = [
      { query: `{ customers(last: 3) { edges { node { name } } } }`, variables: {} },
      { query: `{ customers(first: 3, after: "nonsense") { totalCount } }`, variables: {} },
      { query: `{ customers(first: 3, filter: { companyId: { eq: "bad" } }) { totalCount } }`, variables: {} },
      { query: `{ customers(first: 3, filter: { name: { eq: "a\\u0000b" } }) { totalCount } }`, variables: {} },
      // Nothing to read: no statement at all (it once sent one with an unused parameter, which PostgreSQL refuses).
      { query: `{ __typename }`, variables: {} },
    ];
    for (const { query, variables } of declined) {
      const { engine } = await both(query, variables);
      expect(engine, query).toBe(false);
    }
    // Only the fields the engine cannot compile go to their resolvers; the engine's statement answers the rest.
    const partial = [`{ customers(first: 3) { edges { node { name satisfaction { averageCsat } } } } }`, `{ customers(first: 3) { totalCount } viewer { role } }`];
    for (const query of partial) {
      const { engine, projected } = await both(query);
      expect(engine, query).toBe(true);
      expect(projected, query).toBe(query.includes('viewer')); // viewer reads no table; satisfaction has its own query
    }
  });

  it('never shows another workspace’s rows', async () => {
    // 50 holds every row of either workspace (30) and keeps this every-field page under the cost limit.
    const { response, projected } = await both(everyField, { first: 50 }, other.apiKey);
    expect(projected).toBe(true);
    expect(response.data!.customers.totalCount).toBe(30);
    const mine = await both(everyField, { first: 50 });
    const ids = new Set(mine.response.data!.customers.edges.map((e: { node: { id: string } }) => e.node.id));
    for (const edge of response.data!.customers.edges) expect(ids.has(edge.node.id)).toBe(false);
  });

  it('is not used without an API key', async () => {
    const anonymous = new TestClient(t.url, null);
    expect(await anonymous.errorCode(customerListQuery, { first: 5 })).toBe('UNAUTHENTICATED');
  });
});

describe('the read engine answers every declared object as Pothos does', () => {
  /** Every root list whose node type is a declared object, with every scalar field of that type selected. */
  function listQueries() {
    const schema = t.gateway.schema;
    const query = schema.getQueryType()!;
    const lists: { name: string; text: string }[] = [];
    for (const field of Object.values(query.getFields())) {
      const connection = getNamedType(field.type);
      if (!isObjectType(connection) || !connection.getFields().edges || !connection.getFields().aggregate) continue;
      const node = getNamedType(connection.getFields().edges!.type) as GraphQLObjectType;
      const type = getNamedType(node.getFields().node!.type) as GraphQLObjectType;
      // Every scalar field the declaration exposes (modules may add computed ones, which the engine leaves to Pothos).
      const declared = catalogOf(schema).has(type.name) ? catalogOf(schema).get(type.name) : null;
      const scalars = Object.values(type.getFields())
        .filter((f) => !f.args.length && isLeafType(getNamedType(f.type)) && (f.name === 'id' || declared?.fields.get(f.name)?.expose))
        .map((f) => f.name);
      lists.push({ name: field.name, text: `{ ${field.name}(first: 30) { totalCount aggregate { count } pageInfo { hasNextPage endCursor } edges { cursor node { ${scalars.join(' ')} } } } }` });
    }
    return lists;
  }

  it('every root list, with every scalar field, in one statement', async () => {
    const lists = listQueries();
    expect(lists.map((l) => l.name)).toEqual(expect.arrayContaining(['customers', 'companies', 'deals', 'activities', 'tasks', 'tickets', 'products', 'orders', 'campaigns', 'users', 'surveyResponses']));
    for (const { name, text } of lists) {
      const { response, projected } = await both(text);
      expect(response.errors, name).toBeUndefined();
      expect(projected, name).toBe(true);
    }
  });

  it('nested connections with filters, orders and aggregates; by-id fields and node', async () => {
    const page = await both(`{ customers(first: 5, orderBy: [{ field: ORDER_COUNT, direction: DESC }]) { edges { node { id } } } deals(first: 1) { edges { node { id } } } }`);
    const id = page.response.data!.customers.edges[0].node.id;
    const deal = page.response.data!.deals.edges[0].node.id;
    const nested = /* GraphQL */ `
      query Nested($id: ID!, $deal: ID!) {
        customer(id: $id) {
          name
          orders(first: 3, filter: { total: { gte: "10" } }, orderBy: [{ field: TOTAL, direction: DESC }]) {
            totalCount
            aggregate { count sum { total } avg { total } min { orderedAt total } max { orderedAt } countDistinct(field: CHANNEL) }
            edges { node { total lines { sku quantity product { name } } } }
          }
          activities(first: 2, filter: { channel: { in: [EMAIL, PHONE] } }) { aggregate { count } edges { node { subject } } }
          deals(filter: { status: { eq: OPEN } }) { totalCount edges { node { title stage { name pipeline { name } } } } }
        }
        deal(id: $deal) { title customer { name company { name } } activities(first: 3) { edges { node { subject } } } }
        node(id: $id) { id ... on Customer { email } }
        missing: customer(id: "Q3VzdG9tZXI6MDAwMDAwMDAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAw") { id }
        companies(first: 5, orderBy: [{ field: NAME, direction: ASC }]) {
          edges { node { name customers(first: 2) { aggregate { count sum { lifetimeValue } } edges { node { name } } } } }
        }
      }
    `;
    const { response, projected } = await both(nested, { id, deal });
    expect(response.errors).toBeUndefined();
    expect(projected).toBe(true);
    expect(response.data!.node.id).toBe(id);
    expect(response.data!.missing).toBeNull();
  });

  it('every group-by in one statement: keys, aggregates, filter, search, order and limits as the resolvers answer them', async () => {
    const schema = t.gateway.schema;
    const groupBys = Object.values(schema.getQueryType()!.getFields()).filter((f) => f.name.endsWith('GroupBy'));
    expect(groupBys.map((f) => f.name)).toEqual(expect.arrayContaining(['customersGroupBy', 'ordersGroupBy', 'dealsGroupBy']));
    for (const field of groupBys) {
      const group = getNamedType(field.type) as GraphQLObjectType;
      const keyFields = Object.keys((getNamedType(group.getFields().key!.type) as GraphQLObjectType).getFields());
      const by = getNamedType(field.args.find((a) => a.name === 'by')!.type) as unknown as { getFields(): Record<string, { type: unknown }> };
      const keyEnum = getNamedType(by.getFields().field!.type as never) as unknown as { getValues(): { name: string; value: string }[] };
      const first = keyEnum.getValues()[0]!;
      const date = [...catalogOf(schema).objects].find((o) => `${o.plural}GroupBy` === field.name)!.fields.get(first.value)!.kind === 'datetime';
      const text = `{ ${field.name}(by: [{ field: ${first.name}${date ? ', truncate: MONTH' : ''} }]) { __typename key { __typename ${keyFields.join(' ')} } aggregate { count } } }`;
      const { response, projected } = await both(text);
      expect(response.errors, text).toBeUndefined();
      expect(projected, text).toBe(true);
    }
    const someone = (await both(`{ customers(first: 1, orderBy: [{ field: NAME, direction: ASC }]) { edges { node { name } } } }`)).response.data!.customers.edges[0].node.name;
    const rich = /* GraphQL */ `
      query Groups($search: String) {
        byStage: customersGroupBy(by: [{ field: LIFECYCLE_STAGE }, { field: SOURCE }], orderBy: [{ field: COUNT, direction: DESC }], first: 4, filter: { orders: { some: { total: { gt: "10" } } } }) {
          key { lifecycleStage source createdAt } aggregate { count countDistinct(field: COMPANY_ID) sum { lifetimeValue } avg { lifetimeValue } min { createdAt } max { lifetimeValue } }
        }
        byMonth: ordersGroupBy(by: [{ field: ORDERED_AT, truncate: MONTH }], orderBy: [{ field: SUM_TOTAL, direction: DESC }]) { key { orderedAt } aggregate { count sum { total } } }
        found: customersGroupBy(by: [{ field: LIFECYCLE_STAGE }], search: $search) { key { lifecycleStage } aggregate { count } }
        customers(first: 2) { totalCount }
      }
    `;
    const { response, projected } = await both(rich, { search: someone.split(' ').reverse().join(' ') });
    expect(response.errors).toBeUndefined();
    expect(projected).toBe(true);
    expect(response.data!.byStage.length).toBeGreaterThan(0);
    expect(response.data!.found.reduce((n: number, g: { aggregate: { count: number } }) => n + g.aggregate.count, 0)).toBeGreaterThanOrEqual(1);
    // Beside a field left to its resolver, the groups come from the engine's statement and graphql executes over them.
    const partial = await both(`{ viewer { role } ordersGroupBy(by: [{ field: CHANNEL }]) { __typename key { channel } aggregate { count sum { total } } } }`);
    expect(partial.response.errors).toBeUndefined();
    expect([partial.engine, partial.projected]).toEqual([true, true]); // viewer reads no table
    // Bad input goes to the resolvers, whose coded error names the argument.
    for (const bad of [
      `{ customersGroupBy(by: [{ field: LIFECYCLE_STAGE, truncate: MONTH }]) { aggregate { count } } }`,
      `{ customersGroupBy(by: [{ field: LIFECYCLE_STAGE }], first: 1001) { aggregate { count } } }`,
      `{ customersGroupBy(by: [{ field: LIFECYCLE_STAGE }], orderBy: [{ field: KEY_SOURCE }]) { aggregate { count } } }`,
    ]) {
      const declined = await both(bad);
      expect(declined.response.errors?.[0]?.extensions?.code, bad).toBe('BAD_USER_INPUT');
    }
    // Another workspace's rows are never counted.
    const theirs = await both(`{ customersGroupBy(by: [{ field: LIFECYCLE_STAGE }]) { aggregate { count } } }`, {}, other.apiKey);
    expect(theirs.projected).toBe(true);
    expect(theirs.response.data!.customersGroupBy.reduce((n: number, g: { aggregate: { count: number } }) => n + g.aggregate.count, 0)).toBe(30);
  });

  it('decides per request, never per document: a field behind @include goes to its resolver only when included', async () => {
    const query = /* GraphQL */ `
      query Maybe($x: Boolean!) { customers(first: 2) { edges { node { name satisfaction @include(if: $x) { averageCsat } } } } }
    `;
    const included = await both(query, { x: true });
    expect([included.engine, included.projected]).toEqual([true, false]); // the engine's statement + satisfaction's
    expect((await both(query, { x: false })).projected).toBe(true);
    const again = await both(query, { x: true });
    expect([again.engine, again.projected]).toEqual([true, false]);
  });
});
