// Relation fields when the record they point at goes (docs/custom-fields.md, "When the target goes"): trashed, the
// relation reads as null and restoring brings it back; destroyed or erased, the values are cleared in the same
// transaction; merged away, they move to the kept record. Only the caller's workspace's values are touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRunner } from '@crm/core';
import { silentLogger } from '../src/logger.js';
import { startTestGateway, type TestGateway, type TestWorkspace } from '../src/testing/index.js';
import { TrashRetention } from '../src/trash-retention.js';

let t: TestGateway;
let a: TestWorkspace;
let b: TestWorkspace;

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const CONTRACT = `query ($id: ID!) { contract(id: $id) { number customer { id name } company { id name } } }`;

beforeAll(async () => {
  t = await startTestGateway();
  a = t.workspace;
  b = await t.createWorkspace('Workspace B');
  for (const w of [a, b]) {
    const contract = (await w.client.query(`mutation { defineCustomObject(input: { name: "Contract" }) { customObject { id } } }`)).defineCustomObject.customObject;
    for (const field of [
      { name: 'number', type: 'TEXT' },
      { name: 'customer', type: 'RELATION', target: 'Customer' },
      { name: 'company', type: 'RELATION', target: 'Company' },
    ]) {
      await w.client.query(DEFINE_FIELD, { i: { customObjectId: contract.id, ...field } });
    }
    // A relation on a core object too: a customer's referrer, another customer.
    await w.client.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'referrer', type: 'RELATION', target: 'Customer' } });
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
});

async function customer(w: TestWorkspace, name: string, customFields?: Record<string, unknown>): Promise<string> {
  return (await w.client.query(`mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`, { i: { name, ...(customFields ? { customFields } : {}) } }))
    .createCustomer.customer.id;
}
async function company(w: TestWorkspace, name: string): Promise<string> {
  return (await w.client.query(`mutation ($n: String!) { createCompany(input: { name: $n }) { company { id } } }`, { n: name })).createCompany.company.id;
}
async function contract(w: TestWorkspace, number: string, links: { customer?: string; company?: string }): Promise<string> {
  return (await w.client.query(`mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`, { i: { number, ...links } })).createContract.contract.id;
}
const referrerOf = async (w: TestWorkspace, id: string) =>
  (await w.client.query(`query ($id: ID!) { customer(id: $id) { referrer { id } } }`, { id })).customer.referrer?.id ?? null;

/** The stored values of the workspace's contracts and customers, by number/name: what is left in the JSONB. */
async function storedValues(workspaceId: string): Promise<Record<string, Record<string, unknown>>> {
  const rows = await t.database.prisma.$queryRawUnsafe<{ label: string; values: Record<string, unknown> }[]>(
    `SELECT name AS label, "customFields" AS values FROM "Customer" WHERE "workspaceId" = $1::uuid
     UNION ALL SELECT "customFields"->>(SELECT key FROM "CustomFieldDefinition" WHERE "workspaceId" = $1::uuid AND name = 'number'), "customFields" FROM "CustomRecord" WHERE "workspaceId" = $1::uuid`,
    workspaceId,
  );
  return Object.fromEntries(rows.map((row) => [row.label, row.values]));
}

describe('relation fields when the target goes', () => {
  it('a trashed target reads as null (lists, filters, the reverse connection) and comes back when restored; nothing is rewritten', async () => {
    const ada = await customer(a, 'Ada');
    const acme = await company(a, 'Acme');
    const c1 = await contract(a, 'T-1', { customer: ada, company: acme });
    const before = await storedValues(a.workspaceId);

    await a.client.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: ada });
    await a.client.query(`mutation ($id: ID!) { deleteCompany(input: { id: $id }) { deletedCompanyId } }`, { id: acme });
    expect((await a.client.query(CONTRACT, { id: c1 })).contract).toEqual({ number: 'T-1', customer: null, company: null });
    const byName = await a.client.query(`{ contracts(first: 5, filter: { customer: { name: { eq: "Ada" } } }) { totalCount } }`);
    expect(byName.contracts.totalCount).toBe(0);
    expect(await storedValues(a.workspaceId)).toEqual(before);

    await a.client.query(`mutation ($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id } } }`, { id: ada });
    await a.client.query(`mutation ($id: ID!) { restoreCompany(input: { id: $id }) { company { id } } }`, { id: acme });
    expect((await a.client.query(CONTRACT, { id: c1 })).contract).toEqual({ number: 'T-1', customer: { id: ada, name: 'Ada' }, company: { id: acme, name: 'Acme' } });
    const reverse = await a.client.query(`query ($id: ID!) { customer(id: $id) { contracts(first: 5) { totalCount edges { node { number } } } } }`, { id: ada });
    expect(reverse.customer.contracts).toEqual({ totalCount: 1, edges: [{ node: { number: 'T-1' } }] });
  });

  it('a trashed custom record as the target: null while in the trash, back when restored', async () => {
    const invoice = (await a.client.query(`mutation { defineCustomObject(input: { name: "Invoice" }) { customObject { id } } }`)).defineCustomObject.customObject.id;
    await a.client.query(DEFINE_FIELD, { i: { customObjectId: invoice, name: 'ref', type: 'TEXT' } });
    await a.client.query(DEFINE_FIELD, { i: { customObjectId: invoice, name: 'contract', type: 'RELATION', target: 'Contract' } });
    const c0 = await contract(a, 'R-0', {});
    const inv = (await a.client.query(`mutation ($c: ID!) { createInvoice(input: { ref: "I-1", contract: $c }) { invoice { id } } }`, { c: c0 })).createInvoice.invoice.id;
    const READ = `query ($id: ID!) { invoice(id: $id) { ref contract { number } } }`;
    expect((await a.client.query(READ, { id: inv })).invoice).toEqual({ ref: 'I-1', contract: { number: 'R-0' } });
    await a.client.query(`mutation ($id: ID!) { deleteContract(input: { id: $id }) { deletedContractId } }`, { id: c0 });
    expect((await a.client.query(READ, { id: inv })).invoice).toEqual({ ref: 'I-1', contract: null });
    await a.client.query(`mutation ($id: ID!) { restoreContract(input: { id: $id }) { contract { id } } }`, { id: c0 });
    expect((await a.client.query(READ, { id: inv })).invoice).toEqual({ ref: 'I-1', contract: { number: 'R-0' } });

    // Left in the trash past the retention period: the job destroys it and clears the invoice's value with it.
    await a.client.query(`mutation ($id: ID!) { deleteContract(input: { id: $id }) { deletedContractId } }`, { id: c0 });
    await t.database.prisma.customRecord.updateMany({ where: { deletedAt: { not: null } }, data: { deletedAt: new Date(Date.now() - 40 * 86_400_000) } });
    const retention = new TrashRetention({ sql: t.database.sql, runner: new CommandRunner({ prisma: t.database.prisma }), logger: silentLogger, days: 30, batchSize: 10 });
    expect(await retention.runOnce()).toBeGreaterThanOrEqual(1);
    expect((await a.client.query(READ, { id: inv })).invoice).toEqual({ ref: 'I-1', contract: null });
    const invoices = await t.database.prisma.customRecord.findMany({ where: { objectId: invoice }, select: { customFields: true } });
    expect(invoices.map((row) => Object.values(row.customFields as object))).toEqual([['I-1']]);
  });

  it('destroying the target (from the trash or not) clears the values pointing at it in the same transaction', async () => {
    const bob = await customer(a, 'Bob');
    const carol = await customer(a, 'Carol', { referrer: bob });
    const globex = await company(a, 'Globex');
    const c2 = await contract(a, 'D-2', { customer: bob, company: globex });
    await a.client.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: bob });
    await a.client.query(`mutation ($id: ID!) { destroyCustomer(input: { id: $id }) { destroyedCustomerId } }`, { id: bob });
    await a.client.query(`mutation ($id: ID!) { destroyCompany(input: { id: $id }) { destroyedCompanyId } }`, { id: globex });

    expect((await a.client.query(CONTRACT, { id: c2 })).contract).toEqual({ number: 'D-2', customer: null, company: null });
    expect(await referrerOf(a, carol)).toBeNull();
    const stored = await storedValues(a.workspaceId);
    expect(Object.values(stored['D-2']!)).toEqual(['D-2']);
    expect(stored.Carol).toEqual({});
    // The cleared values are gone for filters too: no contract has a customer id any more.
    const unlinked = await a.client.query(`{ contracts(first: 10, filter: { number: { eq: "D-2" }, customerId: { isNull: true } }) { totalCount } }`);
    expect(unlinked.contracts.totalCount).toBe(1);
  });

  it('erasing a person clears the values pointing at them', async () => {
    const dan = await customer(a, 'Dan');
    const c3 = await contract(a, 'E-3', { customer: dan });
    const erin = await customer(a, 'Erin', { referrer: dan });
    const erased = await a.client.query(`mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { removed } }`, { c: dan });
    expect(erased.erasePerson.removed).toMatchObject({ relationValues: 2 });
    expect((await a.client.query(CONTRACT, { id: c3 })).contract.customer).toBeNull();
    expect(await referrerOf(a, erin)).toBeNull();
    expect(Object.values((await storedValues(a.workspaceId))['E-3']!)).toEqual(['E-3']);
  });

  it('merging moves the values to the kept record', async () => {
    const keep = await customer(a, 'Frank');
    const gone = await customer(a, 'Frank Duplicate');
    const c4 = await contract(a, 'M-4', { customer: gone });
    const gina = await customer(a, 'Gina', { referrer: gone });
    const merged = await a.client.query(`mutation ($i: MergeCustomersInput!) { mergeCustomers(input: $i) { moved { kind count } } }`, { i: { keep, merge: [gone] } });
    expect(merged.mergeCustomers.moved).toContainEqual({ kind: 'relationValues', count: 2 });
    expect((await a.client.query(CONTRACT, { id: c4 })).contract.customer).toEqual({ id: keep, name: 'Frank' });
    expect(await referrerOf(a, gina)).toBe(keep);

    const initech = await company(a, 'Initech');
    const initech2 = await company(a, 'Initech Ltd');
    const c5 = await contract(a, 'M-5', { company: initech2 });
    const companies = await a.client.query(`mutation ($i: MergeCompaniesInput!) { mergeCompanies(input: $i) { moved { kind count } } }`, { i: { keep: initech, merge: [initech2] } });
    expect(companies.mergeCompanies.moved).toContainEqual({ kind: 'relationValues', count: 1 });
    expect((await a.client.query(CONTRACT, { id: c5 })).contract.company).toEqual({ id: initech, name: 'Initech' });
  });

  it("another workspace's values are never touched, even one holding the same id; B cannot destroy A's record", async () => {
    const hal = await customer(a, 'Hal');
    const ivy = await customer(b, 'Ivy');
    const theirs = await contract(b, 'B-1', { customer: ivy });
    const [row] = await t.database.prisma.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id::text AS id FROM "Customer" WHERE "workspaceId" = $1::uuid AND name = 'Hal'`,
      a.workspaceId,
    );
    const halUuid = row!.id;
    // B's contract made to hold A's customer id (no API path allows it: the worst case for the UPDATE's scope).
    await t.database.prisma.$executeRawUnsafe(
      `UPDATE "CustomRecord" SET "customFields" = jsonb_set("customFields", ARRAY[(SELECT key FROM "CustomFieldDefinition" WHERE "workspaceId" = $1::uuid AND name = 'customer')], to_jsonb($2::text))
        WHERE "workspaceId" = $1::uuid`,
      b.workspaceId,
      halUuid,
    );
    const before = await storedValues(b.workspaceId);
    const refused = await b.client.request(`mutation ($id: ID!) { destroyCustomer(input: { id: $id }) { destroyedCustomerId } }`, { id: hal });
    expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await referrerOf(a, hal)).toBeNull();
    await a.client.query(`mutation ($id: ID!) { destroyCustomer(input: { id: $id }) { destroyedCustomerId } }`, { id: hal });
    expect(await storedValues(b.workspaceId)).toEqual(before);
    expect(await b.client.query(`query ($id: ID!) { contract(id: $id) { number } }`, { id: theirs })).toEqual({ contract: { number: 'B-1' } });
  });
});
