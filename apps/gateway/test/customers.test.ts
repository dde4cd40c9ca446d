import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateCustomerInput!) {
    createCustomer(input: $input) {
      customer { id name email phone lifecycleStage tags lifetimeValue company { name } createdAt }
    }
  }
`;

describe('customers', () => {
  it('creates a customer with a company and reads it back by id and through node', async () => {
    const { client } = t.workspace;
    const company = await client.query(`mutation { createCompany(input: { name: "Acme", domain: "acme.com" }) { company { id name } } }`);
    const companyId = company.createCompany.company.id;
    const created = await client.query(CREATE, {
      input: { name: 'Ada Lovelace', email: 'Ada@Example.com', phone: '+44 20 7946 0000', companyId, tags: ['VIP', 'vip', 'beta'] },
    });
    const customer = created.createCustomer.customer;
    expect(customer).toMatchObject({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      lifecycleStage: 'PROSPECT',
      tags: ['vip', 'beta'],
      lifetimeValue: '0.00',
      company: { name: 'Acme' },
    });
    expect(customer.id).not.toContain('-'); // opaque global id, not the row's uuid

    const byId = await client.query(`query ($id: ID!) { customer(id: $id) { name } node(id: $id) { id ... on Customer { email } } }`, { id: customer.id });
    expect(byId.customer.name).toBe('Ada Lovelace');
    expect(byId.node).toEqual({ id: customer.id, email: 'ada@example.com' });
  });

  it('rejects bad input with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const { client } = t.workspace;
    const before = (await client.query(`{ customers { totalCount } }`)).customers.totalCount;
    const bad = await client.request(CREATE, { input: { name: 'Bad', email: 'not-an-email' } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    const badPhone = await client.request(CREATE, { input: { name: 'Bad', phone: '12' } });
    expect(badPhone.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'phone' });
    const empty = await client.request(CREATE, { input: { name: '  ' } });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const badRef = await client.request(CREATE, { input: { name: 'X', companyId: 'nonsense' } });
    expect(badRef.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'companyId' });
    expect((await client.query(`{ customers { totalCount } }`)).customers.totalCount).toBe(before);
  });

  it('refuses a duplicate email with CONFLICT', async () => {
    const { client } = t.workspace;
    await client.query(CREATE, { input: { name: 'Grace', email: 'grace@navy.mil' } });
    const dup = await client.request(CREATE, { input: { name: 'Grace 2', email: 'GRACE@navy.mil' } });
    expect(dup.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
  });

  it('updates, records lifecycle history, and deletes', async () => {
    const { client } = t.workspace;
    const { createCustomer } = await client.query(CREATE, { input: { name: 'Alan', lifecycleStage: 'LEAD' } });
    const id = createCustomer.customer.id;
    const updated = await client.query(
      `mutation ($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { name lifecycleStage churnReason stageHistory { fromStage toStage reason } } } }`,
      { input: { id, name: 'Alan Turing', lifecycleStage: 'CHURNED', churnReason: 'Moved to a competitor' } },
    );
    expect(updated.updateCustomer.customer).toEqual({
      name: 'Alan Turing',
      lifecycleStage: 'CHURNED',
      churnReason: 'Moved to a competitor',
      stageHistory: [
        { fromStage: null, toStage: 'LEAD', reason: null },
        { fromStage: 'LEAD', toStage: 'CHURNED', reason: 'Moved to a competitor' },
      ],
    });
    const deleted = await client.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id });
    expect(deleted.deleteCustomer.deletedCustomerId).toBe(id);
    expect((await client.query(`query ($id: ID!) { customer(id: $id) { id } }`, { id })).customer).toBeNull();
    const again = await client.request(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('filters, searches, sorts and paginates the customer list', async () => {
    const ws = await t.createWorkspace('List workspace');
    const c = ws.client;
    const names = ['Zoe Zed', 'Yann Young', 'Xavier Xu', 'Wendy Wu', 'Victor Vale'];
    for (const [i, name] of names.entries()) {
      await c.query(CREATE, { input: { name, email: `${name.split(' ')[0]!.toLowerCase()}@shop.test`, lifecycleStage: i % 2 ? 'LEAD' : 'CUSTOMER', tags: i < 2 ? ['north'] : ['south'] } });
    }
    const leads = await c.query(`{ customers(filter: { lifecycleStage: { eq: LEAD } }) { totalCount edges { node { name } } } }`);
    expect(leads.customers.totalCount).toBe(2);
    const north = await c.query(`{ customers(filter: { tags: { has: "north" } }, orderBy: [{ field: NAME, direction: ASC }]) { edges { node { name } } } }`);
    expect(north.customers.edges.map((e: any) => e.node.name)).toEqual(['Yann Young', 'Zoe Zed']);
    const search = await c.query(`{ customers(search: "wu") { edges { node { name } } } }`);
    expect(search.customers.edges.map((e: any) => e.node.name)).toEqual(['Wendy Wu']);

    const page1 = await c.query(`{ customers(first: 2, orderBy: [{ field: NAME, direction: ASC }]) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } } } }`);
    expect(page1.customers.totalCount).toBe(5);
    expect(page1.customers.edges.map((e: any) => e.node.name)).toEqual(['Victor Vale', 'Wendy Wu']);
    expect(page1.customers.pageInfo.hasNextPage).toBe(true);
    const page2 = await c.query(
      `query ($after: String) { customers(first: 2, after: $after, orderBy: [{ field: NAME, direction: ASC }]) { pageInfo { hasNextPage hasPreviousPage } edges { node { name } } } }`,
      { after: page1.customers.pageInfo.endCursor },
    );
    expect(page2.customers.edges.map((e: any) => e.node.name)).toEqual(['Xavier Xu', 'Yann Young']);
    const last = await c.query(`{ customers(last: 1, orderBy: [{ field: NAME, direction: ASC }]) { edges { node { name } } } }`);
    expect(last.customers.edges.map((e: any) => e.node.name)).toEqual(['Zoe Zed']);
  });

  it('answers a malformed cursor with BAD_USER_INPUT, not an internal error', async () => {
    for (const after of ['nonsense', Buffer.from('not ours').toString('base64')]) {
      const res = await t.workspace.client.request(`query ($after: String) { customers(first: 2, after: $after) { totalCount } }`, { after });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(res.errors?.[0]?.message).toMatch(/cursor/i);
    }
  });

  it('rejects page sizes over 100', async () => {
    const res = await t.workspace.client.request(`{ customers(first: 101) { totalCount } }`);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('answers UNAUTHENTICATED without a key or with a bad one, FORBIDDEN for a read-only write', async () => {
    expect(await t.client().errorCode(`{ customers { totalCount } }`)).toBe('UNAUTHENTICATED');
    expect(await t.client('crm_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb').errorCode(`{ customers { totalCount } }`)).toBe('UNAUTHENTICATED');
    const readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    expect((await readOnly.query(`{ customers { totalCount } }`)).customers.totalCount).toBeGreaterThan(0);
    expect(await readOnly.errorCode(CREATE, { input: { name: 'Nope' } })).toBe('FORBIDDEN');
    // The role is checked before the input: invalid input from a READ_ONLY key is still FORBIDDEN.
    expect(await readOnly.errorCode(CREATE, { input: { name: 'Nope', email: 'not-an-email' } })).toBe('FORBIDDEN');
    expect(await t.client().errorCode(CREATE, { input: { name: 'Nope', email: 'not-an-email' } })).toBe('UNAUTHENTICATED');
  });
});
