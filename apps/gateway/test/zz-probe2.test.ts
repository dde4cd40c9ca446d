import { afterAll, beforeAll, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => { t = await startTestGateway({}); }, 120_000);
afterAll(async () => { await t?.close(); });

it('probes', async () => {
  for (const accept of ['application/graphql-response+json', 'application/json']) {
    const cases: [string, string][] = [
      ['malformed', '{"query": '],
      ['no query', '{"variables": {}}'],
      ['parse', JSON.stringify({ query: '{ viewer { ' })],
      ['validation', JSON.stringify({ query: '{ nope }' })],
      ['toocomplex', JSON.stringify({ query: `{ ${Array.from({ length: 25 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }` })],
      ['pagesize', JSON.stringify({ query: '{ customers(first: 500) { totalCount } }' })],
      ['var', JSON.stringify({ query: 'query($f: Int) { customers(first: $f) { totalCount } }', variables: { f: 'x' } })],
      ['unauth', JSON.stringify({ query: '{ customers { totalCount } }' })],
      ['array body', '[1,2]'],
      ['query number', '{"query": 5}'],
    ];
    for (const [name, body] of cases) {
      const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept, ...(name === 'unauth' ? {} : { authorization: `Bearer ${t.workspace.apiKey}` }) }, body });
      console.log(accept, name, res.status, res.headers.get('content-type'), (await res.text()).slice(0, 200));
    }
  }
}, 120_000);
