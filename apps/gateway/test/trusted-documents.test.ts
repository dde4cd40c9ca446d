import fs from 'node:fs';
import { buildSchema, parse, print, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestFromSources } from '../src/trusted-documents-manifest.js';
import { documentId, normalizeDocument, TrustedDocuments, type TrustedDocumentsManifest } from '../src/trusted-documents.js';
import { openWsClient, startTestGateway, type TestGateway } from '../src/testing/index.js';

// Trusted (persisted) documents: with a manifest, the gateway runs its documents and refuses anything else. The
// dashboard's manifest is made from its sources.

const repository = new URL('../../../', import.meta.url);
const dashboardSources = ['apps/dashboard/src', 'packages/client/src'].map((dir) => new URL(dir, repository).pathname);

let manifest: TrustedDocumentsManifest;
let t: TestGateway;
beforeAll(async () => {
  manifest = manifestFromSources(dashboardSources);
  t = await startTestGateway({ trustedDocuments: new TrustedDocuments(manifest) });
});
afterAll(async () => {
  await t?.close();
});

const named = (name: string) => Object.entries(manifest).find(([, text]) => new RegExp(`^(query|mutation|subscription) ${name}\\b`).test(text))!;

async function post(body: Record<string, unknown>) {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.workspace.apiKey}` },
    body: JSON.stringify(body),
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: { extensions?: { code?: string } }[] };
}

describe('the dashboard’s manifest', () => {
  it('holds every operation of the dashboard, each valid against the published schema (plugins included)', () => {
    const schema = buildSchema(fs.readFileSync(new URL('schema.graphql', repository), 'utf8'));
    expect(Object.keys(manifest).length).toBeGreaterThan(15);
    for (const [id, text] of Object.entries(manifest)) {
      expect(id).toBe(documentId(text));
      expect(validate(schema, parse(text)).map((e) => e.message)).toEqual([]);
    }
    for (const name of ['WhoAmI', 'DashboardMetrics', 'LiveMetrics', 'CustomerFields']) expect(named(name)).toBeDefined();
    // A fragment used by an operation travels with it.
    expect(named('LiveMetrics')[1]).toContain('fragment MetricsFields on DashboardMetrics');
  });
});

describe('a gateway with trusted documents', () => {
  it('runs a trusted document sent in full, however it is formatted and whatever its fragment order', async () => {
    const [, text] = named('DashboardMetrics');
    const document = parse(text);
    const reordered = { ...document, definitions: [...document.definitions].reverse() };
    for (const query of [text, print(reordered), text.replace(/\s+/g, ' ')]) {
      const result = await post({ query });
      expect(result.errors).toBeUndefined();
      expect(result.data?.dashboardMetrics).toBeDefined();
    }
    expect(normalizeDocument(reordered)).toBe(text);
  });

  it('runs a trusted document with the `__typename` fields a client cache adds (urql graphcache), as sent', async () => {
    const [, text] = named('WhoAmI');
    const withTypenames = text.replace('actor', 'actor __typename').replace(/name\n/, 'name\n    __typename\n');
    expect(withTypenames).not.toBe(text);
    const result = await post({ query: withTypenames });
    expect(result.errors).toBeUndefined();
    expect(result.data?.viewer).toEqual({ role: 'ADMIN', actor: expect.stringMatching(/^apikey:/), __typename: 'Viewer' });
  });

  it('runs a trusted document sent by id', async () => {
    const [id] = named('WhoAmI');
    expect((await post({ documentId: id })).data?.viewer).toEqual({ role: 'ADMIN', actor: expect.stringMatching(/^apikey:/) });
    expect((await post({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } })).data?.viewer).toBeDefined();
  });

  it('refuses any other operation, over HTTP and over graphql-ws, with a code', async () => {
    const other = `{ customers(first: 100) { edges { node { email phone } } } }`;
    expect((await post({ query: other })).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    expect((await post({ query: 'not graphql' })).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    expect((await post({ documentId: 'f'.repeat(64) })).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    // A trusted document with an extra field is another document.
    const [, whoAmI] = named('WhoAmI');
    expect((await post({ query: whoAmI.replace('role', 'role kind: __typename') })).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');

    const ws = openWsClient(t.wsUrl, t.workspace.apiKey);
    const run = (query: string) =>
      new Promise<unknown>((resolve) => ws.subscribe({ query }, { next: resolve, error: resolve, complete: () => {} }));
    expect(JSON.stringify(await run(other))).toMatch(/PERSISTED_QUERY_ONLY/);
    expect(await run(whoAmI)).toMatchObject({ data: { viewer: { role: 'ADMIN' } } });
    await ws.dispose();
  });
});
