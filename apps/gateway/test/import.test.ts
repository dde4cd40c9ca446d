// CSV import (docs/data.md, "Import"): the `importRecords` multipart upload on the test gateway, and `crm import` run
// as a child process on PostgreSQL, crash and resume included.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandRunner, defineCustomField, defineCustomObject, systemSession } from '@crm/core';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

const IMPORT = `mutation ($object: ImportObject!, $file: Upload!, $mapping: JSON, $on: String, $dryRun: Boolean, $jobId: ID, $batchSize: Int) {
  importRecords(object: $object, file: $file, mapping: $mapping, on: $on, dryRun: $dryRun, jobId: $jobId, batchSize: $batchSize) {
    jobId object on dryRun lines created updated refused resumedAfter ignoredColumns errorCount errors { line field message }
  }
}`;

/** A GraphQL multipart request (operations, map, the file), as upload clients send it. */
async function upload(url: string, apiKey: string, csv: string, variables: Record<string, unknown>) {
  return new TestClient(url, apiKey).upload<{ importRecords: Record<string, any> }>(IMPORT, variables, csv, 'customers.csv');
}

describe('importRecords (multipart upload)', () => {
  let t: TestGateway;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let readOnly: TestClient;
  const run = async (csv: string, variables: Record<string, unknown>, key = ws.apiKey) => {
    const result = await upload(t.url, key, csv, { object: 'CUSTOMER', ...variables });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.importRecords;
  };
  const count = async (filter: string, client = ws.client) => (await client.query(`{ customers(filter: ${filter}) { totalCount } }`)).customers.totalCount as number;

  beforeAll(async () => {
    t = await startTestGateway();
    ws = t.workspace;
    other = await t.createWorkspace('Other');
    readOnly = await t.issueKey(ws.workspaceId, 'READ_ONLY');
  });
  afterAll(async () => {
    await t?.close();
  });

  const csv = [
    'Name,E-mail,Phone,Lifecycle Stage,tags,Favourite colour',
    'Ada Lovelace,ada@import.test,+44 20 7946 0001,lead,vip;math,blue',
    'Alan Turing,alan@import.test,,customer,,green',
    '"Hopper, Grace",grace@import.test,,prospect,navy,red',
    'No Mail,not-an-email,,lead,,',
    'Bad Stage,bad@import.test,,sideways,,',
  ].join('\n');
  const mapping = { 'E-mail': 'email' };

  it('a dry run reports what would be created and refused, line by line, and writes nothing', async () => {
    const summary = await run(csv, { mapping, on: 'email', dryRun: true });
    expect(summary).toMatchObject({ jobId: null, dryRun: true, lines: 5, created: 3, updated: 0, refused: 2, errorCount: 2, ignoredColumns: ['Favourite colour'] });
    expect(summary.errors).toEqual([
      { line: 5, field: 'email', message: expect.stringContaining('email') },
      { line: 6, field: 'lifecycleStage', message: expect.any(String) },
    ]);
    expect(await count('{ email: { endsWith: "@import.test" } }')).toBe(0);
  });

  it('imports, upserting on the key: a rerun creates nothing; the other workspace is untouched', async () => {
    await other.client.query(`mutation { createCustomer(input: { name: "Their Ada", email: "ada@import.test" }) { customer { id } } }`);
    const first = await run(csv, { mapping, on: 'email' });
    expect(first).toMatchObject({ jobId: expect.any(String), created: 3, updated: 0, refused: 2 });
    const ada = (await ws.client.query(`{ customers(filter: { email: { eq: "ada@import.test" } }) { edges { node { name phone lifecycleStage tags } } } }`)).customers.edges[0].node;
    expect(ada).toEqual({ name: 'Ada Lovelace', phone: '+44 20 7946 0001', lifecycleStage: 'LEAD', tags: ['vip', 'math'] });
    expect(await count('{ name: { eq: "Hopper, Grace" } }')).toBe(1);

    const changed = csv.replace('Alan Turing', 'Alan M. Turing');
    const again = await run(changed, { mapping, on: 'email' });
    expect(again).toMatchObject({ created: 0, updated: 3, refused: 2 });
    expect(await count('{ email: { endsWith: "@import.test" } }')).toBe(3);
    expect(await count('{ name: { eq: "Alan M. Turing" } }')).toBe(1);
    // One customer.updated event for Alan, none for the unchanged lines.
    const events = await ws.client.query(`{ events(first: 50, types: ["customer.updated"]) { edges { node { payload } } } }`);
    expect(events.events.edges.map((e: { node: { payload: { changed: string[] } } }) => e.node.payload.changed)).toEqual([['name']]);
    expect((await other.client.query(`{ customers(first: 5) { edges { node { name email } } } }`)).customers.edges).toEqual([{ node: { name: 'Their Ada', email: 'ada@import.test' } }]);
  });

  it('a file that breaks half-way is resumed by its job, without duplicates', async () => {
    // Long lines (an ignored column), so that the batches before the broken line commit before the parser reaches it.
    const padding = 'x'.repeat(480);
    const lines = Array.from({ length: 160 }, (_, i) => `Resume ${i},resume${i}@import.test,${padding}`);
    const header = 'name,email,notes kept elsewhere';
    const broken = [header, ...lines.slice(0, 130), 'Broken "quote,broken@import.test,', ...lines.slice(130)].join('\n');
    const failed = await upload(t.url, ws.apiKey, broken, { object: 'CUSTOMER', batchSize: 10 });
    expect(failed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file' });
    expect(failed.errors?.[0]?.message).toContain('line 132');
    const job = await t.database.prisma.importJob.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, status: 'FAILED' } });
    expect(job.committedLine).toBeGreaterThan(0);
    expect(job.committedLine % 10).toBe(0);
    expect(await count('{ name: { startsWith: "Resume" } }')).toBe(job.committedLine);

    const fixed = [header, ...lines].join('\n');
    const resumed = await run(fixed, { batchSize: 10, jobId: job.id });
    expect(resumed).toMatchObject({ jobId: job.id, resumedAfter: job.committedLine, lines: 160, created: 160, refused: 0 });
    expect(await count('{ name: { startsWith: "Resume" } }')).toBe(160);
    expect(await upload(t.url, ws.apiKey, fixed, { object: 'CUSTOMER', jobId: job.id }).then((r) => r.errors?.[0]?.extensions?.code)).toBe('NOT_FOUND');
  }, 300_000);

  it('refuses READ_ONLY keys, unknown keys and mappings, and another workspace’s job', async () => {
    expect((await upload(t.url, readOnly.apiKey!, csv, { object: 'CUSTOMER', on: 'email', mapping })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await upload(t.url, ws.apiKey, csv, { object: 'CUSTOMER', on: 'phone' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'on' });
    expect((await upload(t.url, ws.apiKey, csv, { object: 'CUSTOMER', mapping: { 'E-mail': 'lifetimeValue' } })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mapping' });
    const job = await t.database.prisma.importJob.findFirstOrThrow({ where: { workspaceId: ws.workspaceId } });
    await t.database.prisma.importJob.update({ where: { id: job.id }, data: { status: 'FAILED' } });
    expect((await upload(t.url, other.apiKey, csv, { object: 'CUSTOMER', jobId: job.id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('imports other objects: companies upserted by domain', async () => {
    const result = await upload(t.url, ws.apiKey, 'name,domain,size\nAcme,acme.test,small\nAcme Again,ACME.test,\nGlobex,globex.test,large', { object: 'COMPANY', on: 'domain' });
    expect(result.data?.importRecords).toMatchObject({ created: 2, updated: 1, refused: 0 });
    expect((await ws.client.query(`{ companies(filter: { domain: { eq: "acme.test" } }) { edges { node { name size } } } }`)).companies.edges).toEqual([{ node: { name: 'Acme Again', size: 'SMALL' } }]);
  });
});

describe('crm import (PostgreSQL, CLI)', () => {
  const cliMain = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
  let pg: TestPostgres;
  let env: Record<string, string>;
  let dir: string;
  let workspaceId: string;
  const crm = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [cliMain, ...args], { env: { ...process.env, ...env }, timeout: 300_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const summaryOf = (run: { stdout: string; stderr?: string }) => {
    const lines = run.stdout.split('\n').filter(Boolean);
    expect(lines, run.stderr).toHaveLength(1);
    return JSON.parse(lines[0]!) as Record<string, any>;
  };

  beforeAll(async () => {
    pg = await createTestPostgres();
    // The gateway's tests run without plugins (vitest.config.ts); this CLI run enables the one it imports into.
    env = { DATABASE_URL: pg.url, CRM_PLUGINS: 'competitor-feedback' };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-records-'));
    const created = await crm(['workspace', 'create', '--name', 'Import CLI']);
    workspaceId = summaryOf(created).workspaceId;
  }, 120_000);
  afterAll(async () => {
    await pg?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports customers with a map file and --on, refusing bad lines (exit 1), and a dry run writes nothing', async () => {
    const file = path.join(dir, 'customers.csv');
    fs.writeFileSync(file, 'Full name,Mail,Ref\nAda,ada@cli.test,A-1\nBob,bob@cli.test,B-1\nBad,nope,C-1\n');
    const map = path.join(dir, 'map.json');
    fs.writeFileSync(map, JSON.stringify({ 'Full name': 'name', Mail: 'email', Ref: 'externalRef' }));
    const dry = await crm(['import', 'customers', '--workspace', workspaceId, '--file', file, '--map', map, '--on', 'external-ref', '--dry-run']);
    expect(dry.code).toBe(1);
    expect(summaryOf(dry)).toMatchObject({ dryRun: true, created: 3 - 1, refused: 1, on: 'externalRef' });
    expect(await pg.database.prisma.customer.count({ where: { workspaceId } })).toBe(0);
    const run = await crm(['import', 'customers', '--workspace', workspaceId, '--file', file, '--map', map, '--on', 'externalRef']);
    expect(run.code).toBe(1);
    expect(summaryOf(run)).toMatchObject({ created: 2, refused: 1, errors: [{ line: 4, field: 'email' }], durationMs: expect.any(Number) });
    expect(await pg.database.prisma.customer.count({ where: { workspaceId } })).toBe(2);
    expect(await pg.database.prisma.event.count({ where: { workspaceId, type: 'customer.created', actor: 'cli' } })).toBe(2);
    expect((await crm(['import', 'customers', '--workspace', workspaceId, '--file', file, '--on', 'phone'])).code).toBe(2);
    expect((await crm(['import', 'widgets', '--workspace', workspaceId, '--file', file])).code).toBe(2);
  }, 300_000);

  it('imports a plugin object (competitors, upserted on name)', async () => {
    const file = path.join(dir, 'competitors.csv');
    fs.writeFileSync(file, 'name,website,aliases\nRival,https://rival.test,R;Rv\n  rival ,https://rival.example,\nOther Co,,\n');
    const summary = summaryOf(await crm(['import', 'competitors', '--workspace', workspaceId, '--file', file, '--on', 'name']));
    expect(summary).toMatchObject({ object: 'Competitor', created: 2, updated: 1, refused: 0 });
    const rival = await pg.database.prisma.competitor.findFirstOrThrow({ where: { workspaceId, nameKey: 'rival' } });
    expect(rival).toMatchObject({ website: 'https://rival.example', aliases: ['R', 'Rv'] });
  }, 300_000);

  it('imports and exports a custom object of the workspace (crm import contracts, crm export contracts)', async () => {
    const caller = new CommandRunner({ prisma: pg.database.prisma }).callerFor(systemSession(workspaceId));
    const contract = await defineCustomObject(caller, { name: 'Contract', label: 'Contract' }, () => null);
    await defineCustomField(caller, { object: contract.id, name: 'number', type: 'text', unique: true }, () => () => false);
    const file = path.join(dir, 'contracts.csv');
    fs.writeFileSync(file, 'Number\nK-1\nK-2\n');
    expect(summaryOf(await crm(['import', 'contracts', '--workspace', workspaceId, '--file', file, '--on', 'number']))).toMatchObject({ object: 'Contract', created: 2, updated: 0 });
    expect(summaryOf(await crm(['import', 'contracts', '--workspace', workspaceId, '--file', file, '--on', 'number']))).toMatchObject({ created: 0, updated: 2 });
    const exported = await crm(['export', 'contracts', '--workspace', workspaceId, '--format', 'csv', '--fields', 'number', '--order-by', 'NUMBER']);
    expect(exported.stdout.trim().split(/\r?\n/)).toEqual(['number', 'K-1', 'K-2']);
  }, 300_000);

  it('resumes after a crash (the process killed mid-import) without duplicates, even without --on', async () => {
    const total = 400;
    const file = path.join(dir, 'crash.csv');
    fs.writeFileSync(file, ['name,email', ...Array.from({ length: total }, (_, i) => `Crash ${i},crash${i}@cli.test`)].join('\n'));
    const args = ['import', 'customers', '--workspace', workspaceId, '--file', file, '--batch-size', '5'];
    const child = spawn(process.execPath, [cliMain, ...args], { env: { ...process.env, ...env }, stdio: 'ignore' });
    let committed = 0;
    for (let i = 0; i < 3000 && committed === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      committed = (await pg.database.prisma.importJob.findFirst({ where: { workspaceId, object: 'Customer', status: 'RUNNING' } }))?.committedLine ?? 0;
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const job = await pg.database.prisma.importJob.findFirstOrThrow({ where: { workspaceId, object: 'Customer', upsertKey: '' } });
    expect(job.status).toBe('RUNNING'); // killed, not finished
    expect(job.committedLine).toBeGreaterThan(0);
    expect(job.committedLine).toBeLessThan(total);
    expect(await pg.database.prisma.customer.count({ where: { workspaceId, email: { endsWith: '@cli.test' }, name: { startsWith: 'Crash' } } })).toBe(job.committedLine);

    const resumed = summaryOf(await crm(args));
    expect(resumed).toMatchObject({ jobId: job.id, resumedAfter: job.committedLine, lines: total, created: total, refused: 0 });
    expect(await pg.database.prisma.customer.count({ where: { workspaceId, name: { startsWith: 'Crash' } } })).toBe(total);
    expect((await pg.database.prisma.importJob.findUniqueOrThrow({ where: { id: job.id } })).status).toBe('DONE');
  }, 300_000);
});
