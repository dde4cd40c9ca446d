// Status codes as the GraphQL over HTTP spec gives them: a client that accepts application/graphql-response+json
// gets 4xx for a malformed request, a parse or validation failure, and any refusal without `data`; a legacy
// application/json client gets 200 for GraphQL errors (the spec's legacy rule).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

const GRAPHQL_RESPONSE = 'application/graphql-response+json';
const JSON_ONLY = 'application/json';

async function post(accept: string, body: string) {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${t.workspace.apiKey}` },
    body,
  });
  const json = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string; http?: unknown } }[] };
  return { status: response.status, type: response.headers.get('content-type'), code: json.errors?.[0]?.extensions?.code, json };
}

const request = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });

/** Each request: its body, its code, and the status for graphql-response+json and for application/json. */
const cases = [
  // Yoga keeps 200 for these two with application/json (legacy clients read the errors from the body).
  ['malformed JSON', '{"query": ', 'BAD_REQUEST', 400, 200],
  ['JSON that is not an object', '"{ viewer { role } }"', 'BAD_REQUEST', 400, 400],
  ['no query', '{"variables": {}}', 'BAD_REQUEST', 400, 200],
  ['a query that is not a string', '{"query": 5}', 'BAD_REQUEST', 400, 400],
  ['a parse error', request('{ viewer { '), 'GRAPHQL_PARSE_FAILED', 400, 200],
  ['a validation failure', request('{ nope }'), 'GRAPHQL_VALIDATION_FAILED', 400, 200],
  ['a literal of the wrong type', request('{ customers(first: "ten") { totalCount } }'), 'GRAPHQL_VALIDATION_FAILED', 400, 200],
  ['a variable of the wrong type', request('query($n: Int) { customers(first: $n) { totalCount } }', { n: 'ten' }), 'BAD_USER_INPUT', 400, 200],
  ['a NUL in a variable', request('query($s: String) { customers(search: $s) { totalCount } }', { s: '\u0000' }), 'BAD_USER_INPUT', 400, 200],
  ['a page over the cap', request('{ customers(first: 500) { totalCount } }'), 'BAD_USER_INPUT', 400, 200],
  ['a query too complex', request(`{ ${Array.from({ length: 25 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`), 'QUERY_TOO_COMPLEX', 400, 200],
] as const;

describe('GraphQL over HTTP status codes', () => {
  for (const [name, body, code, modern, legacy] of cases) {
    it(`answers ${name} with ${code}: ${modern} for ${GRAPHQL_RESPONSE}, ${legacy} for ${JSON_ONLY}`, async () => {
      const asModern = await post(GRAPHQL_RESPONSE, body);
      expect([asModern.status, asModern.code]).toEqual([modern, code]);
      expect(asModern.type).toMatch(/^application\/graphql-response\+json/);
      expect(asModern.json.data).toBeUndefined();
      // The status hint is for the server only.
      expect(asModern.json.errors?.[0]?.extensions?.http).toBeUndefined();
      const asLegacy = await post(JSON_ONLY, body);
      expect([asLegacy.status, asLegacy.code]).toEqual([legacy, code]);
    });
  }

  it('keeps 200 when the response has data, even with field errors', async () => {
    const unauthenticated = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: GRAPHQL_RESPONSE },
      body: request('{ customers { totalCount } }'),
    });
    expect(unauthenticated.status).toBe(200);
    const body = (await unauthenticated.json()) as { data: unknown; errors: { extensions: { code: string } }[] };
    expect(body.data).toBeNull();
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    const ok = await post(GRAPHQL_RESPONSE, request('{ viewer { role } }'));
    expect([ok.status, ok.json.data]).toEqual([200, { viewer: { role: 'ADMIN' } }]);
  });
});
