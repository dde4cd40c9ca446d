// Custom fields in the data operations (docs/data.md; docs/custom-fields.md): bulk writes and upserts take them in
// `customFields`, CSV imports take them as columns, exports write them as columns; every value is checked by the same
// definitions (BAD_USER_INPUT naming `customFields.<name>` with the row's index or line), and another workspace's
// field names are refused on every path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

let t: TestGateway;
let a: TestWorkspace;
let b: TestWorkspace;
let member: TestClient;

const DEFINE = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const CREATE = `mutation ($inputs: [CustomerInput!]!) { createCustomers(inputs: $inputs) { customers { id name tier seats contractEnd } } }`;
const UPDATE = `mutation ($ids: [ID!]!, $patch: CustomerPatch!) { updateCustomers(where: { ids: $ids }, patch: $patch) { customers { id tier seats } } }`;
const UPSERT = `mutation ($inputs: [CustomerInput!]!) { upsertCustomers(inputs: $inputs, on: EMAIL) { created updated customers { email tier membershipNo } } }`;
const IMPORT = `mutation ($file: Upload!, $mapping: JSON, $on: String) {
  importRecords(object: CUSTOMER, file: $file, mapping: $mapping, on: $on) { created updated refused ignoredColumns errors { line field message } }
}`;

async function upload(apiKey: string, csv: string, variables: Record<string, unknown>) {
  return new TestClient(t.url, apiKey).upload<{ importRecords: Record<string, any> }>(IMPORT, variables, csv, 'customers.csv');
}

const exported = (apiKey: string, params: Record<string, string>) =>
  fetch(`${t.url}/export/customers?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${apiKey}` } });

beforeAll(async () => {
  t = await startTestGateway();
  a = t.workspace;
  b = await t.createWorkspace('Workspace B');
  member = await t.issueKey(a.workspaceId, 'MEMBER');
  const define = (client: TestClient, input: Record<string, unknown>) => client.query(DEFINE, { i: { object: 'CUSTOMER', ...input } });
  await define(a.client, { name: 'tier', type: 'SELECT', options: [{ value: 'gold' }, { value: 'silver' }] });
  await define(a.client, { name: 'seats', type: 'NUMBER', min: 0, max: 1000 });
  await define(a.client, { name: 'contractEnd', type: 'DATE' });
  await define(a.client, { name: 'membershipNo', type: 'TEXT', unique: true });
  // Workspace B has a field workspace A does not.
  await define(b.client, { name: 'secretScore', type: 'NUMBER' });
});
afterAll(async () => {
  await t?.close();
});

describe('bulk writes and upserts', () => {
  it('create and update custom values in bulk; a bad value is its row’s BAD_USER_INPUT naming the field, nothing written', async () => {
    const created = (
      await member.query(CREATE, {
        inputs: [
          { name: 'Cf One', email: 'one@cf.test', customFields: { tier: 'gold', seats: 10, contractEnd: '2027-01-31' } },
          { name: 'Cf Two', email: 'two@cf.test', customFields: { tier: 'silver' } },
        ],
      })
    ).createCustomers.customers;
    expect(created.map(({ id: _id, ...rest }: { id: string }) => rest)).toEqual([
      { name: 'Cf One', tier: 'gold', seats: 10, contractEnd: '2027-01-31' },
      { name: 'Cf Two', tier: 'silver', seats: null, contractEnd: null },
    ]);
    const ids = created.map((c: { id: string }) => c.id);
    expect((await member.query(UPDATE, { ids, patch: { customFields: { seats: 25 } } })).updateCustomers.customers).toEqual([
      { id: ids[0], tier: 'gold', seats: 25 },
      { id: ids[1], tier: 'silver', seats: 25 },
    ]);

    const refused = await member.request(CREATE, {
      inputs: [
        { name: 'Fine', customFields: { tier: 'gold' } },
        { name: 'Bad tier', customFields: { tier: 'platinum' } },
        { name: 'Too many seats', customFields: { seats: 5000 } },
      ],
    });
    expect(refused.errors?.[0]?.extensions?.rows).toEqual([
      expect.objectContaining({ index: 1, field: 'customFields.tier', code: 'BAD_USER_INPUT' }),
      expect.objectContaining({ index: 2, field: 'customFields.seats', code: 'BAD_USER_INPUT' }),
    ]);
    expect((await a.client.query(`{ customers(filter: { name: { eq: "Fine" } }) { totalCount } }`)).customers.totalCount).toBe(0);
    const badPatch = await member.request(UPDATE, { ids, patch: { customFields: { seats: -1 } } });
    expect(badPatch.errors?.[0]?.extensions?.rows).toEqual([
      expect.objectContaining({ index: 0, field: 'customFields.seats' }),
      expect.objectContaining({ index: 1, field: 'customFields.seats' }),
    ]);
  });

  it('upserts set custom values on create and on update; a taken unique value is CONFLICT for its row', async () => {
    const first = await member.query(UPSERT, { inputs: [{ name: 'Up One', email: 'one@cf.test', customFields: { membershipNo: 'M-1' } }, { name: 'Up New', email: 'new@cf.test', customFields: { tier: 'silver', membershipNo: 'M-2' } }] });
    expect(first.upsertCustomers).toEqual({
      created: 1,
      updated: 1,
      customers: [
        { email: 'one@cf.test', tier: 'gold', membershipNo: 'M-1' },
        { email: 'new@cf.test', tier: 'silver', membershipNo: 'M-2' },
      ],
    });
    const taken = await member.request(UPSERT, { inputs: [{ name: 'Taker', email: 'taker@cf.test', customFields: { membershipNo: 'M-1' } }] });
    expect(taken.errors?.[0]?.extensions?.rows).toEqual([expect.objectContaining({ index: 0, field: 'customFields.membershipNo', code: 'CONFLICT' })]);
  });

  it('another workspace’s field names are not in this workspace’s inputs', async () => {
    const result = await member.request(CREATE, { inputs: [{ name: 'Nosy', customFields: { secretScore: 1 } }] });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await a.client.query(`{ customers(filter: { name: { eq: "Nosy" } }) { totalCount } }`)).customers.totalCount).toBe(0);
  });
});

describe('import and export', () => {
  it('imports custom fields as columns, by name or mapping; bad values are line errors naming the field', async () => {
    const csv = [
      'name,email,tier,Seat count,contractEnd,secretScore',
      'Imp One,imp1@cf.test,gold,3,2026-12-31,9',
      'Imp Two,imp2@cf.test,bronze,4,,',
      'Imp Three,imp3@cf.test,,many,,',
      'Imp Four,imp4@cf.test,silver,,2026-02-30,',
    ].join('\n');
    const result = await upload(member.apiKey!, csv, { mapping: { 'Seat count': 'seats' }, on: 'email' });
    expect(result.errors).toBeUndefined();
    const summary = result.data!.importRecords;
    expect(summary).toMatchObject({ created: 1, updated: 0, refused: 3, ignoredColumns: ['secretScore'] });
    expect(summary.errors).toEqual([
      expect.objectContaining({ line: 4, field: 'customFields.seats' }),
      expect.objectContaining({ line: 3, field: 'customFields.tier' }),
      expect.objectContaining({ line: 5, field: 'customFields.contractEnd' }),
    ]);
    const one = await a.client.query(`{ customers(filter: { email: { eq: "imp1@cf.test" } }) { edges { node { tier seats contractEnd } } } }`);
    expect(one.customers.edges[0].node).toEqual({ tier: 'gold', seats: 3, contractEnd: '2026-12-31' });

    // Workspace B's field is not a column here, and a mapping to it is refused.
    const mapped = await upload(member.apiKey!, 'name,score\nX,1\n', { mapping: { score: 'secretScore' } });
    expect(mapped.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mapping' });
  });

  it('exports custom fields as columns, by default and by name; another workspace’s field is not a column', async () => {
    const csv = await exported(a.apiKey, { fields: 'name,tier,seats,contractEnd', filter: JSON.stringify({ email: { eq: 'one@cf.test' } }) });
    expect(csv.status, await csv.clone().text()).toBe(200);
    expect((await csv.text()).split('\r\n').slice(0, 2)).toEqual(['name,tier,seats,contractEnd', 'Up One,gold,25,2027-01-31']);

    const nd = await exported(a.apiKey, { format: 'ndjson', filter: JSON.stringify({ email: { eq: 'one@cf.test' } }) });
    const [row] = (await nd.text()).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(row).toMatchObject({ name: 'Up One', tier: 'gold', seats: 25, contractEnd: '2027-01-31', membershipNo: 'M-1' });
    expect(row).not.toHaveProperty('secretScore');

    const foreign = await exported(a.apiKey, { fields: 'name,secretScore' });
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'fields.1' } }] });
    // Workspace B's export of its own field works, and sees none of A's rows.
    const own = await exported(b.apiKey, { fields: 'name,secretScore' });
    expect(own.status).toBe(200);
    expect((await own.text()).split('\r\n').filter(Boolean)).toEqual(['name,secretScore']);
  });
});

describe('the trash', () => {
  it('restoring a customer whose unique custom value a live customer took meanwhile is CONFLICT naming the field', async () => {
    const CREATE_ONE = `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`;
    const first = (await member.query(CREATE_ONE, { i: { name: 'Trashed Member', customFields: { membershipNo: 'M-TRASH' } } })).createCustomer.customer.id;
    await member.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: first });
    await member.query(CREATE_ONE, { i: { name: 'New Member', customFields: { membershipNo: 'M-TRASH' } } });
    const restored = await member.request(`mutation ($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id } } }`, { id: first });
    expect(restored.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'customFields.membershipNo' });
    expect((await a.client.query(`{ customers(filter: { membershipNo: { eq: "M-TRASH" } }) { totalCount } }`)).customers.totalCount).toBe(1);
  });
});
