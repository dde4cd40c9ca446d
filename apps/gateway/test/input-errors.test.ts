// Every class of bad input is a client error with a code (BAD_USER_INPUT), never INTERNAL_SERVER_ERROR, and
// nothing is written (issue 19, "No internal error from input").
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openWsClient, startTestGateway, SubscriptionCollector, type TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
let client: TestClient;
let customerId: string;
beforeAll(async () => {
  t = await startTestGateway();
  client = t.workspace.client;
  const created = await client.query(`mutation { createCustomer(input: { name: "Ada" }) { customer { id } } }`);
  customerId = created.createCustomer.customer.id;
});
afterAll(async () => {
  await t?.close();
});

const createCustomer = `mutation Create($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`;
const logActivity = `mutation Log($input: LogActivityInput!) { logActivity(input: $input) { activity { id occurredAt } } }`;
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

async function expectBadInput(query: string, variables?: Record<string, unknown>) {
  const result = await client.request(query, variables);
  expect(result.errors?.length).toBeGreaterThan(0);
  expect(new Set(result.errors?.map((e) => e.extensions?.code))).toEqual(new Set(['BAD_USER_INPUT']));
  return result;
}

/** Sends a raw JSON body (a value nested deeper than JSON.stringify's stack allows). */
async function postRaw(body: string) {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${t.workspace.apiKey}` },
    body,
  });
  return { status: response.status, ...((await response.json()) as { errors?: { extensions?: { code?: string } }[] }) };
}

async function customerCount() {
  return t.database.prisma.customer.count({ where: { workspaceId: t.workspace.workspaceId } });
}

describe('variables that do not fit their types (graphql-jit used to mask these as internal errors)', () => {
  it('refuses a wrong type, a missing required field, an unknown field and an unknown enum value', async () => {
    const before = await customerCount();
    const wrongType = await expectBadInput(`query($n: Int) { customers(first: $n) { totalCount } }`, { n: 'ten' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.errors?.[0]?.message).toMatch(/\$n/);
    await expectBadInput(createCustomer, { input: {} });
    const unknown = await expectBadInput(createCustomer, { input: { name: 'x', nmae: 1 } });
    expect(unknown.errors?.[0]?.message).not.toMatch(/Did you mean/); // no schema hints, as for validation errors
    await expectBadInput(createCustomer, { input: { name: 'x', lifecycleStage: 'NOPE' } });
    await expectBadInput(createCustomer, { input: { name: 'x', tags: [1, { a: 2 }] } });
    await expectBadInput(`query($n: Int) { customers(first: $n) { totalCount } }`, { n: 2 ** 40 });
    expect(await customerCount()).toBe(before);
  });

  it('applies the default of a required input field left out of a variable (graphql-jit did not)', async () => {
    const sorted = await client.request(`query($o: [CustomerOrderBy!]) { customers(first: 2, orderBy: $o) { totalCount } }`, { o: [{ field: 'NAME' }] });
    expect(sorted.errors).toBeUndefined();
    expect(sorted.data?.customers.totalCount).toBeGreaterThan(0);
  });

  it('answers a literal of the wrong type as a validation failure (a coded client error)', async () => {
    const result = await client.request(`{ customers(first: "ten") { totalCount } }`);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.status).toBe(400);
  });
});

describe('over graphql-ws', () => {
  it('refuses bad variables of a subscription and of a mutation with the same codes as over HTTP', async () => {
    const ws = openWsClient(t.wsUrl, t.workspace.apiKey);
    try {
      const cases = [
        [`subscription($s: ID) { events(subjectId: $s) { type } }`, { s: 'a\u0000' }],
        [`subscription($types: [String!]) { events(types: $types) { type } }`, { types: [{ nested: true }] }],
        [createCustomer, { input: { name: 'x', lifecycleStage: 'NOPE' } }],
      ] as const;
      for (const [query, variables] of cases) {
        const collector = new SubscriptionCollector(ws, query, variables);
        await expect(collector.take(1)).rejects.toThrow(/BAD_USER_INPUT/);
        expect(collector.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
        collector.dispose();
      }
    } finally {
      await ws.dispose();
    }
  });
});

describe('strings no column can store', () => {
  it('refuses a NUL character in a name, a search, an id and a JSON attribute, as variable or literal', async () => {
    const before = await customerCount();
    const nul = await expectBadInput(createCustomer, { input: { name: 'A\u0000B' } });
    expect(nul.errors?.[0]?.extensions?.field).toBe('input.name');
    await expectBadInput(`mutation { createCustomer(input: { name: "A\\u0000B" }) { customer { id } } }`);
    await expectBadInput(`query($s: String) { customers(search: $s) { totalCount } }`, { s: '%\u0000' });
    await expectBadInput(`query($id: ID!) { customer(id: $id) { id } }`, { id: `${customerId}\u0000` });
    await expectBadInput(createCustomer, { input: { name: 'x', attributes: { note: 'a\u0000' } } });
    await expectBadInput(createCustomer, { input: { name: 'x', attributes: { 'k\u0000': 1 } } });
    expect(await customerCount()).toBe(before);
  });

  it('refuses lone surrogates (they have no UTF-8 form and were silently replaced)', async () => {
    const before = await customerCount();
    await expectBadInput(createCustomer, { input: { name: 'A\uD800B' } });
    await expectBadInput(createCustomer, { input: { name: 'A\uDC00' } });
    // In a literal, GraphQL's own parser refuses it: a coded client error too.
    const literal = await client.request(`mutation { createCustomer(input: { name: "A\\uD800" }) { customer { id } } }`);
    expect(literal.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(await customerCount()).toBe(before);
    // A real surrogate pair (an emoji) is fine.
    const emoji = await client.query(createCustomer, { input: { name: 'Ada 🚀' } });
    expect(emoji.createCustomer.customer.id).toBeTruthy();
  });
});

describe('ids', () => {
  it('refuses node and by-id ids whose row id is not a UUID or whose type is unknown', async () => {
    const cases = [
      [`query($id: ID!) { node(id: $id) { id } }`, globalId('Customer', 'not-a-uuid')],
      [`query($id: ID!) { node(id: $id) { id } }`, globalId('Nope', '0193a5f0-0000-7000-8000-000000000000')],
      [`query($id: ID!) { node(id: $id) { id } }`, globalId('CustomerFilter', '0193a5f0-0000-7000-8000-000000000000')],
      [`query($id: ID!) { customer(id: $id) { id } }`, globalId('Customer', 'not-a-uuid')],
      [`query($id: ID!) { deal(id: $id) { id } }`, globalId('Deal', "1' OR '1'='1")],
      [`mutation($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, globalId('Customer', '12345')],
    ] as const;
    for (const [query, id] of cases) {
      const result = await client.request(query, { id });
      expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'id']]);
    }
    // A well-formed id of a row that does not exist is still null, per Relay.
    expect((await client.query(`query($id: ID!) { node(id: $id) { id } }`, { id: globalId('Customer', '0193a5f0-0000-7000-8000-000000000000') })).node).toBeNull();
  });
});

describe('JSON attributes', () => {
  const nested = (depth: number): unknown => {
    let value: unknown = 'leaf';
    for (let i = 0; i < depth; i++) value = { a: value };
    return value;
  };

  it('refuses JSON nested thousands of levels deep, or a little too deep, or too large', async () => {
    const before = await customerCount();
    const deep = `{"query":${JSON.stringify(createCustomer)},"variables":{"input":{"name":"x","attributes":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}}`;
    const refused = await postRaw(deep);
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(refused.status).toBe(400);
    await expectBadInput(createCustomer, { input: { name: 'x', attributes: nested(40) } });
    await expectBadInput(createCustomer, { input: { name: 'x', attributes: { list: Array.from({ length: 20_000 }, (_, i) => i) } } });
    const literal40 = `${'{ a: '.repeat(40)}1${' }'.repeat(40)}`;
    await expectBadInput(`mutation { createCustomer(input: { name: "x", attributes: ${literal40} }) { customer { id } } }`);
    expect(await customerCount()).toBe(before);
    const fine = await client.query(createCustomer, { input: { name: 'Nested ok', attributes: nested(20) } });
    expect(fine.createCustomer.customer.id).toBeTruthy();
  });

  it('takes a JSON literal as written, and refuses a variable inside one (graphql-jit would drop its value)', async () => {
    const warnings = vi.spyOn(console, 'error');
    try {
      const written = await client.query(`mutation { createCustomer(input: { name: "Literal", attributes: { tier: "gold", scores: [1, 2.5, null, true] } }) { customer { attributes } } }`);
      expect(written.createCustomer.customer.attributes).toEqual({ tier: 'gold', scores: [1, 2.5, null, true] });
      const before = await customerCount();
      const refused = await expectBadInput(`mutation($note: String) { createCustomer(input: { name: "x", attributes: { list: [{ note: $note }] } }) { customer { id } } }`, { note: 'lost' });
      expect(refused.errors?.[0]?.message).toContain('$note');
      expect(await customerCount()).toBe(before);
      // No "Scalar with variable inputs detected for parsing AST literals" from graphql-jit: every scalar parses a literal alone.
      expect(warnings.mock.calls.filter(([message]) => String(message).includes('Scalar with variable'))).toEqual([]);
    } finally {
      warnings.mockRestore();
    }
  });
});

describe('dates', () => {
  const activity = (occurredAt: string) => ({ input: { customerId, type: 'NOTE', channel: 'WEB', subject: 'dated', occurredAt } });

  it('refuses year 0, year 10000 and dates that do not exist, instead of rolling them over', async () => {
    const before = await t.database.prisma.activity.count({ where: { subject: 'dated' } });
    for (const date of ['0000-01-01', '0000-06-01T00:00:00Z', '10000-01-01T00:00:00Z', '+010000-01-01T00:00:00Z', '2025-02-30', '2026-02-30T00:00:00Z', '2025-04-31', '2025-13-01', '2025-01-01T24:00:00Z', '2025-01-01T10:60:00Z', '2023-02-29']) {
      const result = await expectBadInput(logActivity, activity(date));
      expect(result.errors?.[0]?.message).toContain(date);
      await expectBadInput(`mutation { logActivity(input: { customerId: "${customerId}", type: NOTE, channel: WEB, subject: "dated", occurredAt: "${date}" }) { activity { id } } }`);
    }
    expect(await t.database.prisma.activity.count({ where: { subject: 'dated' } })).toBe(before);
  });

  it('accepts the extremes and leap days, and reads date-only and offset-less times as UTC', async () => {
    const cases = [
      ['2024-02-29', '2024-02-29T00:00:00.000Z'],
      ['2000-02-29T12:00:00Z', '2000-02-29T12:00:00.000Z'],
      ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
      ['2026-01-01T10:00', '2026-01-01T10:00:00.000Z'],
      ['2026-01-01T10:00:00+02:00', '2026-01-01T08:00:00.000Z'],
    ] as const;
    for (const [input, stored] of cases) {
      const result = await client.query(logActivity, activity(input));
      expect(result.logActivity.activity.occurredAt).toBe(stored);
    }
    const range = `query($to: DateTime) { customers(filter: { createdAt: { lt: $to } }) { totalCount } }`;
    expect((await client.query(range, { to: '9999-12-31T23:59:59.999Z' })).customers.totalCount).toBeGreaterThan(0);
  });
});
