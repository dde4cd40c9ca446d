import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

// Field history: every update records each changed field's old and new value in its event (`changes`, beside the
// `changed` names kept for older consumers), readable as `X.history` on every updatable object.

let t: TestGateway;
let admin: TestClient;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestGateway();
  admin = t.workspace.client;
  const q = admin.query.bind(admin);
  ids.company = (await q(`mutation { createCompany(input: { name: "Hist Co" }) { company { id } } }`)).createCompany.company.id;
  ids.customer = (await q(`mutation { createCustomer(input: { name: "Ada Old", phone: "+44 20 7946 0000" }) { customer { id } } }`)).createCustomer.customer.id;
  ids.deal = (await q(`mutation ($c: ID!) { createDeal(input: { customerId: $c, title: "Old deal", amount: "100.00" }) { deal { id } } }`, { c: ids.customer })).createDeal.deal.id;
  ids.ticket = (await q(`mutation ($c: ID!) { createTicket(input: { customerId: $c, subject: "Old subject" }) { ticket { id } } }`, { c: ids.customer })).createTicket.ticket.id;
  ids.task = (await q(`mutation { createTask(input: { title: "Old task" }) { task { id } } }`)).createTask.task.id;
  ids.product = (await q(`mutation { createProduct(input: { sku: "H-1", name: "Old widget", unitPrice: "10.00" }) { product { id } } }`)).createProduct.product.id;
});
afterAll(async () => {
  await t?.close();
});

const HISTORY = (type: string) => `query ($id: ID!) { ${type}(id: $id) { history(types: ["${type}.updated"]) { totalCount edges { node { type actor payload } } } } }`;
const nodeHistory = (type: string) => `query ($id: ID!) { node(id: $id) { ... on ${type} { history(types: ["${type.toLowerCase()}.updated"]) { totalCount edges { node { type actor payload } } } } } }`;

describe('field history', () => {
  it('customer.updated carries each changed field’s old and new value, and unchanged fields are not listed', async () => {
    await admin.query(`mutation ($id: ID!) { updateCustomer(input: { id: $id, name: "Ada New", phone: "+44 20 7946 0001", tags: [] }) { customer { id } } }`, { id: ids.customer });
    const history = (await admin.query(HISTORY('customer'), { id: ids.customer })).customer.history;
    expect(history.totalCount).toBe(1);
    expect(history.edges[0].node).toEqual({
      type: 'customer.updated',
      actor: expect.stringMatching(/^apikey:/),
      payload: {
        changed: ['name', 'phone'],
        changes: { name: { from: 'Ada Old', to: 'Ada New' }, phone: { from: '+44 20 7946 0000', to: '+44 20 7946 0001' } },
      },
    });
  });

  it('companies, deals, tickets, tasks and products have the same history', async () => {
    const q = admin.query.bind(admin);
    await q(`mutation ($id: ID!) { updateCompany(input: { id: $id, name: "Hist Co 2", industry: "Retail" }) { company { id } } }`, { id: ids.company });
    await q(`mutation ($id: ID!) { updateDeal(input: { id: $id, amount: "250.50" }) { deal { id } } }`, { id: ids.deal });
    await q(`mutation ($id: ID!) { updateTicket(input: { id: $id, subject: "New subject", priority: HIGH }) { ticket { id } } }`, { id: ids.ticket });
    await q(`mutation ($id: ID!) { updateTask(input: { id: $id, title: "New task" }) { task { id } } }`, { id: ids.task });
    await q(`mutation ($id: ID!) { updateProduct(input: { id: $id, unitPrice: "12.00" }) { product { id } } }`, { id: ids.product });
    const expectations: [string, string, Record<string, { from: unknown; to: unknown }>][] = [
      ['Company', ids.company!, { name: { from: 'Hist Co', to: 'Hist Co 2' }, industry: { from: null, to: 'Retail' } }],
      ['Deal', ids.deal!, { amount: { from: '100.00', to: '250.50' } }],
      ['Ticket', ids.ticket!, { subject: { from: 'Old subject', to: 'New subject' }, priority: { from: 'NORMAL', to: 'HIGH' } }],
      ['Task', ids.task!, { title: { from: 'Old task', to: 'New task' } }],
      ['Product', ids.product!, { unitPrice: { from: '10.00', to: '12.00' } }],
    ];
    for (const [type, id, changes] of expectations) {
      const history = (await admin.query(nodeHistory(type), { id })).node.history;
      expect(history.totalCount, type).toBe(1);
      expect(history.edges[0].node.payload, type).toMatchObject({ changed: Object.keys(changes), changes });
    }
  });

  it('a page of companies reads its histories in one statement', async () => {
    const statements = await t.sql.during(() => admin.query(`{ companies(first: 10) { edges { node { history(first: 5) { edges { node { type } } } } } } }`));
    expect(statements.filter((s) => s.includes('"Event"')).length).toBe(1);
  });

  it('another workspace reads none of it', async () => {
    const other = (await t.createWorkspace('Other')).client;
    expect((await other.query(nodeHistory('Company'), { id: ids.company })).node).toBeNull();
    const log = await other.query(`{ events(types: ["customer.updated", "company.updated"]) { totalCount } }`);
    expect(log.events.totalCount).toBe(0);
  });
});
