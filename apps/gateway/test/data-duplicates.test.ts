import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

// Customers' duplicate pairs are stored and kept exact (docs/data.md, "Duplicates and merge"): every write path queues
// the customers whose evidence changed, and `duplicates` re-scores them before reading. These tests change the
// evidence through the API and directly in the database, and read the pairs after each change.

let t: TestGateway;
let ws: TestWorkspace;
let admin: TestClient;

const PAIRS = `{ duplicates(object: CUSTOMER, first: 100) { score reasons nameSimilarity records { id } } }`;
const pairs = async (client: TestClient = admin) =>
  ((await client.query(PAIRS)).duplicates as { score: number; reasons: string[]; records: { id: string }[] }[]).map((p) => ({
    ids: p.records.map((r) => r.id).sort(),
    reasons: p.reasons,
    score: p.score,
  }));
const create = async (input: Record<string, unknown>, client: TestClient = admin) =>
  (await client.query(`mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`, { i: input })).createCustomer.customer.id as string;
const update = (input: Record<string, unknown>) => admin.query(`mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`, { i: input });
const queued = async () => Number((await t.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "CustomerDuplicateCheck"`))[0]!.n);

beforeAll(async () => {
  t = await startTestGateway();
  ws = t.workspace;
  admin = ws.client;
});
afterAll(async () => {
  await t?.close();
});

describe('stored duplicate pairs', () => {
  it('follow edits: a pair appears when the evidence appears and goes when it goes', async () => {
    const grace = await create({ name: 'Grace Hopper', email: 'grace@navy.test' });
    const other = await create({ name: 'Rear Admiral', email: 'ra@navy.test' });
    expect(await pairs()).toEqual([]);
    await update({ id: other, email: 'Grace+conf@navy.test' });
    expect(await pairs()).toEqual([{ ids: [grace, other].sort(), reasons: ['EMAIL'], score: expect.closeTo(0.9, 2) }]);
    await update({ id: other, phone: '+1 202 555 0100' });
    await update({ id: grace, phone: '001 202 555 0100' });
    expect((await pairs())[0]!.reasons).toEqual(['EMAIL', 'PHONE']);
    await update({ id: other, email: 'ra@navy.test', phone: null });
    expect(await pairs()).toEqual([]);
    // A write that changes no evidence (an order updates the purchase figures) queues nothing.
    await admin.query(`mutation ($c: ID!) { recordOrder(input: { customerId: $c, lines: [{ sku: "D-1", quantity: 1, unitPrice: "9.00" }] }) { order { id } } }`, { c: grace });
    expect(await queued()).toBe(0);
  });

  it('leave the trash out and come back on restore', async () => {
    const a = await create({ name: 'Linus Pauling', email: 'linus@chem.test' });
    const b = await create({ name: 'Linus Pauling', email: 'l.pauling@chem.test' });
    expect((await pairs()).find((p) => p.ids.includes(a))).toMatchObject({ reasons: ['NAME'] });
    await admin.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: b });
    expect((await pairs()).some((p) => p.ids.includes(a))).toBe(false);
    await admin.query(`mutation ($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id } } }`, { id: b });
    expect((await pairs()).find((p) => p.ids.includes(a))).toMatchObject({ ids: [a, b].sort(), reasons: ['NAME'] });
  });

  it('score rows written directly (an import), same company with a typo, and skip a name shared by 50 or more', async () => {
    const company = (await admin.query(`mutation { createCompany(input: { name: "Initech" }) { company { id } } }`)).createCompany.company.id as string;
    const { rowId } = await import('@crm/graph');
    const companyId = rowId(company, 'Company', 'company');
    const rows = [
      { workspaceId: ws.workspaceId, name: 'Milton Waddams', companyId },
      { workspaceId: ws.workspaceId, name: 'Milton Wadams', companyId },
      ...Array.from({ length: 55 }, (_, i) => ({ workspaceId: ws.workspaceId, name: 'Sam Smith', email: `sam${i}@common.test` })),
      { workspaceId: ws.workspaceId, name: 'Sam Smith', email: 'sam0+news@common.test' },
    ];
    await t.database.prisma.customer.createMany({ data: rows });
    expect(await queued()).toBe(rows.length);
    const found = await pairs();
    expect(await queued()).toBe(0);
    const milton = found.filter((p) => p.reasons.includes('COMPANY'));
    expect(milton).toEqual([{ ids: expect.any(Array), reasons: ['NAME', 'COMPANY'], score: expect.any(Number) }]);
    // 56 Sam Smiths: the name alone is no evidence; the one with the same mailbox is still found by email.
    const sams = found.filter((p) => p.reasons.includes('EMAIL') && p.score > 0.9);
    expect(sams).toHaveLength(1);
  });

  it('never pair customers of two workspaces', async () => {
    const other = await t.createWorkspace('Other');
    await create({ name: 'Grace Hopper', email: 'grace@navy.test' }, other.client);
    expect(await pairs(other.client)).toEqual([]);
    expect((await pairs()).every((p) => p.ids.length === 2)).toBe(true);
    const rows = await t.database.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "CustomerDuplicate" d JOIN "Customer" x ON x.id = d."customerId" JOIN "Customer" y ON y.id = d."otherId" WHERE x."workspaceId" <> y."workspaceId" OR d."workspaceId" <> x."workspaceId"`,
    );
    expect(rows[0]!.n).toBe(0);
  });
});
