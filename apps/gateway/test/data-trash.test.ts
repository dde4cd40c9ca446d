import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

// The trash (docs/data.md): deleting moves a record to the trash, every read skips it (Pothos path and SQL
// projection alike), restore brings it back with its relations, destroy (ADMIN) removes it for good, and the
// retention job destroys what has been in the trash too long. Another workspace never reaches any of it.

let t: TestGateway;
let admin: TestClient;
let member: TestClient;
let readOnly: TestClient;
const ids: Record<string, string> = {};

const ADA_VIEW = `query ($id: ID!) {
  customer(id: $id) { id name company { id } deals { totalCount edges { node { id } } } tickets { totalCount } tasks { totalCount }
    activities { totalCount } orders { totalCount } }
}`;

beforeAll(async () => {
  t = await startTestGateway({ trashRetention: { days: 30 } });
  admin = t.workspace.client;
  member = await t.issueKey(t.workspace.workspaceId, 'MEMBER');
  readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
  const q = admin.query.bind(admin);
  ids.company = (await q(`mutation { createCompany(input: { name: "Trash Co", domain: "trash.test" }) { company { id } } }`)).createCompany.company.id;
  ids.ada = (await q(`mutation ($c: ID) { createCustomer(input: { name: "Ada Trash", email: "ada@trash.test", companyId: $c }) { customer { id } } }`, { c: ids.company })).createCustomer.customer.id;
  ids.bob = (await q(`mutation ($c: ID) { createCustomer(input: { name: "Bob Stays", companyId: $c }) { customer { id } } }`, { c: ids.company })).createCustomer.customer.id;
  ids.deal = (await q(`mutation ($c: ID!) { createDeal(input: { customerId: $c, title: "Ada deal", amount: "100.00" }) { deal { id } } }`, { c: ids.ada })).createDeal.deal.id;
  ids.ticket = (await q(`mutation ($c: ID!) { createTicket(input: { customerId: $c, subject: "Ada ticket" }) { ticket { id } } }`, { c: ids.ada })).createTicket.ticket.id;
  ids.task = (await q(`mutation ($c: ID!) { createTask(input: { customerId: $c, title: "Ada task" }) { task { id } } }`, { c: ids.ada })).createTask.task.id;
  ids.activity = (await q(`mutation ($c: ID!) { logActivity(input: { customerId: $c, type: CALL, channel: PHONE, subject: "Ada call" }) { activity { id } } }`, { c: ids.ada })).logActivity.activity.id;
  ids.product = (await q(`mutation { createProduct(input: { sku: "TR-1", name: "Trash widget", unitPrice: "10.00" }) { product { id } } }`)).createProduct.product.id;
  await q(`mutation ($c: ID!) { recordOrder(input: { customerId: $c, lines: [{ sku: "TR-1", quantity: 2 }] }) { order { id } } }`, { c: ids.ada });
});
afterAll(async () => {
  await t?.close();
});

const count = async (client: TestClient, field: string) => (await client.query(`{ ${field} { totalCount } }`))[field].totalCount as number;

describe('deleting moves a record to the trash', () => {
  it('a deleted customer disappears from every read, with its deals, tickets, tasks and activities; its orders stay', async () => {
    const before = { customers: await count(admin, 'customers'), deals: await count(admin, 'deals'), orders: await count(admin, 'orders'), tickets: await count(admin, 'tickets') };
    const deleted = await member.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id, reason: "duplicate entry" }) { deletedCustomerId } }`, { id: ids.ada });
    expect(deleted.deleteCustomer.deletedCustomerId).toBe(ids.ada);

    expect((await admin.query(ADA_VIEW, { id: ids.ada })).customer).toBeNull();
    expect((await admin.query(`query ($id: ID!) { node(id: $id) { id } }`, { id: ids.ada })).node).toBeNull();
    expect((await admin.query(`query ($id: ID!) { deal(id: $id) { id } }`, { id: ids.deal })).deal).toBeNull();
    // The customers page (answered by the SQL projection) and the other lists (Pothos) both skip trashed rows.
    const page = await admin.query(`{ customers(first: 50) { totalCount edges { node { id name } } } }`);
    expect(page.customers.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['Bob Stays']);
    expect(page.customers.totalCount).toBe(before.customers - 1);
    expect(await count(admin, 'deals')).toBe(before.deals - 1);
    expect(await count(admin, 'tickets')).toBe(before.tickets - 1);
    expect(await count(admin, 'orders')).toBe(before.orders);
    // Searching and updating it find nothing.
    expect((await admin.query(`{ customers(search: "Ada") { totalCount } }`)).customers.totalCount).toBe(0);
    expect(await admin.errorCode(`mutation ($id: ID!) { updateCustomer(input: { id: $id, name: "X" }) { customer { id } } }`, { id: ids.ada })).toBe('NOT_FOUND');

    const trash = await admin.query(`{ trash(object: CUSTOMER) { edges { node { id object label deletedBy deleteReason trashedWith } } } }`);
    expect(trash.trash.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { id: ids.ada, object: 'CUSTOMER', label: 'Ada Trash', deletedBy: expect.stringMatching(/^apikey:/), deleteReason: 'duplicate entry', trashedWith: null },
    ]);
    const deals = await admin.query(`{ trash(object: DEAL) { edges { node { label trashedWith } } } }`);
    expect(deals.trash.edges.map((e: { node: unknown }) => e.node)).toEqual([{ label: 'Ada deal', trashedWith: expect.any(String) }]);
    const events = await admin.query(`query ($s: ID!) { events(subjectId: $s, types: ["customer.trashed"]) { edges { node { type payload } } } }`, { s: ids.ada });
    expect(events.events.edges[0].node.payload).toEqual({ reason: 'duplicate entry', withRelated: 4 });
  });

  it('a deal trashed with its customer is restored with it, not on its own', async () => {
    expect(await admin.errorCode(`mutation ($id: ID!) { restoreDeal(input: { id: $id }) { deal { id } } }`, { id: ids.deal })).toBe('CONFLICT');
    const restored = await member.query(`mutation ($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id name } } }`, { id: ids.ada });
    expect(restored.restoreCustomer.customer).toEqual({ id: ids.ada, name: 'Ada Trash' });
    const view = (await admin.query(ADA_VIEW, { id: ids.ada })).customer;
    expect(view).toMatchObject({ company: { id: ids.company }, deals: { totalCount: 1 }, tickets: { totalCount: 1 }, tasks: { totalCount: 1 }, activities: { totalCount: 1 }, orders: { totalCount: 1 } });
    expect((await admin.query(`{ trash(object: DEAL) { edges { node { id } } } }`)).trash.edges).toEqual([]);
  });

  it('links to a trashed company read as null, and come back when it is restored', async () => {
    await member.query(`mutation ($id: ID!) { deleteCompany(input: { id: $id }) { deletedCompanyId } }`, { id: ids.company });
    expect((await admin.query(ADA_VIEW, { id: ids.ada })).customer.company).toBeNull();
    const page = await admin.query(`{ customers(first: 10) { edges { node { name company { id name } } } } }`);
    expect(page.customers.edges.map((e: { node: { company: unknown } }) => e.node.company)).toEqual([null, null]);
    expect((await admin.query(`{ companies { totalCount } }`)).companies.totalCount).toBe(0);
    await member.query(`mutation ($id: ID!) { restoreCompany(input: { id: $id }) { company { id } } }`, { id: ids.company });
    expect((await admin.query(ADA_VIEW, { id: ids.ada })).customer.company).toEqual({ id: ids.company });
  });

  it('tickets, tasks, products and activities have delete and restore too', async () => {
    for (const [object, id] of [['Ticket', ids.ticket], ['Task', ids.task], ['Product', ids.product], ['Activity', ids.activity]] as const) {
      await member.query(`mutation ($id: ID!) { delete${object}(input: { id: $id }) { deleted${object}Id } }`, { id });
      expect((await admin.query(`query ($id: ID!) { node(id: $id) { id } }`, { id })).node, object).toBeNull();
      const restored = await member.query(`mutation ($id: ID!) { restore${object}(input: { id: $id }) { ${object.toLowerCase()} { id } } }`, { id });
      expect(restored[`restore${object}`][object.toLowerCase()].id, object).toBe(id);
    }
  });
});

describe('roles and tenancy', () => {
  it('READ_ONLY cannot delete or restore; only ADMIN destroys', async () => {
    expect(await readOnly.errorCode(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: ids.bob })).toBe('FORBIDDEN');
    expect(await readOnly.errorCode(`mutation ($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id } } }`, { id: ids.bob })).toBe('FORBIDDEN');
    expect(await member.errorCode(`mutation ($id: ID!) { destroyCustomer(input: { id: $id }) { destroyedCustomerId } }`, { id: ids.bob })).toBe('FORBIDDEN');
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { id } }`, { id: ids.bob })).customer).not.toBeNull();
  });

  it('another workspace cannot list, restore or destroy this one’s trash', async () => {
    await admin.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: ids.bob });
    const other = (await t.createWorkspace('Other')).client;
    expect((await other.query(`{ trash(object: CUSTOMER) { edges { node { id } } } }`)).trash.edges).toEqual([]);
    expect(await other.errorCode(`mutation ($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id } } }`, { id: ids.bob })).toBe('NOT_FOUND');
    expect(await other.errorCode(`mutation ($id: ID!) { destroyCustomer(input: { id: $id }) { destroyedCustomerId } }`, { id: ids.bob })).toBe('NOT_FOUND');
    expect((await admin.query(`{ trash(object: CUSTOMER) { edges { node { id } } } }`)).trash.edges).toEqual([{ node: { id: ids.bob } }]);
  });
});

describe('destroying', () => {
  it('destroyCustomer removes the customer and its orders for good', async () => {
    const orders = await count(admin, 'orders');
    const result = await admin.query(`mutation ($id: ID!) { destroyCustomer(input: { id: $id }) { destroyedCustomerId } }`, { id: ids.ada });
    expect(result.destroyCustomer.destroyedCustomerId).toBe(ids.ada);
    expect(await count(admin, 'orders')).toBe(orders - 1);
    expect(await admin.errorCode(`mutation ($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id } } }`, { id: ids.ada })).toBe('NOT_FOUND');
    const events = await admin.query(`query ($s: ID!) { events(subjectId: $s, types: ["customer.destroyed"]) { edges { node { payload } } } }`, { s: ids.ada });
    expect(events.events.edges[0].node.payload).toEqual({ reason: null, withRelated: 0 });
  });

  it('the retention job destroys what has been in the trash longer than TRASH_RETENTION_DAYS, and nothing younger', async () => {
    const id = ids.bob;
    const sql = t.database.sql;
    expect((await admin.query(`{ trash(object: CUSTOMER) { edges { node { id } } } }`)).trash.edges).toEqual([{ node: { id } }]);
    // Not yet expired: nothing happens.
    expect(await t.gateway.trashRetention.runOnce()).toBe(0);
    await sql.query(`UPDATE "Customer" SET "deletedAt" = now() - interval '31 days' WHERE "deletedAt" IS NOT NULL`);
    expect(await t.gateway.trashRetention.runOnce()).toBe(1);
    expect((await admin.query(`{ trash(object: CUSTOMER) { edges { node { id } } } }`)).trash.edges).toEqual([]);
    const events = await admin.query(`query ($s: ID!) { events(subjectId: $s, types: ["customer.destroyed"]) { edges { node { actor payload } } } }`, { s: id });
    expect(events.events.edges[0].node).toEqual({ actor: 'system', payload: { reason: 'retention', withRelated: 0 } });
  });
});
