// Saved segments and bulk targets on custom fields (docs/custom-fields.md, "Segments and bulk targets"): both select
// records with the read engine's filter compiler, so a custom field, and a relation field to a custom object, filter
// a segment or an `updateXs(where: { filter })` as they filter a list. Membership follows custom values as they
// change (customers' and custom records'); deleting a field a segment names (live or archived) is refused unless forced. Tenancy and
// roles attacked on each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient, TestGateway, TestWorkspace } from '../src/testing/index.js';
import { startWithTwoWorkspaces } from './support/two-workspaces.js';

let t: TestGateway;
let a: TestWorkspace;
let b: TestWorkspace;
let member: TestClient;
let readOnly: TestClient;
let tierId: string;
const ids: Record<string, string> = {};

const DEFINE = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const DEFINE_OBJECT = `mutation ($i: DefineCustomObjectInput!) { defineCustomObject(input: $i) { customObject { id } } }`;
const CREATE = `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`;
const UPDATE = `mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`;
const CREATE_SEGMENT = `mutation ($i: CreateSegmentInput!) { createSegment(input: $i) { segment { id memberCount } } }`;
const MEMBERS = `query ($id: ID!) { node(id: $id) { ... on Segment { memberCount } } }`;
const NAMES = `query ($f: CustomerFilter) { customers(first: 50, filter: $f, orderBy: [{ field: NAME, direction: ASC }]) { edges { node { name } } } }`;
const UPDATE_CUSTOMERS = `mutation ($where: CustomersWhere!, $patch: CustomerPatch!) { updateCustomers(where: $where, patch: $patch) { count customers { name } } }`;
const DELETE_CUSTOMERS = `mutation ($where: CustomersWhere!) { deleteCustomers(where: $where) { count } }`;
const DELETE_FIELD = `mutation ($i: DeleteCustomFieldInput!) { deleteCustomField(input: $i) { deletedId usedBy } }`;

async function errorOf(client: TestClient, query: string, variables?: Record<string, unknown>) {
  const result = await client.request(query, variables);
  expect(result.errors?.length, JSON.stringify(result)).toBeTruthy();
  const error = result.errors![0]!;
  return { code: error.extensions?.code, field: error.extensions?.field, usedBy: error.extensions?.usedBy, message: error.message };
}

const namesOf = async (client: TestClient, f: Record<string, unknown>) =>
  (await client.query(NAMES, { f })).customers.edges.map((e: { node: { name: string } }) => e.node.name);
const membersOf = async (client: TestClient, id: string) => (await client.query(MEMBERS, { id })).node.memberCount as number;

beforeAll(async () => {
  ({ t, a, b, member, readOnly } = await startWithTwoWorkspaces());
  tierId = (await a.client.query(DEFINE, { i: { object: 'CUSTOMER', name: 'tier', type: 'SELECT', options: [{ value: 'gold' }, { value: 'silver' }] } })).defineCustomField.customField.id;
  await a.client.query(DEFINE, { i: { object: 'CUSTOMER', name: 'seats', type: 'NUMBER' } });
  const contract = (await a.client.query(DEFINE_OBJECT, { i: { name: 'Contract', label: 'Contract' } })).defineCustomObject.customObject.id;
  await a.client.query(DEFINE, { i: { customObjectId: contract, name: 'status', type: 'SELECT', options: [{ value: 'draft' }, { value: 'signed' }] } });
  await a.client.query(DEFINE, { i: { customObjectId: contract, name: 'customer', type: 'RELATION', target: 'Customer' } });
  for (const [name, tier, seats] of [['Ada', 'gold', 120], ['Bob', 'silver', 8], ['Cy', 'gold', 3], ['Di', null, 50]] as const) {
    ids[name] = (await a.client.query(CREATE, { i: { name, customFields: { tier, seats } } })).createCustomer.customer.id;
  }
  // Workspace B has a field of the same name: its own values, its own customers.
  await b.client.query(DEFINE, { i: { object: 'CUSTOMER', name: 'tier', type: 'SELECT', options: [{ value: 'gold' }] } });
  ids.bee = (await b.client.query(CREATE, { i: { name: 'Bee', customFields: { tier: 'gold' } } })).createCustomer.customer.id;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('saved segments on custom fields', () => {
  let gold: string;
  let signed: string;

  it('a segment filters on custom fields as the list does, and its membership follows the values', async () => {
    const filter = { tier: { eq: 'gold' }, seats: { gte: 10 } };
    expect(await namesOf(a.client, filter)).toEqual(['Ada']);
    const created = (await member.query(CREATE_SEGMENT, { i: { name: 'Gold accounts', filter } })).createSegment.segment;
    gold = created.id;
    expect(created.memberCount).toBe(1);
    // A custom value changed through updateCustomer moves the customer in, then out.
    await a.client.query(UPDATE, { i: { id: ids.Cy, customFields: { seats: 40 } } });
    expect(await membersOf(a.client, gold)).toBe(2);
    await a.client.query(UPDATE, { i: { id: ids.Ada, customFields: { tier: null } } });
    expect(await membersOf(a.client, gold)).toBe(1);
    // Through a bulk update too, whose own target is a custom-field filter.
    const bulk = (await member.query(UPDATE_CUSTOMERS, { where: { filter: { seats: { gte: 40 } } }, patch: { customFields: { tier: 'gold' } } })).updateCustomers;
    expect(bulk.customers.map((c: { name: string }) => c.name).sort()).toEqual(['Ada', 'Cy', 'Di']);
    expect(await membersOf(a.client, gold)).toBe(3);
    const events = (await a.client.query(`{ events(first: 50, types: ["segment.entered", "segment.left"]) { edges { node { type } } } }`)).events.edges;
    expect(events.length).toBe(1 + 1 + 1 + 2);
  });

  it('a segment filters through a relation field to a custom object, and follows the custom records', async () => {
    const filter = { contracts: { some: { status: { eq: 'signed' } } } };
    signed = (await a.client.query(CREATE_SEGMENT, { i: { name: 'Signed', filter } })).createSegment.segment.id;
    expect(await membersOf(a.client, signed)).toBe(0);
    const contract = (await a.client.query(`mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`, { i: { customer: ids.Bob, status: 'draft' } }))
      .createContract.contract.id;
    expect(await membersOf(a.client, signed)).toBe(0);
    // The contract's change names no customer: the segments reaching Contract are refreshed in full.
    await a.client.query(`mutation ($i: UpdateContractInput!) { updateContract(input: $i) { contract { id } } }`, { i: { id: contract, status: 'signed' } });
    expect(await membersOf(a.client, signed)).toBe(1);
    expect(await namesOf(a.client, { inSegment: signed })).toEqual(['Bob']);
  });

  it('renaming a field a segment names rewrites the segment, which goes on following the values', async () => {
    const RENAME = `mutation ($i: RenameCustomFieldInput!) { renameCustomField(input: $i) { customField { name } } }`;
    const fieldId = async (name: string, object = 'CUSTOMER') =>
      (await a.client.query(`{ customFields(object: ${object}) { id name } }`)).customFields.find((f: { name: string }) => f.name === name).id;
    await a.client.query(RENAME, { i: { id: await fieldId('seats'), name: 'licences' } });
    const contractObject = (await a.client.query(`{ customObjects { id name } }`)).customObjects.find((o: { name: string }) => o.name === 'Contract').id;
    const customerField = (await a.client.query(`query ($o: ID!) { customFields(customObjectId: $o) { id name } }`, { o: contractObject })).customFields.find(
      (f: { name: string }) => f.name === 'customer',
    ).id;
    await a.client.query(RENAME, { i: { id: customerField, name: 'client' } });
    const filters = Object.fromEntries((await a.client.query(`{ segments { name filter } }`)).segments.map((s: { name: string; filter: unknown }) => [s.name, s.filter]));
    expect(filters['Gold accounts']).toEqual({ tier: { eq: 'gold' }, licences: { gte: 10 } });
    expect(filters.Signed).toEqual({ contractsAsClient: { some: { status: { eq: 'signed' } } } });
    await a.client.query(UPDATE, { i: { id: ids.Di, customFields: { licences: 1 } } });
    expect(await membersOf(a.client, gold)).toBe(2);
    expect(await membersOf(a.client, signed)).toBe(1);
  });

  it('deleting a field a segment names is refused with the segments, unless forced; the segment then keeps its members', async () => {
    const refused = await errorOf(a.client, DELETE_FIELD, { i: { id: tierId } });
    expect(refused).toMatchObject({ code: 'CONFLICT', field: 'id', usedBy: 'Segment:Gold accounts' });
    const before = await membersOf(a.client, gold);
    expect((await a.client.query(DELETE_FIELD, { i: { id: tierId, force: true } })).deleteCustomField.usedBy).toEqual(['Segment:Gold accounts']);
    // Commands go on working; the segment whose filter no longer parses keeps its members until it is given a new one.
    await a.client.query(UPDATE, { i: { id: ids.Ada, customFields: { licences: 1 } } });
    expect(await membersOf(a.client, gold)).toBe(before);
    expect(await membersOf(a.client, signed)).toBe(1);
  });

  it('deleting an archived field a segment names is refused the same way, unless forced; not in another workspace', async () => {
    const ARCHIVE = `mutation ($i: ArchiveCustomFieldInput!) { archiveCustomField(input: $i) { customField { archived } } }`;
    const region = (await a.client.query(DEFINE, { i: { object: 'CUSTOMER', name: 'region', type: 'TEXT' } })).defineCustomField.customField.id;
    await a.client.query(CREATE_SEGMENT, { i: { name: 'North', filter: { region: { eq: 'north' } } } });
    await a.client.query(ARCHIVE, { i: { id: region } });
    expect(await errorOf(a.client, DELETE_FIELD, { i: { id: region } })).toMatchObject({ code: 'CONFLICT', field: 'id', usedBy: 'Segment:North' });
    // B's archived field of the same name is not held back by A's segment.
    const theirs = (await b.client.query(DEFINE, { i: { object: 'CUSTOMER', name: 'region', type: 'TEXT' } })).defineCustomField.customField.id;
    await b.client.query(ARCHIVE, { i: { id: theirs } });
    expect((await b.client.query(DELETE_FIELD, { i: { id: theirs } })).deleteCustomField.usedBy).toEqual([]);
    expect((await a.client.query(DELETE_FIELD, { i: { id: region, force: true } })).deleteCustomField.usedBy).toEqual(['Segment:North']);
  });

  it('roles and tenancy: READ_ONLY saves no segment, another workspace sees neither the field nor the members', async () => {
    expect((await errorOf(readOnly, CREATE_SEGMENT, { i: { name: 'Nope', filter: { licences: { gte: 1 } } } })).code).toBe('FORBIDDEN');
    // B has its own `tier`: its segment counts B's customer only.
    const bees = (await b.client.query(CREATE_SEGMENT, { i: { name: 'Gold', filter: { tier: { eq: 'gold' } } } })).createSegment.segment;
    expect(bees.memberCount).toBe(1);
    // B has no `seats`: the filter is refused as the list refuses it.
    expect((await errorOf(b.client, CREATE_SEGMENT, { i: { name: 'Seats', filter: { seats: { gte: 1 } } } })).code).toBe('BAD_USER_INPUT');
    // A's segment and field are not B's to read or delete.
    expect((await b.client.query(MEMBERS, { id: gold })).node).toBeNull();
    const seatsId = (await a.client.query(`{ customFields(object: CUSTOMER) { id name } }`)).customFields.find((f: { name: string }) => f.name === 'licences').id;
    expect((await errorOf(b.client, DELETE_FIELD, { i: { id: seatsId, force: true } })).code).toBe('NOT_FOUND');
  });
});

describe('bulk targets on custom fields', () => {
  it('updateXs and deleteXs take the list filter, custom fields included, in the caller workspace only', async () => {
    // B's same-named field selects B's customer and none of A's.
    const bees = (await b.client.query(UPDATE_CUSTOMERS, { where: { filter: { tier: { eq: 'gold' } } }, patch: { tags: ['bee'] } })).updateCustomers;
    expect(bees.customers).toEqual([{ name: 'Bee' }]);
    expect(await namesOf(a.client, { tags: { has: 'bee' } })).toEqual([]);
    expect((await errorOf(readOnly, DELETE_CUSTOMERS, { where: { filter: { licences: { lt: 5 } } } })).code).toBe('FORBIDDEN');
    expect((await member.query(DELETE_CUSTOMERS, { where: { filter: { licences: { lt: 5 } } } })).deleteCustomers.count).toBe(2);
    expect(await namesOf(a.client, {})).toEqual(['Bob', 'Cy']);
    // A filter on a field the workspace does not have is BAD_USER_INPUT naming it.
    expect(await errorOf(b.client, DELETE_CUSTOMERS, { where: { filter: { seats: { lt: 5 } } } })).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('custom records: the target filter goes through their relation fields', async () => {
    const CREATE_CONTRACTS = `mutation ($inputs: [ContractInput!]!) { createContracts(inputs: $inputs) { count } }`;
    await a.client.query(CREATE_CONTRACTS, {
      inputs: [
        { customFields: { status: 'draft', client: ids.Cy } },
        { customFields: { status: 'draft', client: ids.Bob } },
      ],
    });
    const UPDATE_CONTRACTS = `mutation ($where: ContractsWhere!, $patch: ContractPatch!) { updateContracts(where: $where, patch: $patch) { count } }`;
    const updated = await member.query(UPDATE_CONTRACTS, { where: { filter: { client: { name: { eq: 'Cy' } }, status: { eq: 'draft' } } }, patch: { customFields: { status: 'signed' } } });
    expect(updated.updateContracts.count).toBe(1);
    expect(await namesOf(a.client, { contractsAsClient: { some: { status: { eq: 'signed' } } } })).toEqual(['Bob', 'Cy']);
    // The segment on signed contracts followed the bulk update (custom records' events name no customer).
    const segment = (await a.client.query(`{ segments { name memberCount } }`)).segments.find((s: { name: string }) => s.name === 'Signed');
    expect(segment.memberCount).toBe(2);
    // B has no contracts of A's: its own Contract-less schema refuses the field.
    expect((await errorOf(b.client, UPDATE_CONTRACTS, { where: { filter: {} }, patch: {} })).code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
