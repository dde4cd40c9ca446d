// Found while moving the dashboard to the declared object model (issue 14): `customers(search:)` used to match the
// customer's company name (docs/api.md, the dashboard's "Name, email or company" search box); the full-text search
// over the declared searchable fields looks at the customer's own fields only. FAILS until the engine searches the
// company's name too (e.g. a searchable to-one relation field in the declaration).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

describe('customers(search:)', () => {
  it("finds a customer by their company's name, as before the declared object model", async () => {
    const { client } = t.workspace;
    const company = await client.query(`mutation { createCompany(input: { name: "Analytical Engines", industry: "Retail" }) { company { id } } }`);
    const companyId = company.createCompany.company.id;
    await client.query(`mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { name: 'Ada Lovelace', companyId } });
    await client.query(`mutation { createCustomer(input: { name: "Grace Hopper" }) { customer { id } } }`);
    const found = await client.query(`{ customers(search: "Analytical", first: 10) { totalCount edges { node { name } } } }`);
    expect(found.customers.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['Ada Lovelace']);
    expect(found.customers.totalCount).toBe(1);
  });
});
