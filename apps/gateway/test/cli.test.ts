// The built `crm` CLI and `npm start` entry point, run as child processes the way users run them.
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const cliMain = path.join(dist, 'cli/main.js');
const gatewayMain = path.join(dist, 'main.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function crm(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliMain, ...args], { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The command's result: stdout must be exactly one JSON line. */
function json(run: Run): Record<string, unknown> {
  expect(run.code, run.stderr).toBe(0);
  const lines = run.stdout.split('\n').filter(Boolean);
  expect(lines, run.stdout).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

describe('crm CLI on PostgreSQL', () => {
  let pg: TestPostgres;
  let env: Record<string, string>;
  beforeAll(async () => {
    pg = await createTestPostgres();
    env = { DATABASE_URL: pg.url };
  });
  afterAll(async () => {
    await pg?.drop();
  });

  it('creates a workspace, issues and revokes keys, seeds and migrates, each printing one JSON line', async () => {
    const created = json(await crm(['workspace', 'create', '--name', 'CLI Co'], env));
    expect(created).toEqual({ workspaceId: expect.any(String), apiKey: expect.stringMatching(/^crm_/), name: 'CLI Co' });
    const workspaceId = created.workspaceId as string;

    const key = json(await crm(['apikey', 'create', '--workspace', workspaceId, '--role', 'read_only', '--name', 'dashboard'], env));
    expect(key).toEqual({ apiKeyId: expect.any(String), apiKey: expect.stringMatching(/^crm_/), role: 'READ_ONLY', expiresAt: null });
    const expiring = json(await crm(['apikey', 'create', '--workspace', workspaceId, '--expires-in', '30d'], env));
    expect(expiring.role).toBe('MEMBER');
    const days = (Date.parse(expiring.expiresAt as string) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect(json(await crm(['apikey', 'revoke', '--id', key.apiKeyId as string], env))).toEqual({ revoked: key.apiKeyId });
    const revoked = await pg.database.prisma.apiKey.findUniqueOrThrow({ where: { id: key.apiKeyId as string } });
    expect(revoked.revokedAt).not.toBeNull();
    // Key changes are domain commands: they leave events like any API change.
    const events = await pg.database.prisma.event.findMany({ where: { workspaceId }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['apikey.created', 'apikey.created', 'apikey.revoked']);

    const run = await crm(['seed', '--workspace', workspaceId, '--customers', '40', '--seed', '3'], env);
    const summary = json(run);
    expect(run.stderr).toBe(''); // no progress bar when stderr is not a terminal
    expect(summary).toMatchObject({ workspaceId, customers: 40, users: 8, products: 60, durationMs: expect.any(Number) });
    expect(summary.orders).toBeGreaterThan(0);
    expect(await pg.database.prisma.customer.count({ where: { workspaceId } })).toBe(40);
    expect(await pg.database.prisma.order.count({ where: { workspaceId } })).toBe(summary.orders);

    expect(json(await crm(['workspace', 'list'], env))).toEqual({
      workspaces: [{ workspaceId, name: 'CLI Co', customers: 40, createdAt: expect.any(String) }],
    });
    const migrated = json(await crm(['migrate'], env));
    expect(migrated).toEqual({ applied: [], alreadyApplied: expect.any(Number) });
    expect(migrated.alreadyApplied).toBeGreaterThan(0);
  }, 120_000);

  it('answers usage mistakes with exit code 2 and failures with 1, one short message on stderr', async () => {
    const usage = async (args: string[]) => {
      const run = await crm(args, env);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stdout).toBe('');
      return run.stderr;
    };
    expect(await usage(['workspace', 'create'])).toMatch(/--name is required/);
    expect(await usage(['seed', '--workspace', 'not-an-id', '--customers', '3'])).toMatch(/--workspace must be an id/);
    expect(await usage(['seed', '--workspace', '01a20000-0000-7000-8000-000000000000', '--customers', '-3'])).toMatch(/--customers/);
    expect(await usage(['apikey', 'create', '--workspace', '01a20000-0000-7000-8000-000000000000', '--role', 'OWNER'])).toMatch(/--role must be one of/);
    expect(await usage(['frobnicate'])).toMatch(/Unknown command: frobnicate/);
    expect(await usage(['workspace', 'create', '--name', 'x', '--color', 'red'])).toMatch(/color/);

    const missing = await crm(['apikey', 'create', '--workspace', '01a20000-0000-7000-8000-000000000000'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toMatch(/^No workspace 01a20000-0000-7000-8000-000000000000/);
    const gone = await crm(['apikey', 'revoke', '--id', '01a20000-0000-7000-8000-000000000000'], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim()).toBe('No API key 01a20000-0000-7000-8000-000000000000');

    const help = await crm(['seed', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: npm run crm -- seed --workspace ID --customers N/);
  }, 120_000);
});

/** Starts `node dist/main.js` and waits until its output matches `until` (its banner by default). */
async function startGateway(
  dataDir: string,
  { until = /curl -s/, logLevel = 'warn' }: { until?: RegExp; logLevel?: string } = {},
): Promise<{ child: ChildProcessWithoutNullStreams; banner: string; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [gatewayMain], {
    env: { ...process.env, DATABASE_URL: '', CRM_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: logLevel },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  // A first start creates the database and seeds the demo: minutes on a loaded 2-core machine, not a hang.
  const deadline = Date.now() + 240_000;
  while (!until.test(out + err) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  if (!until.test(out + err)) child.kill('SIGKILL'); // a start that never got there must not hold the data directory for the next tests
  expect(out + err, `stdout: ${out}\nstderr: ${err}`).toMatch(until);
  return { child, banner: out, output: () => `stdout: ${out}\nstderr: ${err}`, exited };
}

describe('the embedded database (PGlite on disk)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-cli-'));
  const env = { DATABASE_URL: '', CRM_DATA_DIR: dataDir };
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('npm start: creates the demo workspace, serves the printed key on the printed URL, stops on SIGTERM with 0', async () => {
    const first = await startGateway(dataDir);
    const url = /GraphQL:\s+(http:\/\/\S+\/graphql)/.exec(first.banner)?.[1];
    const key = /ADMIN API key: (crm_\S+)/.exec(first.banner)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/graphql$/); // PORT=0: the port actually bound
    expect(first.banner).toMatch(/Demo workspace created/);
    expect(fs.readFileSync(path.join(dataDir, 'demo-api-key'), 'utf8').trim()).toBe(key);
    expect(fs.statSync(path.join(dataDir, 'demo-api-key')).mode & 0o777).toBe(0o600);

    const response = await fetch(url!, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ customers(first: 1) { totalCount } }' }),
    });
    expect(await response.json()).toEqual({ data: { customers: { totalCount: 300 } } });
    const base = url!.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // A later start finds the workspace and shows the same key again.
    const second = await startGateway(dataDir);
    expect(second.banner).not.toMatch(/Demo workspace created/);
    expect(/ADMIN API key: (crm_\S+)/.exec(second.banner)?.[1]).toBe(key);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 600_000);

  it('a SIGTERM during start-up stops it cleanly after the current step: exit 0, the data directory released', async () => {
    // The plugins are loaded before the database opens: the signal lands while it opens (or migrates).
    const starting = await startGateway(dataDir, { until: /"msg":"plugins"/, logLevel: 'info' });
    starting.child.kill('SIGTERM');
    expect(await starting.exited, starting.output()).toBe(0);
    expect(starting.output()).toMatch(/stop requested during start-up/);
    expect(starting.output()).toMatch(/shutting down/);
    expect(starting.output()).not.toMatch(/Could not start/);
    expect(starting.output()).not.toMatch(/curl -s/); // it stopped before serving
    expect(fs.existsSync(path.join(dataDir, '.crm-lock'))).toBe(false);
  }, 300_000);

  it('crm workspace create works on the data directory once the gateway has stopped', async () => {
    const created = json(await crm(['workspace', 'create', '--name', 'Embedded'], env));
    expect(created.workspaceId).toEqual(expect.any(String));
    expect(fs.existsSync(path.join(dataDir, '.crm-lock'))).toBe(false); // the CLI closed the database
  }, 120_000);

  it('refuses clearly, with exit code 1, while another process holds the data directory', async () => {
    const holder = await openDatabase({ kind: 'pglite', dataDir });
    try {
      const blocked = await crm(['workspace', 'list'], env);
      expect(blocked.code).toBe(1);
      expect(blocked.stdout).toBe('');
      expect(blocked.stderr).toMatch(new RegExp(`The embedded database at ${dataDir} is in use by another process \\(pid ${process.pid}\\)`));
    } finally {
      await holder.close();
    }
  }, 120_000);
});

describe('crm import orders and crm analytics fit (PostgreSQL)', () => {
  let pg: TestPostgres;
  let env: Record<string, string>;
  let dir: string;
  beforeAll(async () => {
    pg = await createTestPostgres();
    env = { DATABASE_URL: pg.url };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-import-'));
  });
  afterAll(async () => {
    await pg?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes good batches, refuses the batch with a bad row by its line, and completes on a re-run of the fixed file', async () => {
    const workspaceId = json(await crm(['workspace', 'create', '--name', 'Import Co'], env)).workspaceId as string;
    const rows = (bad: boolean) => [
      'customer,orderedAt,total,orderRef',
      'a@x.test,2026-01-01,10,O-1', // batch 1 (rows 1-2)
      'b@x.test,20260102,20,O-2',
      'c@x.test,2026-01-03,30,O-3', // batch 2 (rows 3-4)
      `c@x.test,${bad ? '2026-13-01' : '2026-02-03'},30,O-4`,
      'a@x.test,2026-03-01,5.5,O-5', // batch 3 (row 5)
    ];
    const file = path.join(dir, 'orders.csv');
    fs.writeFileSync(file, `${rows(true).join('\n')}\n`);
    const first = await crm(['import', 'orders', '--workspace', workspaceId, '--file', file, '--batch-size', '2'], env);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('refused');
    const summary = JSON.parse(first.stdout.trim());
    expect(summary).toMatchObject({
      imported: 3, customersCreated: 2, skipped: 0, rejected: 1, rows: 5, errorCount: 1,
      errors: [{ line: 5, field: 'orderedAt', message: expect.stringContaining('Not a date') }],
    });
    const customer = (email: string) => pg.database.prisma.customer.findFirstOrThrow({ where: { workspaceId, email } });
    expect(await customer('a@x.test')).toMatchObject({ orderCount: 2, lastOrderAt: new Date('2026-03-01T00:00:00Z') });
    expect(await pg.database.prisma.customer.count({ where: { workspaceId, email: 'c@x.test' } })).toBe(0);

    fs.writeFileSync(file, `${rows(false).join('\n')}\n`);
    const second = json(await crm(['import', 'orders', '--workspace', workspaceId, '--file', file, '--batch-size', '2'], env));
    expect(second).toMatchObject({ imported: 2, customersCreated: 1, skipped: 3, rejected: 0, errors: [] });
    expect((await customer('c@x.test')).lifetimeValue.toFixed(2)).toBe('60.00');
    const events = await pg.database.prisma.event.findMany({ where: { workspaceId, type: 'orders.imported' } });
    expect(events.map((e) => (e.payload as { orders: number }).orders)).toEqual([2, 1, 2]);
    expect(events.every((e) => e.actor === 'cli')).toBe(true);

    const fit = json(await crm(['analytics', 'fit', '--workspace', workspaceId, '--as-of', '2026-06-30'], env));
    expect(fit).toMatchObject({ calibrationEnd: '2026-06-30', customers: 3, repeatCustomers: 2, r: expect.any(Number), alpha: expect.any(Number) });
    expect(await pg.database.prisma.customerScore.count({ where: { workspaceId } })).toBe(3);

    const missing = await crm(['import', 'orders', '--workspace', workspaceId, '--file', path.join(dir, 'nope.csv')], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read');
  }, 120_000);
});
