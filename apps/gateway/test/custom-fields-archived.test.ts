// Archived custom fields through the metadata API (docs/custom-fields.md, "Defining fields"): `customFields(object:,
// includeArchived: true)` lists them (ADMIN only) with `archived: true`, so they can be restored; other keys and other
// workspaces never see them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

let t: TestGateway;
let a: TestWorkspace;
let b: TestWorkspace;

beforeAll(async () => {
  t = await startTestGateway();
  a = t.workspace;
  b = await t.createWorkspace('Workspace B');
});
afterAll(async () => {
  await t?.close();
});

const DEFINE = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const ARCHIVE = `mutation ($i: ArchiveCustomFieldInput!) { archiveCustomField(input: $i) { customField { name archived } } }`;
const LIST = `query ($object: ExtensibleObject, $customObjectId: ID, $all: Boolean) {
  customFields(object: $object, customObjectId: $customObjectId, includeArchived: $all) { name archived }
}`;

const define = async (client: TestClient, input: Record<string, unknown>) => (await client.query(DEFINE, { i: input })).defineCustomField.customField.id as string;

async function errorCode(client: TestClient, query: string, variables?: Record<string, unknown>) {
  const result = await client.request(query, variables);
  expect(result.errors?.length, JSON.stringify(result)).toBeTruthy();
  return result.errors![0]!.extensions?.code;
}

describe('archived custom fields', () => {
  const ids: Record<string, string> = {};

  it('lists archived fields with includeArchived (ADMIN), in their order, marked archived; live lists leave them out', async () => {
    ids.tier = await define(a.client, { object: 'CUSTOMER', name: 'tier', type: 'TEXT', position: 1 });
    ids.seats = await define(a.client, { object: 'CUSTOMER', name: 'seats', type: 'NUMBER', position: 2 });
    ids.rank = await define(a.client, { object: 'COMPANY', name: 'rank', type: 'RATING' });
    expect((await a.client.query(ARCHIVE, { i: { id: ids.tier } })).archiveCustomField.customField).toEqual({ name: 'tier', archived: true });
    await a.client.query(ARCHIVE, { i: { id: ids.rank } });

    expect((await a.client.query(LIST, { object: 'CUSTOMER' })).customFields).toEqual([{ name: 'seats', archived: false }]);
    expect((await a.client.query(LIST, { object: 'CUSTOMER', all: false })).customFields).toEqual([{ name: 'seats', archived: false }]);
    expect((await a.client.query(LIST, { object: 'CUSTOMER', all: true })).customFields).toEqual([
      { name: 'tier', archived: true },
      { name: 'seats', archived: false },
    ]);
    expect((await a.client.query(LIST, { object: 'COMPANY', all: true })).customFields).toEqual([{ name: 'rank', archived: true }]);
    // Without an object: every object's, archived ones included.
    expect((await a.client.query(LIST, { all: true })).customFields.map((f: { name: string }) => f.name).sort()).toEqual(['rank', 'seats', 'tier']);
  });

  it("lists a custom object's archived fields the same way", async () => {
    const store = (await a.client.query(`mutation { defineCustomObject(input: { name: "Store" }) { customObject { id } } }`)).defineCustomObject.customObject.id;
    ids.title = await define(a.client, { customObjectId: store, name: 'title', type: 'TEXT' });
    ids.city = await define(a.client, { customObjectId: store, name: 'city', type: 'TEXT' });
    await a.client.query(ARCHIVE, { i: { id: ids.city } });
    expect((await a.client.query(LIST, { customObjectId: store, all: true })).customFields).toEqual([
      { name: 'title', archived: false },
      { name: 'city', archived: true },
    ]);
    expect((await a.client.query(LIST, { customObjectId: store })).customFields).toEqual([{ name: 'title', archived: false }]);
  });

  it('restores an archived field: listed live again, back in the schema with its values', async () => {
    const customer = (await a.client.query(`mutation { createCustomer(input: { name: "Ada", customFields: { seats: 3 } }) { customer { id } } }`)).createCustomer.customer.id;
    expect((await a.client.query(ARCHIVE, { i: { id: ids.seats } })).archiveCustomField.customField).toEqual({ name: 'seats', archived: true });
    expect((await a.client.query(LIST, { object: 'CUSTOMER', all: true })).customFields).toEqual([
      { name: 'tier', archived: true },
      { name: 'seats', archived: true },
    ]);
    expect((await a.client.query(ARCHIVE, { i: { id: ids.seats, archived: false } })).archiveCustomField.customField).toEqual({ name: 'seats', archived: false });
    expect((await a.client.query(LIST, { object: 'CUSTOMER', all: true })).customFields).toEqual([
      { name: 'tier', archived: true },
      { name: 'seats', archived: false },
    ]);
    expect((await a.client.query(`query ($id: ID!) { customer(id: $id) { seats } }`, { id: customer })).customer.seats).toBe(3);
  });

  it('refuses archived fields to MEMBER and READ_ONLY keys (FORBIDDEN); they list the live ones', async () => {
    const member = await t.issueKey(a.workspaceId, 'MEMBER');
    const readOnly = await t.issueKey(a.workspaceId, 'READ_ONLY');
    for (const key of [member, readOnly]) {
      expect(await errorCode(key, LIST, { object: 'CUSTOMER', all: true })).toBe('FORBIDDEN');
      expect((await key.query(LIST, { object: 'CUSTOMER' })).customFields).toEqual([{ name: 'seats', archived: false }]);
    }
  });

  it("another workspace's ADMIN never sees A's archived fields, nor restores them", async () => {
    expect((await b.client.query(LIST, { all: true })).customFields).toEqual([]);
    expect((await b.client.query(LIST, { object: 'CUSTOMER', all: true })).customFields).toEqual([]);
    expect(await errorCode(b.client, ARCHIVE, { i: { id: ids.tier, archived: false } })).toBe('NOT_FOUND');
    expect((await a.client.query(LIST, { object: 'CUSTOMER', all: true })).customFields).toContainEqual({ name: 'tier', archived: true });
  });

  it('an archived field asked without a key is UNAUTHENTICATED', async () => {
    expect(await errorCode(t.client(), LIST, { object: 'CUSTOMER', all: true })).toBe('UNAUTHENTICATED');
  });
});
