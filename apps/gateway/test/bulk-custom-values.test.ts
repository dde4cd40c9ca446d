import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

// Custom values in bulk writes (core's custom-fields/stored-checks.ts): a unique value is refused when another record
// holds it or when two rows of one batch would both hold it; unique and relation values of a batch are checked with
// the same statements for 3 rows or 12.

let t: TestGateway;
let admin: TestClient;

beforeAll(async () => {
  t = await startTestGateway({ rateLimit: { perMinute: 0 } });
  admin = t.workspace.client;
  const define = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
  await admin.query(define, { i: { object: 'COMPANY', name: 'code', type: 'TEXT', unique: true } });
  await admin.query(define, { i: { object: 'COMPANY', name: 'mainContact', type: 'RELATION', target: 'Customer' } });
});
afterAll(async () => {
  await t?.close();
});

type RowError = { index: number; field: string | null; message: string; code: string };
const CREATE = `mutation ($inputs: [CompanyInput!]!) { createCompanies(inputs: $inputs) { companies { id } } }`;
const UPDATE = `mutation ($ids: [ID!]!, $patch: CompanyPatch!) { updateCompanies(where: { ids: $ids }, patch: $patch) { count } }`;
const rowIdOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
const segmentPresence = (sql: string) => /FROM "public"\."Segment" AS "t0" WHERE "t0"\."workspaceId" = \$1 ORDER BY/.test(sql);
const during = async (work: () => Promise<unknown>) => (await t.sql.during(work)).filter((sql) => !segmentPresence(sql));
const companies = async (names: string[], custom: (i: number) => Record<string, unknown> = () => ({})) =>
  (await admin.query(CREATE, { inputs: names.map((name, i) => ({ name, customFields: custom(i) })) })).createCompanies.companies.map((c: { id: string }) => c.id) as string[];
const codesOf = async (ids: string[]) =>
  (await t.database.prisma.company.findMany({ where: { id: { in: ids.map(rowIdOf) } }, orderBy: { id: 'asc' } })).map((c) => (c.customFields as Record<string, unknown>)?.code ?? null);

describe('unique and relation custom values in bulk writes', () => {
  it('two records of one batch cannot take the same unique value: CONFLICT naming the second, nothing written', async () => {
    const [a, b] = await companies(['Unique A', 'Unique B']);
    const result = await admin.request(UPDATE, { ids: [a, b], patch: { customFields: { code: 'X' } } });
    expect(result.errors?.[0]?.extensions?.rows as RowError[], JSON.stringify(result)).toEqual([
      expect.objectContaining({ index: 1, field: 'customFields.code', code: 'CONFLICT', message: expect.stringContaining(rowIdOf(b!)) }),
    ]);
    expect(await codesOf([a!, b!])).toEqual([null, null]);
    // Created in one batch, the same.
    const created = await admin.request(CREATE, { inputs: [{ name: 'Unique C', customFields: { code: 'Y' } }, { name: 'Unique D', customFields: { code: 'Y' } }] });
    expect(created.errors?.[0]?.extensions?.rows as RowError[], JSON.stringify(created)).toEqual([expect.objectContaining({ index: 1, field: 'customFields.code', code: 'CONFLICT' })]);
    // One record taking it is fine; then another record, in a batch or alone, is refused as before.
    expect((await admin.query(UPDATE, { ids: [a], patch: { customFields: { code: 'X' } } })).updateCompanies.count).toBe(1);
    const again = await admin.request(UPDATE, { ids: [b], patch: { customFields: { code: 'X' } } });
    expect(again.errors?.[0]?.extensions?.rows as RowError[]).toEqual([expect.objectContaining({ index: 0, field: 'customFields.code', code: 'CONFLICT' })]);
    const alone = await admin.request(`mutation ($i: UpdateCompanyInput!) { updateCompany(input: $i) { company { id } } }`, { i: { id: b, customFields: { code: 'X' } } });
    expect(alone.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'customFields.code' });
    // Its own value given again is not a conflict with itself.
    expect((await admin.query(UPDATE, { ids: [a], patch: { customFields: { code: 'X' } } })).updateCompanies.count).toBe(1);
    expect(await codesOf([a!, b!])).toEqual(['X', null]);
  });

  it('a relation to no record is NOT_FOUND naming the field, in a batch', async () => {
    const [a] = await companies(['Linked A']);
    const nobody = Buffer.from('Customer:0190c7f4-1111-7000-8000-000000000009').toString('base64');
    const result = await admin.request(UPDATE, { ids: [a], patch: { customFields: { mainContact: nobody } } });
    expect(result.errors?.[0]?.extensions?.rows as RowError[]).toEqual([expect.objectContaining({ index: 0, field: 'customFields.mainContact', code: 'NOT_FOUND' })]);
  });

  it('a row refused by a later check holds no unique value: a later row of the batch may take it', async () => {
    const nobody = Buffer.from('Customer:0190c7f4-1111-7000-8000-00000000000a').toString('base64');
    // Row 0 sets code W and links to no one (NOT_FOUND, checked after its code); row 1 sets code W too.
    const result = await admin.request(CREATE, { inputs: [{ name: 'Claim A', customFields: { code: 'W', mainContact: nobody } }, { name: 'Claim B', customFields: { code: 'W' } }] });
    expect(result.errors?.[0]?.extensions?.rows as RowError[], JSON.stringify(result)).toEqual([expect.objectContaining({ index: 0, field: 'customFields.mainContact', code: 'NOT_FOUND' })]);
    // A row refused because another record holds its value claims nothing either.
    const [holder] = await companies(['Holds V']);
    await admin.query(UPDATE, { ids: [holder], patch: { customFields: { code: 'V' } } });
    const held = await admin.request(CREATE, { inputs: [{ name: 'Claim C', customFields: { code: 'V' } }, { name: 'Claim D', customFields: { code: 'V' } }] });
    const taken = expect.stringContaining('another record already has "V"');
    expect(held.errors?.[0]?.extensions?.rows as RowError[], JSON.stringify(held)).toEqual([
      expect.objectContaining({ index: 0, code: 'CONFLICT', message: taken }),
      expect.objectContaining({ index: 1, code: 'CONFLICT', message: taken }),
    ]);
  });

  it('3 or 12 records: the same statements for their unique and relation values', async () => {
    const contact = (await admin.query(`mutation { createCustomer(input: { name: "Contact" }) { customer { id } } }`)).createCustomer.customer.id as string;
    const names = (count: number, tag: string) => Array.from({ length: count }, (_, i) => `${tag} ${i}`);
    const small = await during(() => companies(names(3, 'Few'), (i) => ({ code: `few-${i}`, mainContact: contact })));
    const large = await during(() => companies(names(12, 'Many'), (i) => ({ code: `many-${i}`, mainContact: contact })));
    expect(large.length, large.join('\n')).toBe(small.length);
    const [few, many] = [await companies(names(3, 'Few2')), await companies(names(12, 'Many2'))];
    const patch = { customFields: { mainContact: contact } };
    const smallUpdate = await during(() => admin.query(UPDATE, { ids: few, patch }));
    const largeUpdate = await during(() => admin.query(UPDATE, { ids: many, patch }));
    expect(largeUpdate.length, largeUpdate.join('\n')).toBe(smallUpdate.length);
  });
});
