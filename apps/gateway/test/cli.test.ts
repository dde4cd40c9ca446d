import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openDatabase } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const cli = path.join(dist, 'cli/main.js');

async function crm(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
const json = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);

let pg: TestPostgres;
beforeAll(async () => {
  pg = await createTestPostgres();
});
afterAll(async () => {
  await pg?.drop();
});

describe('crm CLI on PostgreSQL', () => {
  it('creates a workspace, issues and revokes keys, seeds, migrates, each with one JSON line', async () => {
    const env = { DATABASE_URL: pg.url };
    const created = await crm(['workspace', 'create', '--name', 'CLI Co'], env);
    expect(created.code).toBe(0);
    const { workspaceId, apiKey } = json(created.stdout);
    expect(apiKey).toMatch(/^crm_/);

    const key = json((await crm(['apikey', 'create', '--workspace', workspaceId, '--role', 'read_only'], env)).stdout);
    expect(key.role).toBe('READ_ONLY');
    expect(json((await crm(['apikey', 'revoke', '--id', key.apiKeyId], env)).stdout)).toEqual({ revoked: key.apiKeyId });
    const revoked = await pg.database.prisma.apiKey.findUniqueOrThrow({ where: { id: key.apiKeyId } });
    expect(revoked.revokedAt).not.toBeNull();

    const seeded = await crm(['seed', '--workspace', workspaceId, '--customers', '40'], env);
    expect(seeded.code).toBe(0);
    expect(json(seeded.stdout)).toMatchObject({ workspaceId, customers: 40 });
    expect(await pg.database.prisma.customer.count({ where: { workspaceId } })).toBe(40);

    expect(json((await crm(['migrate'], env)).stdout)).toMatchObject({ applied: [] });
  });

  it('answers usage mistakes with exit code 2 and errors with 1', async () => {
    const env = { DATABASE_URL: pg.url };
    expect((await crm(['workspace', 'create'], env)).code).toBe(2);
    expect((await crm(['seed', '--workspace', 'x', '--customers', '-3'], env)).code).toBe(2);
    expect((await crm(['frobnicate'], env)).code).toBe(2);
    const missing = await crm(['apikey', 'create', '--workspace', '00000000-0000-7000-8000-000000000000'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No workspace/);
  });
});

describe('crm CLI and the gateway on the embedded database', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-cli-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('works on a data directory, and refuses clearly while another process holds it', async () => {
    const created = await crm(['workspace', 'create', '--name', 'Embedded'], { CRM_DATA_DIR: dataDir });
    expect(created.code).toBe(0);
    expect(json(created.stdout).workspaceId).toBeTruthy();

    const holder = await openDatabase({ kind: 'pglite', dataDir });
    try {
      const blocked = await crm(['workspace', 'create', '--name', 'Second'], { CRM_DATA_DIR: dataDir });
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toMatch(/in use by another process \(pid \d+\)/);
    } finally {
      await holder.close();
    }
  });

  it('starts the gateway (npm start), serves the printed key, and stops cleanly on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-start-'));
    const child = spawn(process.execPath, [path.join(dist, 'main.js')], { env: { ...process.env, CRM_DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'error' } });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const deadline = Date.now() + 90_000;
    while (!/ADMIN API key (crm_\S+)/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    const key = /ADMIN API key (crm_\S+)/.exec(out)?.[1];
    const url = /GraphQL:\s+(\S+)/.exec(out)?.[1];
    expect(key && url, out).toBeTruthy();
    const response = await fetch(url!, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"query":"{ customers { totalCount } }"}' });
    expect(((await response.json()) as { data: { customers: { totalCount: number } } }).data.customers.totalCount).toBe(300);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
