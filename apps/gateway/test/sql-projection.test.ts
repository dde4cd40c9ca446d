// The SQL projection must answer exactly as Pothos does: every query here runs through both paths (two gateways on
// one database, one with the projection off) and the responses must be identical, byte for byte.
import { seedWorkspace } from '@crm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { customerListQuery, startTestGateway, TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

let t: TestGateway;
let plain: Gateway;
let plainUrl: string;
let other: TestWorkspace;

beforeAll(async () => {
  t = await startTestGateway();
  await seedWorkspace(t.database.prisma, t.workspace.workspaceId, { customers: 120, seed: 1, asOf: new Date('2026-11-01T00:00:00Z') });
  other = await t.createWorkspace('Workspace B');
  await seedWorkspace(t.database.prisma, other.workspaceId, { customers: 30, seed: 2, asOf: new Date('2026-11-01T00:00:00Z') });
  plain = createGateway({ database: t.database, logger: createLogger('error'), sqlProjection: false });
  plainUrl = await plain.listen(0);
}, 60_000);
afterAll(async () => {
  await plain?.close(1000);
  await t?.close();
});

/** Runs `query` through both paths; returns the projected response and whether the projection answered it. */
async function both(query: string, variables: Record<string, unknown> = {}, apiKey = t.workspace.apiKey, exactOrder = true) {
  const projected = new TestClient(t.url, apiKey);
  const reference = new TestClient(plainUrl, apiKey);
  await projected.request('{ viewer { role } }'); // the key is verified (and cached) outside the measured request
  const statements = await t.sql.during(() => projected.request(query, variables));
  const [fast, slow] = await Promise.all([projected.request(query, variables), reference.request(query, variables)]);
  // Same data; key order too, except where graphql-jit (the normal path) departs from the spec's CollectFields
  // order with fragments on interfaces (the projection follows the spec): `exactOrder: false` there.
  expect(fast).toEqual(slow);
  if (exactOrder) expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
  return { response: fast, projected: statements.length === 1 && statements[0]!.includes('json_build_object') };
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
      const { response, projected } = await both(customerListQuery, { first });
      expect(projected).toBe(true);
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
    const cases: Record<string, unknown>[] = [
      { filter: { lifecycleStage: ['CUSTOMER', 'ADVOCATE'] } },
      { filter: { companyId: someone.company.id } },
      { filter: { ownerId: page.response.data!.customers.edges.find((e: { node: { owner: unknown } }) => e.node.owner).node.owner.id } },
      { filter: { tag: someone.tags[0] ?? 'vip' } },
      { filter: { tagsAny: ['vip', 'newsletter', 'b2b'] } },
      { filter: { source: ['WEB', 'PHONE'] } },
      { filter: { createdAt: { from: '2025-06-01', to: '2026-06-01T00:00:00Z' } } },
      { filter: { lifetimeValue: { min: '100', max: '2000.50' } } },
      { filter: { lastOrderAt: { from: '2026-01-01' } } },
      { filter: { companyId: null, tag: null } },
      { search: 'an' },
      { search: someone.company.name.slice(0, 4) },
      { search: '   ' },
      { orderBy: [{ field: 'NAME', direction: 'DESC' }] },
      { orderBy: [{ field: 'LIFETIME_VALUE', direction: 'DESC' }, { field: 'NAME', direction: 'ASC' }] },
      { orderBy: [{ field: 'LAST_ORDER_AT', direction: 'DESC' }] },
      { orderBy: [{ field: 'LAST_ORDER_AT', direction: 'ASC' }] },
      { orderBy: [{ field: 'UPDATED_AT', direction: 'ASC' }], filter: { lifecycleStage: ['LEAD'] }, search: 'e' },
    ];
    for (const variables of cases) {
      const { response, projected } = await both(query, variables);
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

  it('aliases, fragments, directives and __typename', async () => {
    const query = /* GraphQL */ `
      query Shapes($withCompany: Boolean!, $skipOrders: Boolean!) {
        __typename
        leads: customers(first: 5, filter: { lifecycleStage: [LEAD] }) { ...Page }
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
  });

  it('a cursor of a row that does not exist, and the default page size', async () => {
    const missing = Buffer.from('GPC:S:00000000-0000-7000-8000-000000000000').toString('base64');
    const gone = await both(/* GraphQL */ `query ($after: String) { customers(first: 5, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { id } } } }`, { after: missing });
    expect(gone.projected).toBe(true);
    const defaults = await both(/* GraphQL */ `{ customers { totalCount edges { node { id activities { edges { node { id } } } } } } }`);
    expect(defaults.projected).toBe(true);
    expect(defaults.response.data!.customers.edges).toHaveLength(20);
  });

  it('leaves to Pothos what it does not know, with the same answers and errors', async () => {
    const declined = [
      { query: `{ customers(first: 3) { edges { node { name satisfaction { averageCsat } } } } }`, variables: {} },
      { query: `{ customers(first: 3) { edges { node { deals(status: OPEN) { totalCount } } } } }`, variables: {} },
      { query: `query ($s: String) { customers(first: 3, search: $s) { totalCount } }`, variables: { s: '100%' } },
      { query: `{ customers(last: 3) { edges { node { name } } } }`, variables: {} },
      { query: `{ customers(first: 3, after: "nonsense") { totalCount } }`, variables: {} },
      { query: `{ customers(first: 3, filter: { companyId: "bad" }) { totalCount } }`, variables: {} },
      { query: `{ customers(first: 3) { totalCount } viewer { role } }`, variables: {} },
      { query: `query ($after: String) { customers(first: 3, after: $after, orderBy: [{ field: LAST_ORDER_AT, direction: DESC }]) { totalCount } }`, variables: { after: Buffer.from('GPC:S:00000000-0000-7000-8000-000000000000').toString('base64') } },
    ];
    for (const { query, variables } of declined) {
      const { projected } = await both(query, variables);
      expect(projected, query).toBe(false);
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
