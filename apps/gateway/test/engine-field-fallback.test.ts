// The read engine falls back per field, not per operation (join-monster's lesson): an operation with a field the
// engine cannot compile (a computed resolver, an argument it does not take, a root field it does not know) is still
// answered by the engine's one statement for everything else, and only those fields run their resolvers, from the
// rows the engine sent. Every answer here is compared with a gateway without the engine (same database), byte for
// byte, and the statements are counted.
import { seedWorkspace } from '@crm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { isReadEngineStatement as isEngineStatement, startTestGateway, TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
let plain: Gateway;
let plainUrl: string;

beforeAll(async () => {
  // No background refits of the lifetime-value model: their statements would land in the counted windows.
  t = await startTestGateway({ clvRefresh: false });
  await seedWorkspace(t.database.prisma, t.workspace.workspaceId, { customers: 80, seed: 4, asOf: new Date('2026-11-01T00:00:00Z') });
  await t.workspace.client.query(`mutation { createSegment(input: { name: "Leads", filter: { lifecycleStage: { eq: LEAD } } }) { segment { id } } }`);
  await t.workspace.client.query(`mutation { createSegment(input: { name: "Big spenders", filter: { lifetimeValue: { gt: "500" } } }) { segment { id } } }`);
  plain = createGateway({ database: t.database, logger: createLogger('error'), sqlProjection: false, clvRefresh: false });
  plainUrl = await plain.listen(0);
});
afterAll(async () => {
  await plain?.close(1000);
  await t?.close();
});


/** Runs `query` on both gateways; returns the engine gateway's response and the statements it cost. */
async function both(query: string, variables: Record<string, unknown> = {}) {
  const engine = new TestClient(t.url, t.workspace.apiKey);
  const reference = new TestClient(plainUrl, t.workspace.apiKey);
  await engine.request('{ viewer { role } }');
  const statements = await t.sql.during(() => engine.request(query, variables));
  const [fast, slow] = await Promise.all([engine.request(query, variables), reference.request(query, variables)]);
  expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
  return { response: fast, statements, engine: statements.filter(isEngineStatement).length };
}

const computedPage = /* GraphQL */ `
  query Page($first: Int!) {
    customers(first: $first, orderBy: [{ field: NAME, direction: ASC }]) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id name lifetimeValue lastOrderAt
          company { name industry }
          satisfaction { averageCsat latestNps npsCategory responses }
          segments { name }
          activities(first: 2) { totalCount edges { node { subject occurredAt } } }
        }
      }
    }
  }
`;

describe('the read engine leaves only what it cannot compile to the resolvers', () => {
  it('a customers page with computed fields: the engine statement plus each computed field’s own batched load, at any page size', async () => {
    const counts: number[] = [];
    for (const first of [10, 50]) {
      const { response, statements, engine } = await both(computedPage, { first });
      expect(response.errors).toBeUndefined();
      expect(response.data!.customers.edges).toHaveLength(first);
      expect(response.data!.customers.edges.some((e: { node: { satisfaction: { responses: number } } }) => e.node.satisfaction.responses > 0)).toBe(true);
      expect(response.data!.customers.edges.some((e: { node: { segments: unknown[] } }) => e.node.segments.length > 0)).toBe(true);
      // One engine statement (customers, company, activities, totalCount), then satisfaction's grouped query and the
      // segments loader: never the Pothos path's reads of customers, companies or activities.
      expect(engine).toBe(1);
      expect(isEngineStatement(statements[0]!)).toBe(true);
      expect(statements.slice(1).some((sql) => /FROM "public"\."(Customer|Company|Activity)"/.test(sql)), statements.join('\n')).toBe(false);
      counts.push(statements.length);
    }
    expect(counts).toEqual([3, 3]);
  });

  it('the same answers as the resolvers for fields left out at every level', async () => {
    const page = await both(`{ customers(first: 3) { edges { cursor node { id activities(first: 1) { edges { cursor } } } } } deals(first: 1) { edges { node { id } } } }`);
    const customer = page.response.data!.customers.edges[0].node;
    const activityCursor = customer.activities.edges[0]?.cursor ?? null;
    const cases: { query: string; variables?: Record<string, unknown>; engine: number; error?: string }[] = [
      // A computed field under an alias, twice with different selections, and inside a fragment.
      { query: `{ customers(first: 4) { edges { node { name a: satisfaction { responses } b: satisfaction { averageCsat } ...S } } } } fragment S on Customer { segments { name } }`, engine: 1 },
      // A root field the engine does not know beside one it answers.
      { query: `{ viewer { role } customers(first: 2) { totalCount edges { node { name } } } }`, engine: 1 },
      // Backward paging on one root list, forward on another.
      { query: `{ customers(last: 2) { edges { node { name } } } companies(first: 2) { edges { node { name } } } }`, engine: 1 },
      // A bad argument on one root list: its coded error, and the other root list's data.
      { query: `{ bad: customers(first: 2, filter: { companyId: { eq: "nope" } }) { totalCount } good: companies(first: 2) { totalCount } }`, engine: 1, error: 'BAD_USER_INPUT' },
      // A nested connection paged after a cursor: left to Pothos, from the parent row the engine sent.
      { query: `query ($id: ID!, $after: String) { customer(id: $id) { name activities(first: 2, after: $after) { edges { node { subject } } } orders(first: 1) { totalCount } } }`, variables: { id: customer.id, after: activityCursor }, engine: 1 },
      // Computed fields of a declared object reached through relations (one selects a relation, loaded by Pothos).
      { query: `{ deals(first: 5) { edges { node { title stage { name pipeline { name openValue weightedValue } } } } } }`, engine: 1 },
      // `node` with a computed field: the engine's object keeps its type for the interface.
      { query: `query ($id: ID!) { node(id: $id) { __typename id ... on Customer { name satisfaction { responses } } } }`, variables: { id: customer.id }, engine: 1 },
      // The audit log (a connection resolved by its module) under an engine-answered customer.
      { query: `query ($id: ID!) { customer(id: $id) { name history(first: 2) { edges { node { type } } } } }`, variables: { id: customer.id }, engine: 1 },
      // Nothing the engine answers: no engine statement at all.
      { query: `{ viewer { role } pipelines { name } }`, engine: 0 },
    ];
    for (const { query, variables, engine, error } of cases) {
      const result = await both(query, variables).catch((failure: Error) => {
        throw new Error(`${query}: ${failure.message.slice(0, 600)}`);
      });
      expect(result.engine, query).toBe(engine);
      expect(result.response.errors?.[0]?.extensions?.code, query).toBe(error);
      // (A root list is non-null: its error nulls the whole `data`, on both paths.)
      if (!error) expect(Object.values(result.response.data ?? {}).every((v) => v !== null), query).toBe(true);
    }
  });

  it('the caller’s role still decides a field left to its resolver', async () => {
    const readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    const query = `{ customers(first: 2) { edges { node { name satisfaction { responses } } } } }`;
    const fast = await readOnly.request(query);
    const slow = await new TestClient(plainUrl, readOnly.apiKey).request(query);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
    expect(fast.data?.customers.edges).toHaveLength(2);
  });

  it('another workspace’s rows are never the parent of a field left to its resolver', async () => {
    const other = await t.createWorkspace('Workspace B');
    await seedWorkspace(t.database.prisma, other.workspaceId, { customers: 5, seed: 9, asOf: new Date('2026-11-01T00:00:00Z') });
    const mine = await t.workspace.client.query(`{ customers(first: 100) { edges { node { id } } } }`);
    const ids = new Set(mine.customers.edges.map((e: { node: { id: string } }) => e.node.id));
    const theirs = await other.client.query(`{ customers(first: 100) { totalCount edges { node { id satisfaction { responses } segments { name } } } } }`);
    expect(theirs.customers.totalCount).toBe(5);
    for (const edge of theirs.customers.edges) {
      expect(ids.has(edge.node.id)).toBe(false);
      expect(edge.node.segments).toEqual([]); // workspace A's segments are not B's
    }
  });
});
