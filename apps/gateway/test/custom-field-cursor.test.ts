// Paging with `after` through a list sorted by a custom field (docs/custom-fields.md): custom values are nullable and
// only the read engine can sort on them, so its cursor keeps the nulls where the order puts them (last ascending,
// first descending, or as `nulls` says). Every page sequence equals the one-page answer, for a custom object and for
// customers, and a cursor of another workspace finds nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
  const api = t.workspace.client;
  const object = (await api.query(`mutation { defineCustomObject(input: { name: "Contract" }) { customObject { id } } }`)).defineCustomObject.customObject.id;
  const define = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
  await api.query(define, { i: { customObjectId: object, name: 'number', type: 'TEXT' } });
  await api.query(define, { i: { customObjectId: object, name: 'amount', type: 'MONEY', currency: 'EUR' } });
  await api.query(define, { i: { object: 'CUSTOMER', name: 'seats', type: 'NUMBER' } });
  // Ties, and nulls among the values, so that the cursor has to compare both.
  const amounts = ['30', null, '10', '20', null, '10', '40', null, '20'];
  for (const [i, amount] of amounts.entries()) {
    await api.query(`mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`, { i: { number: `C-${i}`, amount } });
    await api.query(`mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`, { i: { name: `P-${i}`, customFields: { seats: amount === null ? null : Number(amount) } } });
  }
});
afterAll(async () => {
  await t?.close();
});

/** The names of the whole list in one page, and walked page by page (`size` at a time, with `after`). */
async function walk(client: TestClient, list: string, name: string, orderBy: unknown, size: number) {
  const query = `query ($orderBy: [${list === 'contracts' ? 'Contract' : 'Customer'}OrderBy!], $first: Int!, $after: String) {
    ${list}(orderBy: $orderBy, first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { ${name} } } }
  }`;
  const whole = (await client.query(query, { orderBy, first: 100 }))[list].edges.map((e: { node: Record<string, string> }) => e.node[name]);
  const walked: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 20; pages++) {
    const page: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: Record<string, string> }[] } = (await client.query(query, { orderBy, first: size, after }))[list];
    walked.push(...page.edges.map((e) => e.node[name]!));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { whole, walked };
}

describe('cursors over a custom field sort', () => {
  const orders = [
    [{ field: 'AMOUNT', direction: 'ASC' }],
    [{ field: 'AMOUNT', direction: 'DESC' }],
    [{ field: 'AMOUNT', direction: 'ASC', nulls: 'FIRST' }],
    [{ field: 'AMOUNT', direction: 'DESC', nulls: 'LAST' }],
    [{ field: 'AMOUNT', direction: 'DESC' }, { field: 'NUMBER', direction: 'DESC' }],
  ];

  it('pages through a custom object sorted by a nullable custom field exactly as the one-page answer', async () => {
    for (const orderBy of orders) {
      for (const size of [1, 2, 4]) {
        const { whole, walked } = await walk(t.workspace.client, 'contracts', 'number', orderBy, size);
        expect(walked, JSON.stringify({ orderBy, size })).toEqual(whole);
        expect(whole).toHaveLength(9);
      }
    }
    // Nulls where the order puts them: last ascending, first descending.
    const asc = (await walk(t.workspace.client, 'contracts', 'number', orders[0], 100)).whole;
    expect(asc.slice(-3).sort()).toEqual(['C-1', 'C-4', 'C-7']);
    const desc = (await walk(t.workspace.client, 'contracts', 'number', orders[1], 100)).whole;
    expect(desc.slice(0, 3).sort()).toEqual(['C-1', 'C-4', 'C-7']);
  });

  it("pages through customers sorted by a custom field, and another workspace's cursor finds nothing", async () => {
    for (const orderBy of [[{ field: 'SEATS', direction: 'ASC' }], [{ field: 'SEATS', direction: 'DESC', nulls: 'LAST' }]]) {
      const { whole, walked } = await walk(t.workspace.client, 'customers', 'name', orderBy, 2);
      expect(walked, JSON.stringify(orderBy)).toEqual(whole);
      expect(whole).toHaveLength(9);
    }
    const other = await t.createWorkspace('Other');
    await other.client.query(`mutation { defineCustomField(input: { object: CUSTOMER, name: "seats", type: NUMBER }) { customField { id } } }`);
    await other.client.query(`mutation { createCustomer(input: { name: "Theirs", customFields: { seats: 1 } }) { customer { id } } }`);
    await other.client.query(`mutation { createCustomer(input: { name: "Theirs too" }) { customer { id } } }`);
    // A cursor on a row with a value and one on a row without (nulls first descending): neither exists for B.
    for (const direction of ['ASC', 'DESC']) {
      const cursors = (await t.workspace.client.query(`{ customers(first: 9, orderBy: [{ field: SEATS, direction: ${direction} }]) { edges { cursor } } }`)).customers.edges.map((e: { cursor: string }) => e.cursor);
      for (const after of [cursors[0], cursors[8]]) {
        const theirs = await other.client.query(`query ($after: String) { customers(first: 5, after: $after, orderBy: [{ field: SEATS, direction: ${direction} }]) { edges { node { name } } } }`, { after });
        expect(theirs.customers.edges).toEqual([]);
      }
    }
  });
});
