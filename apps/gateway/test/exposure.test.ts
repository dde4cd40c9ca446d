import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exposureFromEnv } from '../src/exposure.js';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

// What the gateway shows of itself: introspection and GraphiQL (closed in production unless enabled, and then for
// API keys only), and CORS (no origin but the configured ones).

const INTROSPECT = `{ __schema { queryType { name } } }`;
const TYPE = `{ __type(name: "Customer") { name } }`;

let closed: TestGateway;
let keysOnly: TestGateway;
beforeAll(async () => {
  closed = await startTestGateway({ exposure: { introspection: 'off', corsOrigins: [] } });
  keysOnly = await startTestGateway({ exposure: { introspection: 'authenticated', corsOrigins: ['https://crm.example.com', 'https://ops.example.com'] } });
});
afterAll(async () => {
  await closed?.close();
  await keysOnly?.close();
});

describe('configuration from the environment', () => {
  it('closes introspection in production unless enabled, and then for keys only', () => {
    expect(exposureFromEnv({ NODE_ENV: 'production' }).introspection).toBe('off');
    expect(exposureFromEnv({ NODE_ENV: 'production', CRM_INTROSPECTION: '1' }).introspection).toBe('authenticated');
    expect(exposureFromEnv({ NODE_ENV: 'development' }).introspection).toBe('open');
    expect(exposureFromEnv({ CRM_INTROSPECTION: 'off' }).introspection).toBe('off');
    expect(exposureFromEnv({}).corsOrigins).toEqual([]);
    expect(exposureFromEnv({ CORS_ORIGINS: ' https://a.example.com/, https://b.example.com' }).corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
  });
});

describe('introspection and GraphiQL', () => {
  it('are refused when off, even with an ADMIN key; __typename still answers, and __type for a key', async () => {
    expect(await closed.workspace.client.errorCode(INTROSPECT)).toBe('FORBIDDEN');
    expect(await closed.workspace.client.errorCode(`query { ...F } fragment F on Query { __schema { types { name } } }`)).toBe('FORBIDDEN');
    expect(await closed.client().errorCode(INTROSPECT)).toBe('UNAUTHENTICATED');
    expect(await closed.client().errorCode(TYPE)).toBe('UNAUTHENTICATED');
    // The dashboard learns which optional fields Customer has on this gateway.
    expect(await closed.workspace.client.query(TYPE)).toEqual({ __type: { name: 'Customer' } });
    expect(await closed.client().query(`{ __typename }`)).toEqual({ __typename: 'Query' });
    const page = await fetch(`${closed.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/graphiql/i);
  });

  it('need an API key when enabled for keys only', async () => {
    expect(await keysOnly.client().errorCode(INTROSPECT)).toBe('UNAUTHENTICATED');
    expect(await keysOnly.client('crm_notakey').errorCode(TYPE)).toBe('UNAUTHENTICATED');
    expect(await keysOnly.workspace.client.query(INTROSPECT)).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const page = await fetch(`${keysOnly.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).toMatch(/graphiql/i);
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin: string) =>
    fetch(`${url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
  const post = (t: TestGateway, origin: string) =>
    fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${t.workspace.apiKey}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });

  it('reflects no origin by default', async () => {
    for (const response of [await preflight(closed.url, 'https://evil.example'), await post(closed, 'https://evil.example')]) {
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-headers')).toBeNull();
    }
  });

  it('allows the configured origins only', async () => {
    const allowed = await preflight(keysOnly.url, 'https://ops.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    for (const response of [await preflight(keysOnly.url, 'https://evil.example'), await post(keysOnly, 'https://evil.example')]) {
      expect(response.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
      expect(response.headers.get('access-control-allow-origin')).not.toBe('*');
    }
  });
});
