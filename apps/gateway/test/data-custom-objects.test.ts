// Custom objects in the data operations (docs/data.md): a workspace's custom object (`Contract`, records in the shared
// `CustomRecord` table) gets `createContracts`, `updateContracts`, `deleteContracts`, the CSV import and the export like
// every object, each row through the object's own record commands (values checked by its definitions, roles, own
// records, `contract.*` events). Another workspace's records are never touched, imported into or exported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRunner } from '@crm/core';
import { silentLogger } from '../src/logger.js';
import { startTestGateway, TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';
import { TrashRetention } from '../src/trash-retention.js';

let t: TestGateway;
let a: TestWorkspace;
let b: TestWorkspace;
let member: TestClient;
let readOnly: TestClient;

const DEFINE_OBJECT = `mutation ($i: DefineCustomObjectInput!) { defineCustomObject(input: $i) { customObject { id } } }`;
const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const CREATE = `mutation ($inputs: [ContractInput!]!) { createContracts(inputs: $inputs) { count contracts { id number amount status } } }`;
const UPDATE = `mutation ($where: ContractsWhere!, $patch: ContractPatch!) { updateContracts(where: $where, patch: $patch) { count contracts { number status } } }`;
const DELETE = `mutation ($where: ContractsWhere!) { deleteContracts(where: $where, reason: "cleanup") { count } }`;
const LIST = `{ contracts(first: 50, orderBy: [{ field: NUMBER }]) { totalCount edges { node { id number status } } } }`;
const IMPORT = `mutation ($file: Upload!, $dryRun: Boolean, $on: String) {
  importRecords(object: CONTRACT, file: $file, dryRun: $dryRun, on: $on) { created updated refused ignoredColumns errors { line field message } }
}`;

async function defineContract(ws: TestWorkspace) {
  const objectId = (await ws.client.query(DEFINE_OBJECT, { i: { name: 'Contract', label: 'Contract' } })).defineCustomObject.customObject.id;
  const field = (input: Record<string, unknown>) => ws.client.query(DEFINE_FIELD, { i: { customObjectId: objectId, ...input } });
  await field({ name: 'number', type: 'TEXT', required: true, unique: true });
  await field({ name: 'amount', type: 'NUMBER', min: 0 });
  await field({ name: 'status', type: 'SELECT', options: [{ value: 'draft' }, { value: 'signed' }] });
}

async function upload(apiKey: string, csv: string, variables: Record<string, unknown> = {}) {
  return new TestClient(t.url, apiKey).upload<{ importRecords: Record<string, any> }>(IMPORT, variables, csv, 'contracts.csv');
}

const numbersOf = async (client: TestClient) => (await client.query(LIST)).contracts.edges.map((e: { node: { number: string } }) => e.node.number);

beforeAll(async () => {
  t = await startTestGateway();
  a = t.workspace;
  b = await t.createWorkspace('Workspace B');
  member = await t.issueKey(a.workspaceId, 'MEMBER');
  readOnly = await t.issueKey(a.workspaceId, 'READ_ONLY');
  await defineContract(a);
  // Workspace B has an object of the same name: its own, with its own records.
  await defineContract(b);
  await b.client.query(CREATE, { inputs: [{ customFields: { number: 'B-1', status: 'draft' } }] });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('bulk writes of a custom object', () => {
  let ids: string[] = [];

  it('creates every record in one call, values checked by the definitions; a bad row is reported and nothing written', async () => {
    const refused = await member.request(CREATE, {
      inputs: [{ customFields: { number: 'A-0' } }, { customFields: { amount: 5 } }, { customFields: { number: 'A-00', status: 'lost' } }],
    });
    const rows = refused.errors?.[0]?.extensions?.rows as { index: number; code: string }[];
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(rows.map((row) => [row.index, row.code])).toEqual([
      [1, 'BAD_USER_INPUT'],
      [2, 'BAD_USER_INPUT'],
    ]);
    expect(await numbersOf(a.client)).toEqual([]);

    const created = (
      await member.query(CREATE, {
        inputs: [
          { customFields: { number: 'A-1', amount: 100, status: 'draft' } },
          { customFields: { number: 'A-2', amount: 250 } },
          { customFields: { number: 'A-3', status: 'signed' } },
        ],
      })
    ).createContracts;
    expect(created.count).toBe(3);
    expect(created.contracts.map((c: { number: string; amount: number | null; status: string | null }) => [c.number, c.amount, c.status])).toEqual([
      ['A-1', 100, 'draft'],
      ['A-2', 250, null],
      ['A-3', null, 'signed'],
    ]);
    ids = created.contracts.map((c: { id: string }) => c.id);
    const events = await t.database.prisma.event.count({ where: { workspaceId: a.workspaceId, type: 'contract.created' } });
    expect(events).toBe(3);
    // A taken unique value is its row's CONFLICT.
    const taken = await member.request(CREATE, { inputs: [{ customFields: { number: 'A-1' } }] });
    expect((taken.errors?.[0]?.extensions?.rows as { code: string }[])[0]!.code).toBe('CONFLICT');
  });

  it('updates by filter and by ids, and deletes to the trash, with one event per record', async () => {
    const updated = (await member.query(UPDATE, { where: { ids: ids.slice(0, 1) }, patch: { customFields: { status: 'signed' } } })).updateContracts;
    expect(updated).toEqual({ count: 1, contracts: [{ number: 'A-1', status: 'signed' }] });
    // A filter on the declared fields (custom values are filtered by the read engine only, not in bulk targets).
    const recent = (await member.query(UPDATE, { where: { filter: { createdAt: { gte: '2000-01-01T00:00:00Z' } } }, patch: { customFields: { amount: 1 } } })).updateContracts;
    expect(recent.count).toBe(3);
    expect((await member.query(UPDATE, { where: { ids: ids.slice(1) }, patch: { customFields: { amount: 7 } } })).updateContracts.count).toBe(2);
    const changes = await t.database.prisma.event.findMany({ where: { workspaceId: a.workspaceId, type: 'contract.updated' } });
    expect(changes).toHaveLength(6);
    expect((await member.query(DELETE, { where: { ids: [ids[2]] } })).deleteContracts.count).toBe(1);
    expect(await numbersOf(a.client)).toEqual(['A-1', 'A-2']);
    await member.query(`mutation ($i: RestoreContractInput!) { restoreContract(input: $i) { contract { number } } }`, { i: { id: ids[2] } });
    expect(await numbersOf(a.client)).toEqual(['A-1', 'A-2', 'A-3']);
  });

  it('a filter targets the object’s own records, not the workspace’s other custom objects', async () => {
    const objectId = (await a.client.query(DEFINE_OBJECT, { i: { name: 'Invoice', label: 'Invoice' } })).defineCustomObject.customObject.id;
    await a.client.query(DEFINE_FIELD, { i: { customObjectId: objectId, name: 'ref', type: 'TEXT' } });
    await member.query(`mutation ($inputs: [InvoiceInput!]!) { createInvoices(inputs: $inputs) { count } }`, { inputs: [{ customFields: { ref: 'I-1' } }] });
    expect((await member.query(DELETE, { where: { filter: { createdAt: { lt: '2000-01-01T00:00:00Z' } } } })).deleteContracts.count).toBe(0);
    const all = (await member.query(UPDATE, { where: { filter: {} }, patch: { customFields: { amount: 2 } } })).updateContracts;
    expect(all.count).toBe(3);
    expect((await a.client.query(`{ invoices(first: 5) { totalCount edges { node { ref } } } }`)).invoices).toEqual({ totalCount: 1, edges: [{ node: { ref: 'I-1' } }] });
  });

  it('never touches another workspace: its ids are NOT_FOUND rows, its filter sees only its own records', async () => {
    const attack = await b.client.request(UPDATE, { where: { ids }, patch: { customFields: { status: 'draft' } } });
    expect((attack.errors?.[0]?.extensions?.rows as { code: string }[]).map((row) => row.code)).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
    const deleted = await b.client.request(DELETE, { where: { ids } });
    expect((deleted.errors?.[0]?.extensions?.rows as { code: string }[]).map((row) => row.code)).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
    expect((await b.client.query(UPDATE, { where: { filter: {} }, patch: { customFields: { amount: 1 } } })).updateContracts.count).toBe(1);
    expect(await numbersOf(a.client)).toEqual(['A-1', 'A-2', 'A-3']);
    expect((await a.client.query(`{ contracts(first: 5, filter: { amount: { eq: 2 } }) { totalCount } }`)).contracts.totalCount).toBe(3);
  });

  it('upserts on a unique field: the record with the same value is updated, a new value creates one', async () => {
    const UPSERT = `mutation ($inputs: [ContractInput!]!) { upsertContracts(inputs: $inputs, on: NUMBER) { created updated contracts { number amount } } }`;
    const result = (await member.query(UPSERT, { inputs: [{ customFields: { number: 'A-2', amount: 99 } }, { customFields: { number: 'U-1', amount: 5 } }] })).upsertContracts;
    expect(result).toEqual({ created: 1, updated: 1, contracts: [{ number: 'A-2', amount: 99 }, { number: 'U-1', amount: 5 }] });
    // Another workspace's record with the same value is not matched: B gets its own.
    expect((await b.client.query(UPSERT, { inputs: [{ customFields: { number: 'A-2', amount: 1 } }] })).upsertContracts).toMatchObject({ created: 1, updated: 0 });
    expect((await a.client.query(`{ contracts(first: 5, filter: { number: { eq: "A-2" } }) { edges { node { amount } } } }`)).contracts.edges).toEqual([{ node: { amount: 99 } }]);
    // The key is required to upsert.
    const keyless = await member.request(UPSERT, { inputs: [{ customFields: { amount: 3 } }] });
    expect((keyless.errors?.[0]?.extensions?.rows as { field: string }[])[0]!.field).toBe('number');
    const idsOf = async (client: TestClient, number: string) =>
      (await client.query(`query ($n: String!) { contracts(first: 5, filter: { number: { eq: $n } }) { edges { node { id } } } }`, { n: number })).contracts.edges.map((e: { node: { id: string } }) => e.node.id);
    await member.query(DELETE, { where: { ids: await idsOf(a.client, 'U-1') } });
    await b.client.query(DELETE, { where: { ids: await idsOf(b.client, 'A-2') } });
  });

  it('READ_ONLY keys cannot write in bulk', async () => {
    const refused = await readOnly.request(CREATE, { inputs: [{ customFields: { number: 'RO-1' } }] });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await readOnly.request(DELETE, { where: { ids } })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('CSV import and export of a custom object', () => {
  it('imports by column name, refusing bad lines; a dry run writes nothing', async () => {
    const csv = 'Number,Amount,Status,Colour\nC-1,10,signed,red\nC-2,abc,draft,blue\nC-3,,lost,\n';
    const dry = await upload(member.apiKey!, csv, { dryRun: true });
    expect(dry.data?.importRecords).toMatchObject({ created: 1, refused: 2, ignoredColumns: ['Colour'] });
    expect(await numbersOf(a.client)).toEqual(['A-1', 'A-2', 'A-3']);
    const result = (await upload(member.apiKey!, csv)).data!.importRecords;
    expect(result).toMatchObject({ created: 1, refused: 2 });
    expect(result.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
      [3, 'customFields.amount'],
      [4, expect.stringContaining('status')],
    ]);
    expect(await numbersOf(a.client)).toEqual(['A-1', 'A-2', 'A-3', 'C-1']);
    expect(await numbersOf(b.client)).toEqual(['B-1']);
    // Upserted on the unique field: the same file again updates, and creates nothing.
    expect((await upload(member.apiKey!, 'number,amount\nC-1,42\nC-9,1\n', { on: 'number' })).data?.importRecords).toMatchObject({ created: 1, updated: 1, refused: 0 });
    expect((await upload(member.apiKey!, 'number,amount\nC-1,42\nC-9,1\n', { on: 'number' })).data?.importRecords).toMatchObject({ created: 0, updated: 2, refused: 0 });
    const c9 = (await a.client.query(`{ contracts(first: 5, filter: { number: { eq: "C-9" } }) { edges { node { id } } } }`)).contracts.edges[0].node.id;
    await member.query(DELETE, { where: { ids: [c9] } });
  });

  it('refuses READ_ONLY keys', async () => {
    const refused = await upload(readOnly.apiKey!, 'number\nRO-2\n');
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('exports the workspace’s own records only, trashed ones left out', async () => {
    const contracts = (await a.client.query(LIST)).contracts.edges.map((e: { node: { id: string; number: string } }) => e.node);
    await member.query(DELETE, { where: { ids: [contracts.find((c: { number: string }) => c.number === 'A-2')!.id] } });
    const response = await fetch(`${t.url}/export/contracts?${new URLSearchParams({ format: 'csv', fields: 'number,status', orderBy: 'NUMBER' })}`, {
      headers: { authorization: `Bearer ${readOnly.apiKey}` },
    });
    expect(response.status).toBe(200);
    expect((await response.text()).trim().split(/\r?\n/)).toEqual(['number,status', 'A-1,signed', 'A-3,signed', 'C-1,signed']);
    const other = await fetch(`${t.url}/export/contracts?format=ndjson&fields=number`, { headers: { authorization: `Bearer ${b.apiKey}` } });
    expect((await other.text()).trim().split('\n').map((line) => JSON.parse(line).number)).toEqual(['B-1']);
  });
});

describe('the trash listing of a custom object', () => {
  it('trash(object: CONTRACT) lists the workspace’s own trashed records, newest first; restoring one takes its id', async () => {
    const TRASH = `{ trash(object: CONTRACT, first: 20) { edges { node { id object label deleteReason } } } }`;
    const rowIdOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
    const trashedIn = async (workspaceId: string) =>
      (await t.database.prisma.customRecord.findMany({ where: { workspaceId, deletedAt: { not: null } }, orderBy: [{ deletedAt: 'desc' }, { id: 'desc' }] })).map((row) => row.id);
    const listed = (await readOnly.query(TRASH)).trash.edges.map((e: { node: { id: string; object: string; deleteReason: string | null } }) => e.node);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.map((entry: { id: string }) => rowIdOf(entry.id))).toEqual(await trashedIn(a.workspaceId));
    expect(new Set(listed.map((entry: { object: string }) => entry.object))).toEqual(new Set(['CONTRACT']));
    expect(listed.map((entry: { deleteReason: string | null }) => entry.deleteReason)).toContain('cleanup');
    // Each is labelled by its first text field (`number`), as the dashboard names records, not by its id.
    const numbers = new Map(
      (await t.database.prisma.customRecord.findMany({ where: { workspaceId: a.workspaceId, deletedAt: { not: null } } })).map((row) => [row.id, (row.customFields as { [key: string]: unknown })]),
    );
    for (const entry of listed as { id: string; label: string }[]) {
      expect(Object.values(numbers.get(rowIdOf(entry.id))!)).toContain(entry.label);
      expect(entry.label).toMatch(/^[A-Z]-/);
    }
    const theirs = (await b.client.query(TRASH)).trash.edges.map((e: { node: { id: string } }) => rowIdOf(e.node.id));
    expect(theirs).toEqual(await trashedIn(b.workspaceId));
    expect(theirs.some((id: string) => listed.some((entry: { id: string }) => rowIdOf(entry.id) === id))).toBe(false);
    const restored = await member.query(`mutation ($i: RestoreContractInput!) { restoreContract(input: $i) { contract { number } } }`, { i: { id: listed[0].id } });
    expect(restored.restoreContract.contract.number).toBeTruthy();
    await member.query(DELETE, { where: { ids: [listed[0].id] } });
  });
});

describe('trash retention of custom records', () => {
  it('destroys the records trashed before TRASH_RETENTION_DAYS, once, with an event; younger ones and live ones stay', async () => {
    const created = (await member.query(CREATE, { inputs: [{ customFields: { number: 'R-old' } }, { customFields: { number: 'R-young' } }] })).createContracts.contracts;
    await member.query(DELETE, { where: { ids: created.map((c: { id: string }) => c.id) } });
    const rowIdOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
    const old = rowIdOf(created[0].id);
    await t.database.prisma.customRecord.updateMany({ where: { id: old }, data: { deletedAt: new Date(Date.now() - 40 * 86_400_000) } });
    const live = await t.database.prisma.customRecord.count({ where: { deletedAt: null } });
    const retention = new TrashRetention({ sql: t.database.sql, runner: new CommandRunner({ prisma: t.database.prisma }), logger: silentLogger, days: 30, batchSize: 10 });
    expect(await retention.runOnce()).toBe(1);
    expect(await retention.runOnce()).toBe(0);
    expect(await t.database.prisma.customRecord.findUnique({ where: { id: old } })).toBeNull();
    expect(await t.database.prisma.customRecord.count({ where: { id: rowIdOf(created[1].id) } })).toBe(1);
    expect(await t.database.prisma.customRecord.count({ where: { deletedAt: null } })).toBe(live);
    const events = await t.database.prisma.event.findMany({ where: { type: 'contract.destroyed' } });
    expect(events.map((event) => [event.workspaceId, event.subjectId, event.payload])).toEqual([[a.workspaceId, old, { object: 'Contract', reason: 'retention' }]]);
  });
});
