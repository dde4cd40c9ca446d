// The engine's nested lists in the row form come back as PostgreSQL text arrays (docs/architecture.md, "What the
// statement returns"): strings that array text must quote and escape answer exactly as in the JSON form and as Pothos
// answers them, in a root list's rows and in a by-id root field's row.
import { seedWorkspace } from '@crm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { type GraphQLResponse, isReadEngineStatement, startTestGateway, TestClient, type TestGateway } from '../src/testing/index.js';

/** Strings array text quotes or escapes, or reads specially when unquoted (`NULL`), and what JSON escapes. */
const hostile = ['a"b', 'back\\slash', 'com,ma', '{braces}', '}{', 'NULL', 'null', '', ' lead and trail ', 'new\nline\ttab', 'ünï😀', '\\"}', '[1,"x"]', '{"k": "v"}'];

let t: TestGateway;
let plain: Gateway;
let plainUrl: string;

beforeAll(async () => {
  t = await startTestGateway({ clvRefresh: false });
  const workspace = t.workspace.workspaceId;
  await seedWorkspace(t.database.prisma, workspace, { customers: 12, seed: 3, asOf: new Date('2026-11-01T00:00:00Z') });
  const db = t.database.prisma;
  // Every nested string of the workspace becomes one of the hostile ones (by row number), some bodies NULL.
  const assign = (table: string, setter: string) =>
    db.$executeRawUnsafe(
      `UPDATE "${table}" x SET ${setter} FROM (SELECT "id", row_number() OVER (ORDER BY "id") AS n FROM "${table}" WHERE "workspaceId" = $1::uuid) r, (SELECT $2::text[] AS s) h WHERE x."id" = r."id"`,
      workspace,
      hostile,
    );
  await assign('Activity', `"subject" = h.s[1 + r.n % cardinality(h.s)], "body" = CASE WHEN r.n % 3 = 0 THEN NULL ELSE h.s[1 + (r.n + 5) % cardinality(h.s)] END`);
  await assign('OrderLine', `"sku" = h.s[1 + r.n % cardinality(h.s)]`);
  await assign('Product', `"name" = h.s[1 + (r.n + 2) % cardinality(h.s)]`);
  await assign('Customer', `"tags" = h.s[1 + r.n % cardinality(h.s):1 + (r.n + 3) % cardinality(h.s)], "attributes" = jsonb_build_object('note', h.s[1 + r.n % cardinality(h.s)], 'none', NULL)`);
  plain = createGateway({ database: t.database, logger: createLogger('error'), sqlProjection: false, clvRefresh: false });
  plainUrl = await plain.listen(0);
});
afterAll(async () => {
  await plain?.close(1000);
  await t?.close();
});

/** `query`'s answer from the engine (with its one statement) and from Pothos. */
async function answers(query: string, variables: Record<string, unknown> = {}) {
  const engine = new TestClient(t.url, t.workspace.apiKey);
  await engine.request('{ viewer { role } }'); // the key is verified outside the recorded request
  let answer: GraphQLResponse | undefined;
  const statements = (await t.sql.during(async () => (answer = await engine.request(query, variables)))).filter(isReadEngineStatement);
  const reference = await new TestClient(plainUrl, t.workspace.apiKey).request(query, variables);
  expect(answer!.errors).toBeUndefined();
  return { answer: answer!, reference, statement: statements.length === 1 ? statements[0]! : null };
}

const customerFields = /* GraphQL */ `
  id name tags attributes
  stageHistory { toStage reason }
  activities(first: 20) { totalCount edges { node { id subject body occurredAt } } }
  recent: activities(first: 2) { pageInfo { hasNextPage endCursor } edges { node { subject body } } }
  orders(first: 5) { totalCount edges { node { id total lines { sku quantity unitPrice product { id name } } } } }
  company { name customers(first: 3) { totalCount edges { node { name tags attributes stageHistory { reason } activities(first: 2) { edges { node { subject } } } } } } }
`;

describe('nested lists as text arrays', () => {
  it('a root list’s rows answer hostile strings as the JSON form and Pothos do', async () => {
    const rows = await answers(`{ customers(first: 12, orderBy: [{ field: NAME, direction: ASC }]) { edges { node { ${customerFields} } } } }`);
    // `__typename` beside the list: two root fields, the JSON form.
    const json = await answers(`{ __typename customers(first: 12, orderBy: [{ field: NAME, direction: ASC }]) { edges { node { ${customerFields} } } } }`);
    expect(rows.statement).toMatch(/^SELECT h\."switchedOff", h\.head, r\.\* FROM/);
    expect(rows.statement).toContain('ARRAY(SELECT ARRAY[');
    expect(json.statement).toMatch(/^SELECT json_build_object\(/);
    expect(json.statement).not.toContain('ARRAY(SELECT ARRAY[');
    expect(JSON.stringify(rows.answer)).toBe(JSON.stringify(rows.reference));
    expect(rows.answer.data!.customers).toEqual(json.answer.data!.customers);
    // The data holds what the test is about: every hostile string in a nested list, NULL bodies, empty lists.
    const text = JSON.stringify(rows.answer.data);
    for (const value of hostile) expect(text).toContain(JSON.stringify(value));
    const customers = rows.answer.data!.customers.edges.map((e: { node: Record<string, any> }) => e.node);
    expect(customers.some((c: any) => c.activities.edges.some((a: any) => a.node.body === null))).toBe(true);
    expect(customers.some((c: any) => c.orders.edges.some((o: any) => o.node.lines.length > 0))).toBe(true);
  });

  it('a by-id root field answers from one row of columns, as the JSON form and Pothos do; an unknown id is null', async () => {
    const list = await answers(`{ customers(first: 12) { edges { node { id orders(first: 1) { totalCount } } } } }`);
    const ids = list.answer.data!.customers.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids.length).toBeGreaterThan(1);
    const query = (extra: string) => `query One($id: ID!) { ${extra} customer(id: $id) { ${customerFields} } }`;
    for (const id of ids) {
      const row = await answers(query(''), { id });
      const json = await answers(query('__typename'), { id });
      expect(row.statement).toMatch(/^SELECT h\."switchedOff", r\.\* FROM/);
      expect(json.statement).toMatch(/^SELECT json_build_object\(/);
      expect(JSON.stringify(row.answer)).toBe(JSON.stringify(row.reference));
      expect(row.answer.data!.customer).toEqual(json.answer.data!.customer);
    }
    // A customer id that is no row: null in both forms.
    const missing = Buffer.from('Customer:00000000-0000-7000-8000-000000000000').toString('base64');
    const none = await answers(query(''), { id: missing });
    expect(none.statement).toMatch(/^SELECT h\."switchedOff", r\.\* FROM/);
    expect(none.answer.data).toEqual({ customer: null });
    expect(none.reference).toEqual(none.answer);
  });
});
