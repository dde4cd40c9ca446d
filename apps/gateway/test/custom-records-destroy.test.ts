// `destroyX` of a custom object's records (docs/custom-fields.md, "Custom objects"): ADMIN removes a record for good,
// live or from the trash, and the relation values pointing at it are cleared in the same transaction, with a
// `contract.destroyed` event. MEMBER and READ_ONLY keys are refused; another workspace's key cannot reach the record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient, TestGateway, TestWorkspace } from '../src/testing/index.js';
import { startWithTwoWorkspaces } from './support/two-workspaces.js';

let t: TestGateway;
let a: TestWorkspace;
let b: TestWorkspace;
let member: TestClient;
let readOnly: TestClient;

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const CREATE_CONTRACT = `mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`;
const DESTROY = `mutation ($i: DestroyContractInput!) { destroyContract(input: $i) { destroyedContractId } }`;
const TRASH = `{ trash(object: CONTRACT, first: 20) { edges { node { id } } } }`;

async function errorCode(client: TestClient, query: string, variables?: Record<string, unknown>) {
  const result = await client.request(query, variables);
  expect(result.errors?.length, JSON.stringify(result)).toBeTruthy();
  return result.errors![0]!.extensions?.code;
}

beforeAll(async () => {
  ({ t, a, b, member, readOnly } = await startWithTwoWorkspaces());
  for (const w of [a, b]) {
    const contract = (await w.client.query(`mutation { defineCustomObject(input: { name: "Contract" }) { customObject { id } } }`)).defineCustomObject.customObject;
    await w.client.query(DEFINE_FIELD, { i: { customObjectId: contract.id, name: 'number', type: 'TEXT' } });
    // A customer's main contract: a relation value pointing at a record of the object.
    await w.client.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'mainContract', type: 'RELATION', target: 'Contract' } });
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('destroyX for custom records', () => {
  it('ADMIN destroys a live record: gone for good, the relation values pointing at it cleared, contract.destroyed recorded', async () => {
    const id = (await a.client.query(CREATE_CONTRACT, { i: { number: 'C-1' } })).createContract.contract.id;
    const customer = (await a.client.query(`mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`, { i: { name: 'Ada', customFields: { mainContract: id } } }))
      .createCustomer.customer.id;
    const b1 = (await b.client.query(CREATE_CONTRACT, { i: { number: 'B-1' } })).createContract.contract.id;

    // Refused to MEMBER and READ_ONLY keys, and to another workspace's ADMIN (the id is not there).
    expect(await errorCode(member, DESTROY, { i: { id } })).toBe('FORBIDDEN');
    expect(await errorCode(readOnly, DESTROY, { i: { id } })).toBe('FORBIDDEN');
    expect(await errorCode(b.client, DESTROY, { i: { id } })).toBe('NOT_FOUND');
    expect(await errorCode(a.client, DESTROY, { i: { id: b1 } })).toBe('NOT_FOUND');

    expect((await a.client.query(DESTROY, { i: { id } })).destroyContract).toEqual({ destroyedContractId: id });
    expect((await a.client.query(`query ($id: ID!) { contract(id: $id) { id } }`, { id })).contract).toBeNull();
    expect((await a.client.query(`query ($id: ID!) { customer(id: $id) { mainContract { id } } }`, { id: customer })).customer.mainContract).toBeNull();
    const stored = await t.database.prisma.$queryRawUnsafe<{ values: Record<string, unknown> }[]>(`SELECT "customFields" AS values FROM "Customer" WHERE name = 'Ada'`);
    expect(stored[0]!.values).toEqual({});
    const events = (await a.client.query(`{ events(first: 5, types: ["contract.destroyed"]) { edges { node { type subject { id } payload } } } }`)).events.edges;
    expect(events.map((e: { node: unknown }) => e.node)).toEqual([{ type: 'contract.destroyed', subject: null, payload: { object: 'Contract', reason: null } }]);
    // B's record is untouched.
    expect((await b.client.query(`query ($id: ID!) { contract(id: $id) { id } }`, { id: b1 })).contract).toEqual({ id: b1 });
  });

  it('ADMIN destroys a trashed record: it leaves the trash listing; a second destroy is NOT_FOUND', async () => {
    const id = (await a.client.query(CREATE_CONTRACT, { i: { number: 'C-2' } })).createContract.contract.id;
    await a.client.query(`mutation ($i: DeleteContractInput!) { deleteContract(input: $i) { deletedContractId } }`, { i: { id } });
    expect((await a.client.query(TRASH)).trash.edges).toEqual([{ node: { id } }]);
    await a.client.query(DESTROY, { i: { id } });
    expect((await a.client.query(TRASH)).trash.edges).toEqual([]);
    expect(await errorCode(a.client, DESTROY, { i: { id } })).toBe('NOT_FOUND');
    expect(await errorCode(a.client, `mutation ($i: RestoreContractInput!) { restoreContract(input: $i) { contract { id } } }`, { i: { id } })).toBe('NOT_FOUND');
  });
});
