import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

// An own-records key in batch writes (Permissions.requireOwnOwner, the one owner rule): a row handing its record to
// another owner is refused in place, FORBIDDEN naming the owner field, without the batch falling back to row by row;
// custom objects' records follow the same rule, with the same message as core objects.

let t: TestGateway;
let admin: TestClient;
let other: TestWorkspace;
let rep: TestClient;
let ana: string;
let ben: string;

const rowIdOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
const upper = (globalId: string) => {
  const [type, id] = Buffer.from(globalId, 'base64').toString('utf8').split(':');
  return Buffer.from(`${type}:${id!.toUpperCase()}`).toString('base64');
};
// The workspace's "has segments" fact is cached per process: its read is one statement or none, whatever the size.
const segmentPresence = (sql: string) => /FROM "public"\."Segment" AS "t0" WHERE "t0"\."workspaceId" = \$1 ORDER BY/.test(sql);
const during = async (work: () => Promise<unknown>) => (await t.sql.during(work)).filter((sql) => !segmentPresence(sql));
type RowError = { index: number; field: string | null; message: string; code: string };
const rowsOf = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => result.errors?.[0]?.extensions?.rows as RowError[] | undefined;

const UPDATE_COMPANY = `mutation ($i: UpdateCompanyInput!) { updateCompany(input: $i) { company { id } } }`;
const CREATE_CONTRACT = `mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`;
const UPDATE_CONTRACT = `mutation ($i: UpdateContractInput!) { updateContract(input: $i) { contract { id } } }`;
const HANDED = (object: string) => `ownerId: your API key's role keeps ${object} records its own: it cannot hand them to anyone else`;

beforeAll(async () => {
  t = await startTestGateway({ rateLimit: { perMinute: 0 } });
  admin = t.workspace.client;
  other = await t.createWorkspace('Owner B');
  const user = async (name: string) => (await admin.query(`mutation ($n: String!, $e: String!) { createUser(input: { name: $n, email: $e }) { user { id } } }`, { n: name, e: `${name}@own.test` })).createUser.user.id as string;
  [ana, ben] = [await user('ana'), await user('ben')];
  const objectId = (await admin.query(`mutation { defineCustomObject(input: { name: "Contract", label: "Contract" }) { customObject { id } } }`)).defineCustomObject.customObject.id;
  await admin.query(`mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`, { i: { customObjectId: objectId, name: 'number', type: 'TEXT', required: true, unique: true } });
  const roleId = (await admin.query(`mutation ($p: [ObjectPermissionInput!]!) { createRole(input: { name: "Own deals and contracts", permissions: $p }) { role { id } } }`, {
    p: [
      { object: 'User', read: true },
      ...['Company', 'Customer', 'Contract'].map((object) => ({ object, read: true, create: true, update: true, ownRecordsOnly: true })),
    ],
  })).createRole.role.id;
  const secret = (await admin.query(`mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`, { i: { name: 'ana', roleId, userId: ana } })).createApiKey.secret;
  rep = t.client(secret);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/**
 * Companies (core's declared batch writer) and customers (their own batch command), upserted on a unique key: a batch
 * per row, each row its own owner.
 */
const objects = [
  { name: 'Company', key: 'domain', on: 'DOMAIN', upsert: `mutation ($inputs: [CompanyInput!]!) { upsertCompanies(inputs: $inputs, on: DOMAIN) { created updated } }`, create: `mutation ($inputs: [CompanyInput!]!) { createCompanies(inputs: $inputs) { count } }`,
    value: (prefix: string, i: number) => `${prefix}-${i}.own.test`,
    read: (prefix: string) => t.database.prisma.company.findMany({ where: { domain: { startsWith: `${prefix}-` } }, orderBy: { domain: 'asc' } }) },
  { name: 'Customer', key: 'email', on: 'EMAIL', upsert: `mutation ($inputs: [CustomerInput!]!) { upsertCustomers(inputs: $inputs, on: EMAIL) { created updated } }`, create: `mutation ($inputs: [CustomerInput!]!) { createCustomers(inputs: $inputs) { count } }`,
    value: (prefix: string, i: number) => `${prefix}-${i}@own.test`,
    read: (prefix: string) => t.database.prisma.customer.findMany({ where: { email: { startsWith: `${prefix}-` } }, orderBy: { email: 'asc' } }) },
] as const;
type Target = (typeof objects)[number];
/** `count` records of ana's, keyed `<prefix>-<i>`. */
const anas = async (object: Target, prefix: string, count: number) =>
  admin.query(object.create, { inputs: Array.from({ length: count }, (_, i) => ({ name: 'Owned', ownerId: ana, [object.key]: object.value(prefix, i) })) });
/** Every record renamed, the one at `handOff` also given to ben. */
const inputsOf = (object: Target, prefix: string, count: number, handOff: number) =>
  Array.from({ length: count }, (_, i) => ({ name: 'Renamed', [object.key]: object.value(prefix, i), ownerId: i === handOff ? ben : ana }));
const recordsOf = async (object: Target, prefix: string) => (await object.read(prefix)).map((record) => [record.name, record.ownerId]);

describe('an own-records key handing a record over in a batch', () => {
  it('a batch refuses that row FORBIDDEN in place: 3 rows or 12, the same statements, no row-by-row run', async () => {
    for (const object of objects) {
      await anas(object, 'few', 3);
      await anas(object, 'many', 12);
      const results: Awaited<ReturnType<TestClient['request']>>[] = [];
      const small = await during(async () => results.push(await rep.request(object.upsert, { inputs: inputsOf(object, 'few', 3, 1) })));
      const large = await during(async () => results.push(await rep.request(object.upsert, { inputs: inputsOf(object, 'many', 12, 1) })));
      for (const result of results) expect(rowsOf(result), JSON.stringify(result)).toEqual([{ index: 1, field: 'ownerId', code: 'FORBIDDEN', message: HANDED(object.name) }]);
      expect(large.length, `${object.name}\n${large.join('\n')}`).toBe(small.length);
      expect(large.filter((sql) => /SAVEPOINT/i.test(sql))).toEqual([]);
      // All or nothing: the call refused, no record changed.
      expect(await recordsOf(object, 'many')).toEqual(Array.from({ length: 12 }, () => ['Owned', rowIdOf(ana)]));
      // Its own id, in any case, is keeping the record its own.
      const own = inputsOf(object, 'few', 3, -1).map((input, i) => (i === 2 ? { ...input, ownerId: upper(ana) } : input));
      expect(Object.values(await rep.query(object.upsert, { inputs: own }))[0]).toEqual({ created: 0, updated: 3 });
      expect(await recordsOf(object, 'few')).toEqual(Array.from({ length: 3 }, () => ['Renamed', rowIdOf(ana)]));
    }
  });

  it('an import (a partial write) refuses the hand-off line and updates the others, in one batch', async () => {
    const customer = objects[1];
    await anas(customer, 'csv', 12);
    const lines = Array.from({ length: 12 }, (_, i) => `Imported,${customer.value('csv', i)},${rowIdOf(i === 4 ? ben : ana)}`);
    const IMPORT = `mutation ($file: Upload!) { importRecords(object: CUSTOMER, file: $file, on: "email") { created updated refused errors { line field message } } }`;
    let summary: Record<string, unknown> = {};
    const statements = await during(async () => (summary = (await rep.upload<{ importRecords: Record<string, unknown> }>(IMPORT, {}, `name,email,ownerId\n${lines.join('\n')}\n`, 'own.csv')).data!.importRecords));
    expect(summary).toMatchObject({ created: 0, updated: 11, refused: 1, errors: [{ line: 6, field: 'ownerId', message: HANDED('Customer') }] });
    expect(statements.filter((sql) => /SAVEPOINT/i.test(sql))).toEqual([]);
    const after = await customer.read('csv');
    const handedOff = customer.value('csv', 4);
    expect(after.map((record) => [record.email, record.name, record.ownerId])).toEqual(after.map((record) => [record.email, record.email === handedOff ? 'Owned' : 'Imported', rowIdOf(ana)]));
    expect(after).toHaveLength(12);
  });

  it('a line refused for its owner claims no unique custom value: another line of the batch takes it', async () => {
    await admin.query(`mutation { defineCustomField(input: { object: CUSTOMER, name: "code", type: TEXT, unique: true }) { customField { id } } }`);
    const customer = objects[1];
    await anas(customer, 'claim', 2);
    const IMPORT = `mutation ($file: Upload!) { importRecords(object: CUSTOMER, file: $file, on: "email") { created updated refused errors { line field message } } }`;
    // Line A hands its customer to ben (FORBIDDEN) and sets code X; line B sets X too: nothing is written with X but B.
    const csv = `name,email,ownerId,code\nA,${customer.value('claim', 0)},${rowIdOf(ben)},X\nB,${customer.value('claim', 1)},${rowIdOf(ana)},X\n`;
    const summary = (await rep.upload<{ importRecords: Record<string, unknown> }>(IMPORT, {}, csv, 'claim.csv')).data!.importRecords;
    expect(summary).toMatchObject({ created: 0, updated: 1, refused: 1, errors: [{ line: 2, field: 'ownerId', message: HANDED('Customer') }] });
    const after = await customer.read('claim');
    expect(after.map((record) => [record.name, record.ownerId, (record.customFields as Record<string, unknown>)?.code ?? null])).toEqual([
      ['Owned', rowIdOf(ana), null],
      ['B', rowIdOf(ana), 'X'],
    ]);
  });

  it('an import creating a line for another owner refuses that line and creates the others, in one batch', async () => {
    const customer = objects[1];
    const IMPORT = `mutation ($file: Upload!) { importRecords(object: CUSTOMER, file: $file) { created updated refused errors { line field message } } }`;
    const lines = Array.from({ length: 12 }, (_, i) => `New,${customer.value('new', i)},${rowIdOf(i === 7 ? ben : ana)}`);
    let summary: Record<string, unknown> = {};
    const statements = await during(async () => (summary = (await rep.upload<{ importRecords: Record<string, unknown> }>(IMPORT, {}, `name,email,ownerId\n${lines.join('\n')}\n`, 'new.csv')).data!.importRecords));
    expect(summary).toMatchObject({ created: 11, updated: 0, refused: 1, errors: [{ line: 9, field: 'ownerId', message: "ownerId: your API key's role creates only its own Customer records" }] });
    expect(statements.filter((sql) => /SAVEPOINT/i.test(sql))).toEqual([]);
    const after = await customer.read('new');
    expect(after.map((record) => record.email)).toEqual(Array.from({ length: 12 }, (_, i) => customer.value('new', i)).filter((_, i) => i !== 7).sort());
    expect(new Set(after.map((record) => record.ownerId))).toEqual(new Set([rowIdOf(ana)]));
  });

  it('a custom object’s records: the core rule, with the core message', async () => {
    const mine = (await rep.query(CREATE_CONTRACT, { i: { number: 'K-1' } })).createContract.contract.id;
    await rep.query(CREATE_CONTRACT, { i: { number: 'K-2' } });
    // Its own user's id upper-case is still its own user.
    expect((await rep.request(UPDATE_CONTRACT, { i: { id: mine, ownerId: upper(ana) } })).errors).toBeUndefined();
    expect((await rep.request(CREATE_CONTRACT, { i: { number: 'K-3', ownerId: upper(ana) } })).errors).toBeUndefined();
    const companyId = (await rep.query(`mutation { createCompany(input: { name: "Mine" }) { company { id } } }`)).createCompany.company.id;
    const coreRefusal = (await rep.request(UPDATE_COMPANY, { i: { id: companyId, ownerId: ben } })).errors?.[0];
    expect(coreRefusal?.message).toBe(HANDED('Company'));
    const handed = (await rep.request(UPDATE_CONTRACT, { i: { id: mine, ownerId: ben } })).errors?.[0];
    expect(handed?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'ownerId' });
    expect(handed?.message).toBe(coreRefusal!.message.replace('Company', 'Contract'));
    const created = (await rep.request(CREATE_CONTRACT, { i: { number: 'K-4', ownerId: ben } })).errors?.[0];
    expect(created?.message).toBe("ownerId: your API key's role creates only its own Contract records");
    const owners = await t.database.prisma.customRecord.findMany({ where: { workspaceId: t.workspace.workspaceId } });
    expect(new Set(owners.map((record) => record.ownerId))).toEqual(new Set([rowIdOf(ana)]));
  });

  it('attacks: another workspace’s records are not matched; a read-only key changes nothing', async () => {
    const [company] = objects;
    // B's company with the same domain is B's: the rep's upsert does not reach it (a create of its own instead).
    await other.client.query(company.create, { inputs: [{ name: "B's", domain: company.value('theirs', 0) }] });
    expect((await rep.query(company.upsert, { inputs: inputsOf(company, 'theirs', 1, -1) })).upsertCompanies).toEqual({ created: 1, updated: 0 });
    const theirs = await t.database.prisma.company.findMany({ where: { workspaceId: other.workspaceId } });
    expect(theirs.map((record) => record.name)).toEqual(["B's"]);
    const readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    for (const object of objects) {
      const refused = await readOnly.request(object.upsert, { inputs: inputsOf(object, 'few', 2, -1).map((input) => ({ ...input, name: 'Read only' })) });
      expect(JSON.stringify(refused.errors)).toContain('FORBIDDEN');
      expect(await recordsOf(object, 'few')).toEqual(Array.from({ length: 3 }, () => ['Renamed', rowIdOf(ana)]));
    }
});
});
