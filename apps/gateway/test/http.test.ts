import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../src/logger.js';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

const logged: string[] = [];
const logger: Logger = { info() {}, warn() {}, error: (message, fields) => logged.push(`${message} ${JSON.stringify(fields)}`) };

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    logger,
    // A field that fails the way a bug would: the client must get a masked error, the log the real one.
    extend: [(builder) => builder.queryField('explode', (f) => f.boolean({ resolve: () => { throw new Error('SELECT secret FROM internals'); } }))],
  });
});
afterAll(async () => {
  await t?.close();
});

const auth = () => ({ authorization: `Bearer ${t.workspace.apiKey}` });

describe('the HTTP surface', () => {
  it('answers /health and /ready', async () => {
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    const ready = await fetch(`${t.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves queries over GET and GraphiQL to a browser', async () => {
    const query = encodeURIComponent('{ viewer { role } }');
    const get = await fetch(`${t.url}/graphql?query=${query}`, { headers: { ...auth(), accept: 'application/json' } });
    expect(((await get.json()) as { data: unknown }).data).toEqual({ viewer: { role: 'ADMIN' } });
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/GraphiQL|graphiql/);
  });

  it('never runs a mutation sent over GET (no CSRF through links)', async () => {
    const query = encodeURIComponent('mutation { createCompany(input: { name: "Via GET" }) { company { id } } }');
    const res = await fetch(`${t.url}/graphql?query=${query}`, { headers: { ...auth(), accept: 'application/json' } });
    // GraphQL over HTTP: with `application/json` the refusal comes as an error in a 200 response; nothing runs.
    const body = (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.message).toMatch(/only perform a mutation operation from a POST/);
    expect(await t.database.prisma.company.count({ where: { name: 'Via GET' } })).toBe(0);
  });

  it('refuses bodies over the limit with 413, before any GraphQL work', async () => {
    const huge = JSON.stringify({ query: `{ viewer { role } }`, variables: { pad: 'x'.repeat(1024 * 1024 + 10) } });
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: huge });
    expect(res.status).toBe(413);
  });

  it('rejects abusive query shapes with QUERY_TOO_COMPLEX', async () => {
    const { client } = t.workspace;
    const deep = `{ customers { edges { node { company { customers { edges { node { company { customers { edges { node { company { name } } } } } } } } } } } } }`;
    expect(await client.errorCode(deep)).toBe('QUERY_TOO_COMPLEX');
    const aliases = `{ ${Array.from({ length: 25 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`;
    expect(await client.errorCode(aliases)).toBe('QUERY_TOO_COMPLEX');
  });

  it('masks internal errors: no message, stack or SQL reaches the client, and the server logs them', async () => {
    const result = await t.workspace.client.request(`{ explode }`);
    expect(result.errors?.[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(result)).not.toMatch(/secret|internals|stack|at /);
    expect(logged.some((line) => line.includes('SELECT secret FROM internals'))).toBe(true);
  });

  it('names unknown routes and redirects / to /graphql', async () => {
    expect((await fetch(`${t.url}/nope`)).status).toBe(404);
    const root = await fetch(`${t.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/graphql');
  });
});
