import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { createPluginHost, loadPlugins } from '@crm/plugin-sdk/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

// Export of any list over HTTP (docs/data.md, "Export"): GET /export/<object>, streamed in keyset pages, with the
// list's filter and order, field permissions, tenancy and the trash applied as in every read; and `crm export`.

let t: TestGateway;
let a: TestWorkspace;
let b: TestWorkspace;
let readOnly: TestClient;
const ids: Record<string, string> = {};

const get = (client: TestClient, object: string, params: Record<string, string> = {}) =>
  fetch(`${t.url}/export/${object}?${new URLSearchParams(params)}`, { headers: client.apiKey ? { authorization: `Bearer ${client.apiKey}` } : {} });

const csvLines = async (response: Response) => {
  expect(response.status, await response.clone().text()).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
  return (await response.text()).split('\r\n').slice(0, -1);
};

const ndjson = async (response: Response) => {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
  return (await response.text()).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
};

const errorOf = async (response: Response) => ({ status: response.status, ...((await response.json()) as { errors: { extensions: Record<string, string> }[] }).errors[0]!.extensions });

beforeAll(async () => {
  t = await startTestGateway({ rateLimit: { perMinute: 0 } });
  a = t.workspace;
  b = await t.createWorkspace('Workspace B');
  readOnly = await t.issueKey(a.workspaceId, 'READ_ONLY');
  const q = a.client.query.bind(a.client);
  ids.acme = (await q(`mutation { createCompany(input: { name: "Acme, Inc", domain: "acme.test" }) { company { id } } }`)).createCompany.company.id;
  const customer = async (client: TestClient, input: Record<string, unknown>) =>
    (await client.query(`mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`, { i: input })).createCustomer.customer.id as string;
  ids.ada = await customer(a.client, { name: 'Ada Lovelace', email: 'ada@a.test', companyId: ids.acme, lifecycleStage: 'CUSTOMER', tags: ['vip', 'b2b'], annualWallet: '5000.00' });
  ids.bob = await customer(a.client, { name: '=HYPERLINK("http://evil.test")', email: 'bob@a.test', lifecycleStage: 'LEAD' });
  ids.cy = await customer(a.client, { name: 'Cy Trashed', email: 'cy@a.test', lifecycleStage: 'CUSTOMER' });
  await q(`mutation ($id: ID!) { deleteCustomer(input: { id: $id, reason: "test" }) { deletedCustomerId } }`, { id: ids.cy });
  ids.vera = await customer(b.client, { name: 'Vera Victim', email: 'vera@b.test', lifecycleStage: 'CUSTOMER' });
});

afterAll(async () => {
  await t?.close();
});

describe('GET /export/<object>', () => {
  it('exports CSV with a header, the API formats, trashed rows and other workspaces left out', async () => {
    const lines = await csvLines(await get(a.client, 'customers', { fields: 'id,name,email,lifecycleStage,tags,lifetimeValue,annualWallet,company.name,companyId', orderBy: 'NAME' }));
    expect(lines).toEqual([
      'id,name,email,lifecycleStage,tags,lifetimeValue,annualWallet,company.name,companyId',
      // A cell of free text starting with = is defused with a leading ' (CSV injection).
      `${ids.bob},"'=HYPERLINK(""http://evil.test"")",bob@a.test,LEAD,[],0.00,,,`,
      `${ids.ada},Ada Lovelace,ada@a.test,CUSTOMER,"[""vip"",""b2b""]",0.00,5000.00,"Acme, Inc",${ids.acme}`,
    ]);
  });

  it('exports NDJSON with typed values, filtered and ordered like the list', async () => {
    const rows = await ndjson(await get(a.client, 'customers', { format: 'ndjson', filter: JSON.stringify({ company: { name: { startsWith: 'Acme' } } }), fields: 'name,orderCount,tags,company.domain' }));
    expect(rows).toEqual([{ name: 'Ada Lovelace', orderCount: 0, tags: ['vip', 'b2b'], 'company.domain': 'acme.test' }]);
    const leads = await ndjson(await get(a.client, 'Customer', { format: 'ndjson', filter: JSON.stringify({ lifecycleStage: { in: ['LEAD', 'CUSTOMER'] } }), orderBy: JSON.stringify([{ field: 'EMAIL', direction: 'DESC' }]), fields: 'email' }));
    expect(leads).toEqual([{ email: 'bob@a.test' }, { email: 'ada@a.test' }]);
  });

  it('exports every field the caller may read by default; READ_ONLY keys do not get restricted fields', async () => {
    const header = (await csvLines(await get(a.client, 'customers')))[0]!.split(',');
    expect(header).toContain('annualWallet');
    expect(header.slice(0, 3)).toEqual(['id', 'name', 'email']);
    const readOnlyLines = await csvLines(await get(readOnly, 'customers'));
    expect(readOnlyLines[0]!.split(',')).toEqual(header.filter((name) => name !== 'annualWallet'));
    expect(readOnlyLines).toHaveLength(3);
    expect(await errorOf(await get(readOnly, 'customers', { fields: 'name,annualWallet' }))).toEqual({ status: 403, code: 'FORBIDDEN', field: 'fields.1' });
    expect(await errorOf(await get(readOnly, 'companies', { filter: JSON.stringify({ annualWallet: { gte: '1' } }) }))).toEqual({ status: 400, code: 'BAD_USER_INPUT', field: 'filter.annualWallet' });
    expect(await errorOf(await get(readOnly, 'customers', { orderBy: 'ANNUAL_WALLET' }))).toEqual({ status: 400, code: 'BAD_USER_INPUT', field: 'orderBy.0.field' });
  });

  it('never exports another workspace’s rows', async () => {
    expect((await ndjson(await get(b.client, 'customers', { format: 'ndjson', fields: 'name' }))).map((r) => r.name)).toEqual(['Vera Victim']);
    // A's company named in B's filter matches nothing in B; A's company is not reachable through a relation either.
    expect(await ndjson(await get(b.client, 'customers', { format: 'ndjson', filter: JSON.stringify({ companyId: { eq: ids.acme } }) }))).toEqual([]);
    expect(await ndjson(await get(b.client, 'companies', { format: 'ndjson' }))).toEqual([]);
    expect((await csvLines(await get(b.client, 'customers', { fields: 'name,company.name' }))).join('\n')).not.toContain('Acme');
  });

  it('answers bad requests with a coded JSON error before sending anything', async () => {
    expect(await errorOf(await get(a.client, 'customers', { filter: JSON.stringify({ nope: { eq: 1 } }) }))).toEqual({ status: 400, code: 'BAD_USER_INPUT', field: 'filter.nope' });
    expect(await errorOf(await get(a.client, 'customers', { filter: JSON.stringify({ lifetimeValue: { gte: 'lots' } }) }))).toEqual({ status: 400, code: 'BAD_USER_INPUT', field: 'filter.lifetimeValue.gte' });
    expect(await errorOf(await get(a.client, 'customers', { filter: '{not json' }))).toEqual({ status: 400, code: 'BAD_USER_INPUT', field: 'filter' });
    expect(await errorOf(await get(a.client, 'customers', { orderBy: 'SHOE_SIZE' }))).toEqual({ status: 400, code: 'BAD_USER_INPUT', field: 'orderBy.0.field' });
    expect(await errorOf(await get(a.client, 'customers', { fields: 'name,company.nope' }))).toEqual({ status: 400, code: 'BAD_USER_INPUT', field: 'fields.1' });
    expect(await errorOf(await get(a.client, 'customers', { fields: 'orders.total' }))).toEqual({ status: 400, code: 'BAD_USER_INPUT', field: 'fields.0' });
    expect(await errorOf(await get(a.client, 'customers', { format: 'xlsx' }))).toEqual({ status: 400, code: 'BAD_USER_INPUT', field: 'format' });
    expect(await errorOf(await get(a.client, 'spaceships'))).toEqual({ status: 404, code: 'NOT_FOUND', field: 'object' });
    expect(await errorOf(await get(t.client(null), 'customers'))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await errorOf(await get(t.client('crm_not_a_key'), 'customers'))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    const post = await fetch(`${t.url}/export/customers`, { method: 'POST', headers: { authorization: `Bearer ${a.apiKey}` } });
    expect(post.status).toBe(405);
  });

  it('streams large exports page by page, in the list order across pages', async () => {
    const big = await t.createWorkspace('Big');
    // 4,500 customers (more than two pages of 2,000), a third without email so that the order has empty values.
    const rows = Array.from({ length: 4500 }, (_, i) => ({ workspaceId: big.workspaceId, name: `P${String(i % 97).padStart(2, '0')}`, email: i % 3 ? `p${i}@big.test` : null }));
    await t.database.prisma.customer.createMany({ data: rows });
    const response = await get(big.client, 'customers', { format: 'ndjson', fields: 'id,name,email', orderBy: JSON.stringify([{ field: 'EMAIL', direction: 'DESC', nulls: 'LAST' }, { field: 'NAME' }]) });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let chunks = 0;
    let text = '';
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      text += decoder.decode(value, { stream: true });
    }
    expect(chunks).toBeGreaterThan(2);
    const exported = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id: string; name: string; email: string | null });
    expect(new Set(exported.map((r) => r.id)).size).toBe(4500);
    const expected = [...exported].sort((x, y) => {
      if (x.email !== y.email) return x.email === null ? 1 : y.email === null ? -1 : x.email < y.email ? 1 : -1;
      if (x.name !== y.name) return x.name < y.name ? -1 : 1;
      return 0;
    });
    expect(exported.map((r) => [r.email, r.name])).toEqual(expected.map((r) => [r.email, r.name]));
  });

  it('keeps Segment.csv on the same mechanism', async () => {
    const segment = (await a.client.query(`mutation { createSegment(input: { name: "Customers", filter: { lifecycleStage: { eq: CUSTOMER } } }) { segment { id } } }`)).createSegment.segment.id;
    const { node } = await a.client.query(`query ($id: ID!) { node(id: $id) { ... on Segment { csv } } }`, { id: segment });
    expect(node.csv.split('\r\n')[0]).toBe('id,name,email,phone,lifecycleStage,lifetimeValue,orderCount,lastOrderAt,predictedLifetimeValue,probabilityAlive,rfmSegment');
    // The trashed customer of that stage is not a member; the export of the segment's filter gives the same rows.
    expect(node.csv.split('\r\n').slice(1, -1).map((line: string) => line.split(',')[0])).toEqual([ids.ada]);
    const lines = await csvLines(await get(a.client, 'customers', { filter: JSON.stringify({ inSegment: segment }), fields: 'id' }));
    expect(lines.slice(1)).toEqual([ids.ada]);
  });
});

describe('GET /export/<plugin object>', () => {
  it('exports a plugin’s declared list (competitors) with the same rules', async () => {
    const loaded = await loadPlugins({ env: { CRM_PLUGINS: 'competitor-feedback' } });
    const host = createPluginHost(loaded.enabled);
    const p = await startTestGateway({ plugins: host, migrations: host.migrations, rateLimit: { perMinute: 0 } });
    try {
      const other = await p.createWorkspace('Other');
      await p.workspace.client.query(`mutation { createCompetitor(input: { name: "Rivalco", website: "https://rival.test", aliases: ["Rival"] }) { competitor { id } } }`);
      await other.client.query(`mutation { createCompetitor(input: { name: "Othercorp" }) { competitor { id } } }`);
      const fetchFrom = (ws: TestWorkspace, params: Record<string, string>) =>
        fetch(`${p.url}/export/competitors?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${ws.apiKey}` } });
      expect(await ndjson(await fetchFrom(p.workspace, { format: 'ndjson', fields: 'name,website,aliases' }))).toEqual([{ name: 'Rivalco', website: 'https://rival.test', aliases: ['Rival'] }]);
      expect(await ndjson(await fetchFrom(other, { format: 'ndjson', fields: 'name', filter: JSON.stringify({ name: { contains: 'rival' } }) }))).toEqual([]);
    } finally {
      await p.close();
    }
  });
});

describe('crm export', () => {
  const cliMain = path.join(fileURLToPath(new URL('../dist/', import.meta.url)), 'cli/main.js');
  let pg: TestPostgres;
  let dir: string;
  const crm = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [cliMain, ...args], { env: { ...process.env, DATABASE_URL: pg.url, CRM_PLUGINS: '' }, timeout: 120_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    pg = await createTestPostgres();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-export-'));
  });
  afterAll(async () => {
    await pg?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes a file and prints one JSON summary line; without --out the data goes to stdout and the summary to stderr', async () => {
    const created = JSON.parse((await crm(['workspace', 'create', '--name', 'Export Co'])).stdout) as { workspaceId: string };
    const seeded = await crm(['seed', '--workspace', created.workspaceId, '--customers', '30']);
    expect(seeded.code, seeded.stderr).toBe(0);
    const out = path.join(dir, 'customers.csv');
    const run = await crm(['export', 'customers', '--workspace', created.workspaceId, '--fields', 'name,email,company.name', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(summary).toEqual({ object: 'customers', format: 'csv', rows: 30, bytes: fs.statSync(out).size, out, durationMs: expect.any(Number) });
    const file = fs.readFileSync(out, 'utf8').split('\r\n');
    expect(file[0]).toBe('name,email,company.name');
    expect(file).toHaveLength(32);

    const piped = await crm(['export', 'customers', '--workspace', created.workspaceId, '--format', 'ndjson', '--filter', '{"email":{"isNull":false}}', '--fields', 'email']);
    expect(piped.code, piped.stderr).toBe(0);
    const records = piped.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { email: string });
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => typeof r.email === 'string')).toBe(true);
    expect(JSON.parse(piped.stderr.trim().split('\n').at(-1)!)).toMatchObject({ rows: records.length, out: null, format: 'ndjson' });

    const bad = await crm(['export', 'customers', '--workspace', created.workspaceId, '--filter', '{"nope":1}']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('filter.nope');
  });
});
