// Roles name custom fields like built-in ones (docs/security.md): hidden custom fields read as null on every path
// (read engine and Pothos, by-id, node), filters, sorts and aggregates on them are refused, subscription payloads
// leave them out, and writing a hidden or read-only one is FORBIDDEN naming it. Rules follow a field by its stable
// key, so a rename keeps them; names are checked against the workspace's own definitions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWsClient, startTestGateway, SubscriptionCollector, type TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
let admin: TestClient;
let rep: TestClient;
let repKey: string;
let roleId: string;
let seatsId: string;
const ids: Record<string, string> = {};

const DEFINE = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const CREATE = `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`;
const UPDATE = `mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`;
const ROLE_PERMISSIONS = [{ object: 'Customer', read: true, create: true, update: true, hiddenFields: ['seats'], readOnlyFields: ['tier'] }];

beforeAll(async () => {
  t = await startTestGateway();
  admin = t.workspace.client;
  seatsId = (await admin.query(DEFINE, { i: { object: 'CUSTOMER', name: 'seats', type: 'NUMBER' } })).defineCustomField.customField.id;
  await admin.query(DEFINE, { i: { object: 'CUSTOMER', name: 'tier', type: 'TEXT' } });
  await admin.query(DEFINE, { i: { object: 'CUSTOMER', name: 'interests', type: 'MULTI_SELECT', options: [{ value: 'golf' }] } });
  ids.ada = (await admin.query(CREATE, { i: { name: 'Ada', customFields: { seats: 120, tier: 'gold' } } })).createCustomer.customer.id;
  ids.bob = (await admin.query(CREATE, { i: { name: 'Bob', customFields: { seats: 8, tier: 'silver' } } })).createCustomer.customer.id;
  const role = await admin.query(`mutation ($p: [ObjectPermissionInput!]!) { createRole(input: { name: "No seats", permissions: $p }) { role { id permissions { object hiddenFields readOnlyFields } } } }`, {
    p: ROLE_PERMISSIONS,
  });
  roleId = role.createRole.role.id;
  expect(role.createRole.role.permissions).toEqual([{ object: 'Customer', hiddenFields: ['seats'], readOnlyFields: ['tier'] }]);
  repKey = (await admin.query(`mutation ($r: ID!) { createApiKey(input: { name: "rep", roleId: $r }) { secret } }`, { r: roleId })).createApiKey.secret;
  rep = t.client(repKey);
});
afterAll(async () => {
  await t?.close();
});

describe('a role that hides a custom field', () => {
  it('reads it as null on every path, and the other custom fields as they are', async () => {
    const list = await rep.query(`{ customers(orderBy: [{ field: NAME }]) { edges { node { name seats tier } } } }`);
    expect(list.customers.edges).toEqual([{ node: { name: 'Ada', seats: null, tier: 'gold' } }, { node: { name: 'Bob', seats: null, tier: 'silver' } }]);
    const byId = await rep.query(`query ($id: ID!) { customer(id: $id) { seats tier } node(id: $id) { ... on Customer { seats } } }`, { id: ids.ada });
    expect(byId).toEqual({ customer: { seats: null, tier: 'gold' }, node: { seats: null } });
    // An ADMIN key still reads it.
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { seats } }`, { id: ids.ada })).customer.seats).toBe(120);
  });

  it('refuses filters, sorts and aggregates on it with BAD_USER_INPUT naming it', async () => {
    const cases: [string, string][] = [
      [`{ customers(filter: { seats: { gt: 10 } }) { totalCount } }`, 'filter.seats'],
      [`{ customers(orderBy: [{ field: SEATS }]) { totalCount } }`, 'orderBy.0.field'],
      [`{ customers { aggregate { sum { seats } } } }`, 'aggregate.sum.seats'],
    ];
    for (const [query, field] of cases) {
      const result = await rep.request(query);
      expect(result.errors?.[0]?.extensions, query).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    // The read-only one may be filtered on: it is readable.
    expect((await rep.query(`{ customers(filter: { tier: { eq: "gold" } }) { totalCount } }`)).customers.totalCount).toBe(1);
  });

  it('refuses writing a hidden or read-only custom field with FORBIDDEN naming it, and writes nothing', async () => {
    const created = await rep.request(CREATE, { i: { name: 'Cy', customFields: { seats: 3 } } });
    expect(created.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'customFields.seats' });
    const updated = await rep.request(UPDATE, { i: { id: ids.bob, name: 'Bobby', customFields: { tier: 'bronze' } } });
    expect(updated.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'customFields.tier' });
    expect(await t.database.prisma.customer.count({ where: { name: { in: ['Cy', 'Bobby'] } } })).toBe(0);
    // Writing what the role may write works, and keeps the hidden value.
    await rep.query(UPDATE, { i: { id: ids.bob, name: 'Bob B' } });
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { name seats tier } }`, { id: ids.bob })).customer).toEqual({ name: 'Bob B', seats: 8, tier: 'silver' });
  });

  it('leaves it out of subscription payloads', async () => {
    const client = openWsClient(t.wsUrl, repKey);
    const sub = await t.subscribed(
      () => new SubscriptionCollector<{ events: { payload: { changed: string[]; changes: Record<string, { from: any; to: any }> } } }>(client, `subscription { events(types: ["customer.updated"]) { payload } }`),
    );
    await admin.query(UPDATE, { i: { id: ids.ada, customFields: { seats: 121, tier: 'platinum' } } });
    await admin.query(UPDATE, { i: { id: ids.ada, customFields: { seats: 122 } } });
    await admin.query(UPDATE, { i: { id: ids.ada, name: 'Ada L' } });
    const [both, seatsOnly, name] = (await sub.take(3)).map((r) => r.events.payload);
    const values = Object.values(both!.changes.customFields!);
    expect(values.map((v) => Object.values(v))).toEqual([['gold'], ['platinum']]);
    // A change of the hidden value only shows as no change.
    expect(seatsOnly).toEqual({ changed: [], changes: {} });
    expect(name!.changed).toEqual(['name']);
    sub.dispose();
    await client.dispose();
  });

  it('keeps the rule when the field is renamed (rules hold its stable key)', async () => {
    await admin.query(`mutation ($i: RenameCustomFieldInput!) { renameCustomField(input: $i) { customField { name } } }`, { i: { id: seatsId, name: 'headcount' } });
    const read = await eventually(async () => {
      const result = await rep.request(`query ($id: ID!) { customer(id: $id) { headcount } }`, { id: ids.ada });
      return result.errors ? undefined : result.data;
    });
    expect(read).toEqual({ customer: { headcount: null } });
    const roles = (await admin.query(`{ roles { name permissions { object hiddenFields } } }`)).roles;
    expect(roles.find((r: { name: string }) => r.name === 'No seats').permissions).toEqual([{ object: 'Customer', hiddenFields: ['headcount'] }]);
    const stored = await t.database.prisma.customRole.findFirstOrThrow({ where: { name: 'No seats' } });
    expect(JSON.stringify(stored.grants)).toMatch(/"customFields\.[^"]+"/);
    expect(JSON.stringify(stored.grants)).not.toContain('headcount');
  });

  it('keeps the rule of an archived field: the role can still be updated, and the rule holds again when it is restored', async () => {
    const ARCHIVE = `mutation ($i: ArchiveCustomFieldInput!) { archiveCustomField(input: $i) { customField { name } } }`;
    await admin.query(ARCHIVE, { i: { id: seatsId } });
    const updated = await admin.request(`mutation ($id: ID!) { updateRole(input: { id: $id, pluginPermissions: [] }) { role { permissions { hiddenFields readOnlyFields } } } }`, { id: roleId });
    expect(updated.errors).toBeUndefined();
    expect(updated.data!.updateRole.role.permissions[0].hiddenFields).toEqual([expect.stringMatching(/^customFields\./)]);
    await admin.query(ARCHIVE, { i: { id: seatsId, archived: false } });
    const read = await eventually(async () => {
      const result = await rep.request(`query ($id: ID!) { customer(id: $id) { headcount } }`, { id: ids.ada });
      return result.errors ? undefined : result.data;
    });
    expect(read).toEqual({ customer: { headcount: null } });
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { headcount } }`, { id: ids.ada })).customer.headcount).toBe(122);
  });

  it('checks names against the workspace’s own definitions', async () => {
    const create = `mutation ($p: [ObjectPermissionInput!]!) { createRole(input: { name: "Bad", permissions: $p }) { role { id } } }`;
    const refused = async (client: TestClient, hiddenFields: string[]) =>
      (await client.request(create, { p: [{ object: 'Customer', read: true, hiddenFields }] })).errors?.[0]?.extensions;
    expect(await refused(admin, ['nope'])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'permissions.0.hiddenFields.0' });
    // A multi-select is never null (an empty list), so it cannot be hidden.
    expect(await refused(admin, ['tier', 'interests'])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'permissions.0.hiddenFields.1' });
    // Another workspace has no such field.
    const other = await t.createWorkspace('Workspace B');
    expect(await refused(other.client, ['tier'])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'permissions.0.hiddenFields.0' });
  });
});

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
