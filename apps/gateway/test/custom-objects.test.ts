// Custom objects over HTTP (docs/custom-fields.md, "Custom objects"): an ADMIN defines an object at run time, then its
// fields; the workspace's schema gets its type, list (filter, order, aggregate, group-by through the read engine),
// by-id, node and mutations (trash, restore), events and subscriptions, roles name it; relation fields link records
// both ways (`Contract.customer`, `Customer.contracts`). Another workspace never sees any of it.
import { printSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { openWsClient, startTestGateway, SubscriptionCollector, TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

let t: TestGateway;
let a: TestWorkspace;
let b: TestWorkspace;
/** The same database served without the read engine: every field through its Pothos resolver. */
let pothosOnly: Gateway;
let pothos: TestClient;

beforeAll(async () => {
  t = await startTestGateway();
  a = t.workspace;
  b = await t.createWorkspace('Workspace B');
  pothosOnly = createGateway({ database: t.database, logger: createLogger('error'), sqlProjection: false, monthEndSnapshots: false, trashRetention: { days: null } });
  pothos = new TestClient(await pothosOnly.listen(0), a.apiKey);
});
afterAll(async () => {
  await pothosOnly?.close(1000);
  await t?.close();
});

const DEFINE_OBJECT = `mutation ($i: DefineCustomObjectInput!) { defineCustomObject(input: $i) { customObject { id name pluralName label archived } } }`;
const RENAME_OBJECT = `mutation ($i: RenameCustomObjectInput!) { renameCustomObject(input: $i) { customObject { id name pluralName } } }`;
const ARCHIVE_OBJECT = `mutation ($i: ArchiveCustomObjectInput!) { archiveCustomObject(input: $i) { customObject { id archived } } }`;
const DELETE_OBJECT = `mutation ($i: DeleteCustomObjectInput!) { deleteCustomObject(input: $i) { deletedId deletedRecords } }`;
const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id name type customObjectId } } }`;
const CREATE = `mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id number amount status customer { name } } } }`;
const UPDATE = `mutation ($i: UpdateContractInput!) { updateContract(input: $i) { contract { id number amount } } }`;

async function errorOf(client: TestClient, query: string, variables?: Record<string, unknown>) {
  const result = await client.request(query, variables);
  expect(result.errors?.length, JSON.stringify(result)).toBeTruthy();
  const error = result.errors![0]!;
  return { code: error.extensions?.code, field: error.extensions?.field, message: error.message };
}

async function createKey(client: TestClient, input: Record<string, unknown>): Promise<string> {
  return (await client.query(`mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`, { input })).createApiKey.secret;
}

/** The numbers of the contracts a list returns, with `filter` and `orderBy` when given. */
async function numbers(client: TestClient, variables: { f?: unknown; o?: unknown } = {}): Promise<string[]> {
  const declared = [variables.f !== undefined ? '$f: ContractFilter' : '', variables.o !== undefined ? '$o: [ContractOrderBy!]' : ''].filter(Boolean);
  const args = [variables.f !== undefined ? 'filter: $f' : '', variables.o !== undefined ? 'orderBy: $o' : ''].filter(Boolean);
  const query = `query ${declared.length ? `(${declared.join(', ')})` : ''} { contracts(first: 20${args.length ? `, ${args.join(', ')}` : ''}) { edges { node { number } } } }`;
  return (await client.query(query, variables)).contracts.edges.map((e: { node: { number: string } }) => e.node.number);
}

describe('custom objects', () => {
  let contractId: string;
  const customers: Record<string, string> = {};
  const contracts: Record<string, string> = {};

  it('an ADMIN defines an object and its fields; the schema has its type and operations at once', async () => {
    const defined = (await a.client.query(DEFINE_OBJECT, { i: { name: 'Contract', label: 'Contract', description: 'A signed agreement' } })).defineCustomObject.customObject;
    expect(defined).toMatchObject({ name: 'Contract', pluralName: 'contracts', label: 'Contract', archived: false });
    contractId = defined.id;
    const field = (input: Record<string, unknown>) => a.client.query(DEFINE_FIELD, { i: { customObjectId: contractId, ...input } });
    expect((await field({ name: 'number', type: 'TEXT', required: true, unique: true })).defineCustomField.customField).toMatchObject({ name: 'number', customObjectId: contractId });
    await field({ name: 'amount', type: 'MONEY', currency: 'EUR', indexed: true });
    await field({ name: 'endDate', type: 'DATE' });
    await field({ name: 'status', type: 'SELECT', options: [{ value: 'draft' }, { value: 'signed' }, { value: 'ended' }], defaultValue: 'draft' });
    await field({ name: 'customer', type: 'RELATION', target: 'Customer' });
    const type = (await a.client.query(`{ __type(name: "Contract") { description interfaces { name } fields { name type { kind name ofType { name } } } } }`)).__type;
    expect(type.description).toBe('A signed agreement');
    expect(type.interfaces).toEqual([{ name: 'Node' }]);
    const typeOf = (name: string) => type.fields.find((f: { name: string }) => f.name === name)?.type;
    expect(typeOf('amount')).toEqual({ kind: 'SCALAR', name: 'Decimal', ofType: null });
    expect(typeOf('endDate')).toEqual({ kind: 'SCALAR', name: 'Date', ofType: null });
    expect(typeOf('customer')).toEqual({ kind: 'OBJECT', name: 'Customer', ofType: null });
    expect(typeOf('createdAt')).toMatchObject({ kind: 'NON_NULL' });
    const customerType = (await a.client.query(`{ __type(name: "Customer") { fields { name type { name ofType { name } } } } }`)).__type;
    expect(customerType.fields.find((f: { name: string }) => f.name === 'contracts')?.type.ofType.name).toBe('CustomerContractsConnection');
    const roots = (await a.client.query(`{ q: __type(name: "Query") { fields { name } } m: __type(name: "Mutation") { fields { name } } }`));
    expect(roots.q.fields.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['contract', 'contracts', 'contractsGroupBy']));
    expect(roots.m.fields.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['createContract', 'updateContract', 'deleteContract', 'restoreContract']));
    expect((await a.client.query(`{ customObjects { name fields { name } } }`)).customObjects).toEqual([
      { name: 'Contract', fields: ['number', 'amount', 'endDate', 'status', 'customer'].map((name) => ({ name })) },
    ]);
  });

  it('checks names: GraphQL rules, reserved words, built-in types and root fields, other objects', async () => {
    const refused = async (input: Record<string, unknown>) => errorOf(a.client, DEFINE_OBJECT, { i: input });
    for (const name of ['contract', '2Fast', 'Con-tract', 'A'.repeat(51), 'Query', 'Node', 'CustomRecord']) expect(await refused({ name }), name).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    // Built-in and plugin types, and types derived from them; another custom object (any case).
    for (const name of ['Customer', 'Deal', 'PageInfo', 'CONTRACT', 'Contract']) expect(await refused({ name }), name).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    // A root field that exists: `customers`, or another object's list.
    expect(await refused({ name: 'Client', pluralName: 'customers' })).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await refused({ name: 'Agreement', pluralName: 'contracts' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pluralName' });
    expect(await refused({ name: 'Widget', pluralName: 'Widgets' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pluralName' });
    // Field names of a custom object: its system fields are taken, and a relation's target must exist.
    for (const name of ['id', 'createdAt', 'ownerId', 'number']) {
      expect(await errorOf(a.client, DEFINE_FIELD, { i: { customObjectId: contractId, name, type: 'TEXT' } }), name).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    }
    expect(await errorOf(a.client, DEFINE_FIELD, { i: { customObjectId: contractId, name: 'vendor', type: 'RELATION', target: 'Vendor' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'target' });
    expect(await errorOf(a.client, DEFINE_FIELD, { i: { customObjectId: contractId, name: 'note', type: 'TEXT', target: 'Customer' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'target' });
    expect(await errorOf(a.client, DEFINE_FIELD, { i: { customObjectId: '00000000-0000-4000-8000-000000000000', name: 'x', type: 'TEXT' } })).toMatchObject({ code: 'NOT_FOUND' });
    // Only ADMIN keys define.
    const member = await t.issueKey(a.workspaceId, 'MEMBER');
    expect((await errorOf(member, DEFINE_OBJECT, { i: { name: 'Invoice' } })).code).toBe('FORBIDDEN');
  });

  it('creates, reads and updates records, values typed and validated, relations checked', async () => {
    const customer = `mutation ($n: String!) { createCustomer(input: { name: $n }) { customer { id } } }`;
    for (const name of ['Ada', 'Bob']) customers[name] = (await a.client.query(customer, { n: name })).createCustomer.customer.id;
    const rows = [
      { number: 'C-1', amount: '1500', endDate: '2027-03-31', status: 'signed', customer: customers.Ada },
      { number: 'C-2', amount: '200.5', endDate: '2026-12-31', customer: customers.Ada },
      { number: 'C-3', amount: '99.99', status: 'ended', customer: customers.Bob },
      { number: 'C-4' },
    ];
    for (const row of rows) {
      const created = (await a.client.query(CREATE, { i: row })).createContract.contract;
      contracts[row.number] = created.id;
    }
    const read = (await a.client.query(`{ contracts(first: 10, orderBy: [{ field: NUMBER }]) { totalCount edges { node { number amount endDate status customer { name } } } } }`)).contracts;
    expect(read.totalCount).toBe(4);
    expect(read.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { number: 'C-1', amount: '1500.00', endDate: '2027-03-31', status: 'signed', customer: { name: 'Ada' } },
      { number: 'C-2', amount: '200.50', endDate: '2026-12-31', status: 'draft', customer: { name: 'Ada' } },
      { number: 'C-3', amount: '99.99', endDate: null, status: 'ended', customer: { name: 'Bob' } },
      { number: 'C-4', amount: null, endDate: null, status: 'draft', customer: null },
    ]);
    // By id and through node, the same record.
    const one = await a.client.query(`query ($id: ID!) { contract(id: $id) { number } node(id: $id) { ... on Contract { amount } } }`, { id: contracts['C-1'] });
    expect(one).toEqual({ contract: { number: 'C-1' }, node: { amount: '1500.00' } });
    // A mutation's payload (resolved without the engine) reads the relation too.
    const updated = (await a.client.query(`mutation ($i: UpdateContractInput!) { updateContract(input: $i) { contract { number amount customer { name } } } }`, { i: { id: contracts['C-4'], amount: '10', customer: customers.Bob } })).updateContract.contract;
    expect(updated).toEqual({ number: 'C-4', amount: '10.00', customer: { name: 'Bob' } });
    await a.client.query(UPDATE, { i: { id: contracts['C-4'], customer: null } });

    // Bad values, named: unknown option, duplicate unique, missing required, a record that does not exist (or is
    // another object's), a value of the wrong type.
    expect(await errorOf(a.client, CREATE, { i: { number: 'X', status: 'lost' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'status' });
    expect(await errorOf(a.client, CREATE, { i: { number: 'C-1' } })).toMatchObject({ code: 'CONFLICT', field: 'number' });
    expect(await errorOf(a.client, UPDATE, { i: { id: contracts['C-2'], number: 'C-1' } })).toMatchObject({ code: 'CONFLICT', field: 'number' });
    expect(await errorOf(a.client, CREATE, { i: { amount: '1' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'number' });
    expect(await errorOf(a.client, CREATE, { i: { number: 'X', customer: contracts['C-1'] } })).toMatchObject({ code: 'NOT_FOUND', field: 'customer' });
    expect(await errorOf(a.client, CREATE, { i: { number: 'X', customer: 'not-an-id' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customer' });
    expect(await errorOf(a.client, UPDATE, { i: { id: customers.Ada, number: 'X' } })).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect((await a.client.query(`{ contracts(first: 1) { totalCount } }`)).contracts.totalCount).toBe(4);
  });

  it('filters, sorts, aggregates and groups through the read engine, and by the related record', async () => {
    expect(await numbers(a.client, { f: { amount: { gte: '100' } }, o: [{ field: 'AMOUNT', direction: 'DESC' }] })).toEqual(['C-1', 'C-2']);
    expect(await numbers(a.client, { f: { status: { in: ['draft', 'ended'] } }, o: [{ field: 'NUMBER', direction: 'DESC' }] })).toEqual(['C-4', 'C-3', 'C-2']);
    expect(await numbers(a.client, { f: { endDate: { isNull: true } } })).toEqual(expect.arrayContaining(['C-3', 'C-4']));
    // The related record's fields: filter and sort.
    expect(await numbers(a.client, { f: { customer: { name: { eq: 'Ada' } } }, o: [{ field: 'NUMBER' }] })).toEqual(['C-1', 'C-2']);
    expect(await numbers(a.client, { f: { customer: { name: { startsWith: 'B' } } }, o: [{ field: 'NUMBER' }] })).toEqual(['C-3']);
    expect(await numbers(a.client, { o: [{ field: 'CUSTOMER_NAME', direction: 'DESC' }, { field: 'NUMBER' }] })).toEqual(['C-4', 'C-3', 'C-1', 'C-2']);
    // Search over its text fields (stemmed: "signing" finds "signed"), in the list and across types.
    const searched = (await a.client.query(`{ contracts(first: 5, search: "signing") { totalCount edges { node { number } } } }`)).contracts;
    expect(searched).toEqual({ totalCount: 1, edges: [{ node: { number: 'C-1' } }] });
    const hits = (await a.client.query(`{ search(query: "ended", types: [Contract]) { type highlight { field } node { ... on Contract { number } } } }`)).search;
    expect(hits).toEqual([{ type: 'Contract', highlight: { field: 'status' }, node: { number: 'C-3' } }]);
    expect(await pothos.query(`{ contracts(first: 5, search: "signing") { totalCount edges { node { number } } } }`)).toEqual({ contracts: searched });
    const aggregate = (await a.client.query(`{ contracts(first: 1) { aggregate { count sum { amount } min { endDate } max { amount } countDistinct(field: STATUS) } } }`)).contracts.aggregate;
    expect(aggregate).toEqual({ count: 4, sum: { amount: '1810.49' }, min: { endDate: '2026-12-31' }, max: { amount: '1500.00' }, countDistinct: 3 });
    const groups = (await a.client.query(`{ contractsGroupBy(by: [{ field: STATUS }], orderBy: [{ field: COUNT, direction: DESC }]) { key { status } aggregate { count sum { amount } } } }`)).contractsGroupBy;
    expect(groups).toEqual([
      { key: { status: 'draft' }, aggregate: { count: 2, sum: { amount: '210.50' } } },
      { key: { status: 'ended' }, aggregate: { count: 1, sum: { amount: '99.99' } } },
      { key: { status: 'signed' }, aggregate: { count: 1, sum: { amount: '1500.00' } } },
    ]);
    // The reverse side: a customer's contracts, and customers filtered by them.
    const ada = (await a.client.query(`query ($id: ID!) { customer(id: $id) { contracts(first: 5, orderBy: [{ field: NUMBER }]) { totalCount edges { node { number } } } } }`, { id: customers.Ada })).customer;
    expect(ada.contracts).toEqual({ totalCount: 2, edges: [{ node: { number: 'C-1' } }, { node: { number: 'C-2' } }] });
    const withSigned = (await a.client.query(`{ customers(first: 5, filter: { contracts: { some: { status: { eq: "signed" } } } }) { edges { node { name } } } }`)).customers.edges;
    expect(withSigned).toEqual([{ node: { name: 'Ada' } }]);
  });

  it('the resolvers (without the read engine) answer exactly as the engine does', async () => {
    const operations: [string, Record<string, unknown>?][] = [
      [`{ contracts(first: 10) { totalCount edges { cursor node { id number amount endDate status createdAt customer { id name } } } pageInfo { hasNextPage endCursor } aggregate { count sum { amount } max { endDate } } } }`],
      [`query ($id: ID!) { customer(id: $id) { name contracts(first: 5) { totalCount edges { node { number status } } aggregate { count max { amount } } } } }`, { id: customers.Ada }],
      [`query ($id: ID!) { contract(id: $id) { number customer { name contracts(first: 2) { totalCount } } } node(id: $id) { id ... on Contract { amount } } }`, { id: contracts['C-1'] }],
      [`{ customers(first: 5, orderBy: [{ field: NAME }]) { edges { node { name contracts(first: 3) { edges { node { number customer { name } } } } } } } }`],
    ];
    for (const [query, variables] of operations) {
      const engine = await a.client.query(query, variables);
      expect(await pothos.query(query, variables), query).toEqual(engine);
    }
    // Filtering through the relation needs the engine (as a custom field does): said, never a wrong answer.
    expect(await errorOf(pothos, `{ contracts(first: 5, filter: { customer: { name: { eq: "Ada" } } }) { totalCount } }`)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customer' });
  });

  it('a relation field on a core object points at a custom object, both ways', async () => {
    await a.client.query(`mutation { defineCustomField(input: { object: CUSTOMER, name: "mainContract", type: RELATION, target: "Contract" }) { customField { id target } } }`);
    const set = `mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { name mainContract { number } } } }`;
    expect((await a.client.query(set, { i: { id: customers.Bob, customFields: { mainContract: contracts['C-3'] } } })).updateCustomer.customer).toEqual({ name: 'Bob', mainContract: { number: 'C-3' } });
    expect(await errorOf(a.client, set, { i: { id: customers.Ada, customFields: { mainContract: customers.Bob } } })).toMatchObject({ code: 'NOT_FOUND', field: 'customFields.mainContract' });
    const found = (await a.client.query(`{ customers(first: 5, filter: { mainContract: { status: { eq: "ended" } } }) { edges { node { name } } } }`)).customers.edges;
    expect(found).toEqual([{ node: { name: 'Bob' } }]);
    const reverse = (await a.client.query(`query ($id: ID!) { contract(id: $id) { customersAsMainContract(first: 5) { totalCount edges { node { name } } } } }`, { id: contracts['C-3'] })).contract;
    expect(reverse.customersAsMainContract).toEqual({ totalCount: 1, edges: [{ node: { name: 'Bob' } }] });
    const fields = (await a.client.query(`{ customFields(object: CUSTOMER) { name type target } }`)).customFields;
    expect(fields).toEqual([{ name: 'mainContract', type: 'RELATION', target: 'Contract' }]);
  });

  it('a page of customers with their contracts and each contract’s customer is one statement at any page size', async () => {
    // More customers than the small page holds (without contracts: a parent costs the same either way under N+1).
    for (let i = 0; i < 12; i++) await a.client.query(`mutation ($n: String!) { createCustomer(input: { name: $n }) { customer { id } } }`, { n: `Extra ${i}` });
    const query = `query ($n: Int!) { customers(first: $n) { edges { node { name contracts(first: 3) { totalCount aggregate { count } edges { node { number amount customer { name } } } } } } } }`;
    await a.client.query(query, { n: 1 });
    const small = await t.sql.during(() => a.client.query(query, { n: 10 }));
    const large = await t.sql.during(() => a.client.query(query, { n: 50 }));
    expect(small.length).toBe(1);
    expect(large.length).toBe(1);
    // Without the engine, the resolvers batch per page of parents: as many statements for 50 customers as for 10.
    await pothos.query(query, { n: 1 });
    const pothosSmall = await t.sql.during(() => pothos.query(query, { n: 10 }));
    const pothosLarge = await t.sql.during(() => pothos.query(query, { n: 50 }));
    expect(pothosLarge.length).toBe(pothosSmall.length);
    expect(await pothos.query(query, { n: 50 })).toEqual(await a.client.query(query, { n: 50 }));
    const list = `query ($n: Int!) { contracts(first: $n, filter: { customer: { name: { eq: "Ada" } } }) { totalCount edges { node { number customer { name contracts(first: 2) { totalCount } } } } } }`;
    await a.client.query(list, { n: 1 });
    expect((await t.sql.during(() => a.client.query(list, { n: 50 }))).length).toBe(1);
  });

  it('deletes to the trash and restores; events and a live subscription follow', async () => {
    const socket = openWsClient(t.wsUrl, a.apiKey);
    try {
      const live = await t.subscribed(
        () => new SubscriptionCollector<{ events: { type: string; subject: { number?: string } | null } }>(socket, `subscription { events(types: ["contract.created", "contract.updated", "contract.deleted"]) { type subject { ... on Contract { number } } } }`),
      );
      const created = (await a.client.query(CREATE, { i: { number: 'C-5', customer: customers.Bob } })).createContract.contract;
      await a.client.query(UPDATE, { i: { id: created.id, amount: '5' } });
      const deleted = (await a.client.query(`mutation ($i: DeleteContractInput!) { deleteContract(input: $i) { deletedContractId } }`, { i: { id: created.id, reason: 'typo' } })).deleteContract;
      expect(deleted.deletedContractId).toBe(created.id);
      const events = await live.take(3);
      expect(events.map((e) => e.events.type)).toEqual(['contract.created', 'contract.updated', 'contract.deleted']);
      expect(events[0]!.events.subject).toEqual({ number: 'C-5' });
      // Gone from lists, by-id, counts and the customer's connection; its unique value too is free while trashed.
      expect(await numbers(a.client, { f: { number: { eq: 'C-5' } } })).toEqual([]);
      expect((await a.client.query(`query ($id: ID!) { contract(id: $id) { number } }`, { id: created.id })).contract).toBeNull();
      const restored = (await a.client.query(`mutation ($i: RestoreContractInput!) { restoreContract(input: $i) { contract { number amount } } }`, { i: { id: created.id } })).restoreContract.contract;
      expect(restored).toEqual({ number: 'C-5', amount: '5.00' });
      const history = (await a.client.query(`{ events(first: 10, types: ["contract.created", "contract.updated", "contract.deleted", "contract.restored"]) { edges { node { type } } } }`)).events;
      expect(history.edges.map((e: { node: { type: string } }) => e.node.type)).toEqual(expect.arrayContaining(['contract.created', 'contract.updated', 'contract.deleted', 'contract.restored']));
      // The record's history: its events, newest first, updates with each changed field's old and new value.
      const trail = (await a.client.query(`query ($id: ID!) { contract(id: $id) { number history(first: 10) { totalCount edges { node { type payload } } } } }`, { id: created.id })).contract;
      expect(trail.history.totalCount).toBe(4);
      expect(trail.history.edges.map((e: { node: { type: string } }) => e.node.type)).toEqual(['contract.restored', 'contract.deleted', 'contract.updated', 'contract.created']);
      expect(trail.history.edges[2].node.payload.changes).toEqual({ amount: { from: null, to: '5.00' } });
      await a.client.query(`mutation ($i: DeleteContractInput!) { deleteContract(input: $i) { deletedContractId } }`, { i: { id: created.id } });
    } finally {
      await socket.dispose();
    }
  });

  it('roles name the object: hidden fields, no writes, or no access at all', async () => {
    const role = async (name: string, permissions: unknown[]) =>
      (await a.client.query(`mutation ($n: String!, $p: [ObjectPermissionInput!]!) { createRole(input: { name: $n, permissions: $p }) { role { id } } }`, { n: name, p: permissions })).createRole.role.id;
    const viewer = t.client(await createKey(a.client, { name: 'viewer', roleId: await role('Contract viewer', [{ object: 'Contract', read: true, hiddenFields: ['amount'] }, { object: 'Customer', read: true }]) }));
    const outsider = t.client(await createKey(a.client, { name: 'outsider', roleId: await role('No contracts', [{ object: 'Customer', read: true }]) }));
    const seen = (await viewer.query(`{ contracts(first: 10, orderBy: [{ field: NUMBER }]) { totalCount edges { node { number amount } } } }`)).contracts;
    expect(seen.totalCount).toBe(4);
    expect(seen.edges[0].node).toEqual({ number: 'C-1', amount: null });
    expect((await errorOf(viewer, `{ contracts(first: 1, filter: { amount: { gt: "1" } }) { totalCount } }`)).code).toBe('BAD_USER_INPUT');
    expect((await errorOf(viewer, CREATE, { i: { number: 'V-1' } })).code).toBe('FORBIDDEN');
    expect((await errorOf(viewer, `mutation ($i: DeleteContractInput!) { deleteContract(input: $i) { deletedContractId } }`, { i: { id: contracts['C-1'] } })).code).toBe('FORBIDDEN');
    expect((await outsider.query(`{ contracts(first: 10) { totalCount edges { node { number } } } }`)).contracts).toEqual({ totalCount: 0, edges: [] });
    expect((await outsider.query(`query ($id: ID!) { contract(id: $id) { number } }`, { id: contracts['C-1'] })).contract).toBeNull();
    expect((await outsider.query(`query ($id: ID!) { customer(id: $id) { contracts(first: 5) { totalCount } } }`, { id: customers.Ada })).customer.contracts.totalCount).toBe(0);
    expect((await errorOf(outsider, UPDATE, { i: { id: contracts['C-1'], amount: '1' } })).code).toBe('FORBIDDEN');
    // Own records only: a rep linked to a user creates contracts that are theirs, and sees and changes no other.
    const ulla = (await a.client.query(`mutation { createUser(input: { name: "Ulla Own", email: "ulla@contracts.test" }) { user { id } } }`)).createUser.user.id;
    const repRole = await role('Contract rep', [{ object: 'Contract', read: true, create: true, update: true, delete: true, ownRecordsOnly: true }, { object: 'Customer', read: true }, { object: 'User', read: true }]);
    const repKey = await createKey(a.client, { name: 'rep', roleId: repRole, userId: ulla });
    const rep = t.client(repKey);
    const mine = (await rep.query(CREATE, { i: { number: 'R-1' } })).createContract.contract.id;
    expect(await numbers(rep)).toEqual(['R-1']);
    expect((await rep.query(`query ($id: ID!) { contract(id: $id) { number } }`, { id: contracts['C-1'] })).contract).toBeNull();
    expect((await errorOf(rep, UPDATE, { i: { id: contracts['C-1'], amount: '1' } })).code).toBe('NOT_FOUND');
    expect((await rep.query(`query ($id: ID!) { customer(id: $id) { contracts(first: 5) { totalCount } } }`, { id: customers.Ada })).customer.contracts.totalCount).toBe(0);
    const otto = (await a.client.query(`mutation { createUser(input: { name: "Otto Other", email: "otto@contracts.test" }) { user { id } } }`)).createUser.user.id;
    expect(await errorOf(rep, CREATE, { i: { number: 'R-2', ownerId: otto } })).toMatchObject({ code: 'FORBIDDEN', field: 'ownerId' });
    expect(await errorOf(rep, UPDATE, { i: { id: mine, ownerId: otto } })).toMatchObject({ code: 'FORBIDDEN', field: 'ownerId' });
    // Its event stream and audit log leave out others' contracts.
    const socket = openWsClient(t.wsUrl, repKey);
    try {
      const live = await t.subscribed(() => new SubscriptionCollector<{ events: { type: string; subject: { number: string } | null } }>(socket, `subscription { events(types: ["contract.created"]) { type subject { ... on Contract { number } } } }`));
      const theirs = (await a.client.query(CREATE, { i: { number: 'S-1' } })).createContract.contract.id;
      const second = (await rep.query(CREATE, { i: { number: 'R-3' } })).createContract.contract.id;
      expect((await live.take(1))[0]!.events.subject).toEqual({ number: 'R-3' });
      const logged = (await rep.query(`{ events(first: 20, types: ["contract.created"]) { edges { node { subject { ... on Contract { number } } } } } }`)).events.edges;
      expect(logged.map((e: { node: { subject: { number: string } | null } }) => e.node.subject?.number)).not.toContain('S-1');
      for (const [client, id] of [[a.client, theirs], [rep, second]] as const) await client.query(`mutation ($i: DeleteContractInput!) { deleteContract(input: $i) { deletedContractId } }`, { i: { id } });
    } finally {
      await socket.dispose();
    }
    await rep.query(`mutation ($i: DeleteContractInput!) { deleteContract(input: $i) { deletedContractId } }`, { i: { id: mine } });
    // A READ_ONLY key reads them and writes nothing.
    const readOnly = await t.issueKey(a.workspaceId, 'READ_ONLY');
    expect((await readOnly.query(`{ contracts(first: 1) { totalCount } }`)).contracts.totalCount).toBe(4);
    expect((await errorOf(readOnly, CREATE, { i: { number: 'R-1' } })).code).toBe('FORBIDDEN');
  });

  it('workspace B never sees A’s objects, not even in introspection or the schema file, and cannot reach them', async () => {
    expect((await b.client.query(`{ __type(name: "Contract") { name } }`)).__type).toBeNull();
    expect((await b.client.query(`{ customObjects { name } }`)).customObjects).toEqual([]);
    expect((await b.client.request(`{ contracts(first: 1) { totalCount } }`)).errors?.[0]?.message).toMatch(/Cannot query field "contracts"/);
    expect((await b.client.request(CREATE, { i: { number: 'B-1' } })).errors?.length).toBeTruthy();
    // A global id of a type B's schema does not have is not an id there.
    expect((await errorOf(b.client, `query ($id: ID!) { node(id: $id) { id } }`, { id: contracts['C-1'] })).code).toBe('BAD_USER_INPUT');
    const customerOfB = (await b.client.query(`{ __type(name: "Customer") { fields { name } } }`)).__type.fields.map((f: { name: string }) => f.name);
    expect(customerOfB).not.toContain('contracts');
    const sdl = await (await fetch(`${t.url}/schema.graphql`, { headers: { authorization: `Bearer ${b.apiKey}` } })).text();
    expect(sdl).not.toMatch(/\btype Contract\b/);
    expect(sdl).not.toMatch(/^  contracts\(/m);
    expect(sdl).toMatch(/\btype CustomObject\b/);
    // B's key on A's definitions: not found.
    expect((await errorOf(b.client, DEFINE_FIELD, { i: { customObjectId: contractId, name: 'x', type: 'TEXT' } })).code).toBe('NOT_FOUND');
    for (const mutation of [RENAME_OBJECT, ARCHIVE_OBJECT, DELETE_OBJECT]) {
      const input = mutation === RENAME_OBJECT ? { id: contractId, name: 'Stolen' } : mutation === DELETE_OBJECT ? { id: contractId, force: true } : { id: contractId };
      expect((await errorOf(b.client, mutation, { i: input })).code).toBe('NOT_FOUND');
    }
    // B defines its own Contract: its own type, its own records; a relation to A's customer is refused.
    const own = (await b.client.query(DEFINE_OBJECT, { i: { name: 'Contract' } })).defineCustomObject.customObject;
    await b.client.query(DEFINE_FIELD, { i: { customObjectId: own.id, name: 'number', type: 'TEXT' } });
    await b.client.query(DEFINE_FIELD, { i: { customObjectId: own.id, name: 'customer', type: 'RELATION', target: 'Customer' } });
    expect(await errorOf(b.client, `mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`, { i: { number: 'B-1', customer: customers.Ada } })).toMatchObject({ code: 'NOT_FOUND', field: 'customer' });
    await b.client.query(`mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`, { i: { number: 'B-1' } });
    expect(await numbers(b.client)).toEqual(['B-1']);
    expect((await a.client.query(`{ contracts(first: 1) { totalCount } }`)).contracts.totalCount).toBe(4);
    // A's ids through B's own type: nothing.
    expect((await b.client.query(`query ($id: ID!) { contract(id: $id) { id } }`, { id: contracts['C-1'] })).contract).toBeNull();
    expect((await errorOf(b.client, `mutation ($i: UpdateContractInput!) { updateContract(input: $i) { contract { id } } }`, { i: { id: contracts['C-1'], number: 'hijack' } })).code).toBe('NOT_FOUND');
  });

  it('the schema of a workspace without custom objects or fields is the base schema', async () => {
    const c = await t.createWorkspace('Workspace C');
    const sdl = await (await fetch(`${t.url}/schema.graphql`, { headers: { authorization: `Bearer ${c.apiKey}` } })).text();
    expect(sdl).toBe(`${printSchema(t.gateway.schema)}\n`);
    expect(sdl).not.toMatch(/CustomRecord/);
  });

  it('renames (its records follow), archives (gone from the schema, records kept), restores', async () => {
    await a.client.query(RENAME_OBJECT, { i: { id: contractId, name: 'Agreement' } });
    expect((await a.client.query(`{ __type(name: "Contract") { name } }`)).__type).toBeNull();
    const renamed = (await a.client.query(`{ agreements(first: 10, orderBy: [{ field: NUMBER }]) { edges { node { number customer { name } } } } }`)).agreements.edges;
    expect(renamed.map((e: { node: { number: string } }) => e.node.number)).toEqual(['C-1', 'C-2', 'C-3', 'C-4']);
    const ada = (await a.client.query(`query ($id: ID!) { customer(id: $id) { agreements(first: 5) { totalCount } } }`, { id: customers.Ada })).customer;
    expect(ada.agreements.totalCount).toBe(2);
    await a.client.query(RENAME_OBJECT, { i: { id: contractId, name: 'Contract' } });
    expect((await a.client.query(ARCHIVE_OBJECT, { i: { id: contractId } })).archiveCustomObject.customObject.archived).toBe(true);
    expect((await a.client.query(`{ __type(name: "Contract") { name } }`)).__type).toBeNull();
    expect((await a.client.query(`{ customObjects(archived: true) { name } }`)).customObjects).toEqual([{ name: 'Contract' }]);
    expect(await errorOf(a.client, DEFINE_OBJECT, { i: { name: 'Contract' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    await a.client.query(ARCHIVE_OBJECT, { i: { id: contractId, archived: false } });
    expect((await a.client.query(`{ contracts(first: 1) { totalCount } }`)).contracts.totalCount).toBe(4);
  });

  it('deleting is refused while records exist, unless forced; then the schema has it no more', async () => {
    expect(await errorOf(a.client, DELETE_OBJECT, { i: { id: contractId } })).toMatchObject({ code: 'CONFLICT', field: 'id' });
    // What uses it, for machines: its records, and the relation field of Customer pointing at it.
    expect((await a.client.request(DELETE_OBJECT, { i: { id: contractId } })).errors?.[0]?.extensions?.usedBy).toBe('records:8, field:mainContract');
    expect((await a.client.query(`{ contracts(first: 1) { totalCount } }`)).contracts.totalCount).toBe(4);
    const deleted = (await a.client.query(DELETE_OBJECT, { i: { id: contractId, force: true } })).deleteCustomObject;
    // Four live, four in the trash.
    expect(deleted).toEqual({ deletedId: contractId, deletedRecords: 8 });
    expect((await a.client.query(`{ __type(name: "Contract") { name } }`)).__type).toBeNull();
    expect((await a.client.query(`{ __type(name: "Customer") { fields { name } } }`)).__type.fields.map((f: { name: string }) => f.name)).not.toContain('contracts');
    const left = (await a.client.query(`{ customFields { name } }`)).customFields.map((f: { name: string }) => f.name);
    expect(left).not.toContain('number');
    // The relation field pointing at it went with it, and its values.
    expect(left).not.toContain('mainContract');
    expect((await a.client.request(`{ customers(first: 1) { edges { node { mainContract { id } } } } }`)).errors?.[0]?.message).toMatch(/Cannot query field "mainContract"/);
    // A new object without records is deleted without force.
    const empty = (await a.client.query(DEFINE_OBJECT, { i: { name: 'Memo' } })).defineCustomObject.customObject;
    expect((await a.client.query(DELETE_OBJECT, { i: { id: empty.id } })).deleteCustomObject).toEqual({ deletedId: empty.id, deletedRecords: 0 });
  });
});
