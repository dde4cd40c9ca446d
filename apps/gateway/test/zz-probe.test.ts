import { afterAll, beforeAll, it } from 'vitest';
import { pluginHostFromEnvironment } from '@crm/plugin-sdk/host';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  const { host } = await pluginHostFromEnvironment({ bundledOnly: true });
  t = await startTestGateway({ plugins: host, migrations: host.migrations });
}, 120_000);
afterAll(async () => { await t?.close(); });

it('probes', async () => {
  const c = t.workspace.client;
  const cases: [string, string, Record<string, unknown>?][] = [
    ['wrong var type', 'query($f: Int) { customers(first: $f) { totalCount } }', { f: 'ten' }],
    ['missing required', 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }', { i: {} }],
    ['unknown field', 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }', { i: { name: 'x', bogus: 1 } }],
    ['unknown enum', 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }', { i: { name: 'x', lifecycleStage: 'NOPE' } }],
    ['literal first ten', '{ customers(first: "ten") { totalCount } }'],
    ['NUL name', 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }', { i: { name: 'a\u0000b' } }],
    ['lone surrogate', 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }', { i: { name: 'a\ud800b' } }],
    ['NUL search', 'query($s: String) { customers(search: $s) { totalCount } }', { s: 'a\u0000' }],
    ['NUL id', 'query($id: ID!) { customer(id: $id) { id } }', { id: 'a\u0000' }],
    ['node bad uuid', 'query($id: ID!) { node(id: $id) { id } }', { id: Buffer.from('Customer:notauuid').toString('base64') }],
    ['node unknown type', 'query($id: ID!) { node(id: $id) { id } }', { id: Buffer.from('Nope:5f0c8d6e-1111-4111-8111-111111111111').toString('base64') }],
    ['customer bad uuid', 'query($id: ID!) { customer(id: $id) { id } }', { id: Buffer.from('Customer:notauuid').toString('base64') }],
    ['year 0', 'mutation($i: LogActivityInput!) { logActivity(input: $i) { activity { id } } }', { i: { customerId: 'x', type: 'CALL', channel: 'PHONE', subject: 's', occurredAt: '0000-01-01T00:00:00Z' } }],
    ['feb 30', 'query($d: DateTime) { customers(filter: { createdAfter: $d }) { totalCount } }', { d: '2026-02-30T00:00:00Z' }],
  ];
  for (const [name, q, v] of cases) {
    const r = await c.request(q, v);
    console.log(name, r.status, JSON.stringify(r.errors?.map((e) => [e.message.slice(0, 120), e.extensions?.code])), JSON.stringify(r.data)?.slice(0, 100));
  }
}, 120_000);
