// `crm plugin deliveries` and `crm plugin redeliver`, run as child processes the way operators run them, with a
// plugin written outside the repository whose subscriber is broken until "fixed" (an environment variable here).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandRunner, createCustomer, createWorkspace, systemSession } from '@crm/core';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

const cliMain = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const sdkDir = fileURLToPath(new URL('../../../packages/plugin-sdk', import.meta.url));
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-cli-deliveries-'));
let pg: TestPostgres;

function crm(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliMain, ...args], { env: { ...process.env, CRM_ROOT: root, CRM_PLUGINS: 'echo', DATABASE_URL: pg.url, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  fs.mkdirSync(path.join(root, 'node_modules/@crm'), { recursive: true });
  fs.symlinkSync(sdkDir, path.join(root, 'node_modules/@crm/plugin-sdk'), 'dir');
  const dir = path.join(root, 'plugins/echo');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'crm-plugin-echo', version: '1.0.0', type: 'module', exports: './index.js' }));
  fs.writeFileSync(
    path.join(dir, 'index.js'),
    `import { definePlugin } from '@crm/plugin-sdk';
export default definePlugin({
  id: 'echo', version: '1.0.0',
  events: { 'echo.heard': { subject: 'Customer' } },
  subscribers: { 'customer.created': { hear: async (event, { emit }) => {
    if (process.env.ECHO_BROKEN) throw new Error('echo is broken');
    emit('echo.heard', { type: 'Customer', id: event.subjectId }, { name: event.payload.name });
  } } },
});
`,
  );
  pg = await createTestPostgres();
});
afterAll(async () => {
  await pg?.drop();
  fs.rmSync(root, { recursive: true, force: true });
});

it('lists a plugin\'s FAILED deliveries and redelivers them once the plugin is mended; only in the workspace named', async () => {
  const { workspaceId } = await createWorkspace(pg.database.prisma, { name: 'Deliveries Co' });
  const other = await createWorkspace(pg.database.prisma, { name: 'Elsewhere' });
  const caller = new CommandRunner({ prisma: pg.database.prisma }).callerFor(systemSession(workspaceId));
  const customer = await createCustomer(caller, { name: 'Echo Ella' });
  const event = await pg.database.prisma.event.findFirstOrThrow({ where: { workspaceId, type: 'customer.created', subjectId: customer.id } });
  // What a gateway leaves after the subscriber kept throwing.
  const failed = await pg.database.prisma.pluginDelivery.create({
    data: { workspaceId, pluginId: 'echo', subscriber: 'hear', eventId: event.id, eventType: event.type, status: 'FAILED', attempts: 5, lastError: 'Error: echo is broken' },
  });

  const listed = await crm(['plugin', 'deliveries', '--workspace', workspaceId, '--plugin', 'echo', '--failed']);
  expect(listed.code, listed.stderr).toBe(0);
  expect(JSON.parse(listed.stdout)).toMatchObject({
    workspaceId,
    plugin: 'echo',
    deliveries: [{ id: failed.id, subscriber: 'hear', eventType: 'customer.created', status: 'FAILED', attempts: 5, lastError: 'Error: echo is broken' }],
  });
  const elsewhere = await crm(['plugin', 'deliveries', '--workspace', other.workspaceId, '--plugin', 'echo', '--failed']);
  expect(JSON.parse(elsewhere.stdout).deliveries).toEqual([]);
  expect((await crm(['plugin', 'redeliver', '--workspace', other.workspaceId, '--plugin', 'echo', '--delivery', failed.id])).code).toBe(1);

  // Still broken: exit code 1, the delivery as it is now on stdout.
  const broken = await crm(['plugin', 'redeliver', '--workspace', workspaceId, '--plugin', 'echo', '--delivery', failed.id], { ECHO_BROKEN: '1' });
  expect(broken.code, broken.stderr).toBe(1);
  expect(broken.stdout, broken.stderr).not.toBe('');
  expect(JSON.parse(broken.stdout)).toMatchObject({ redelivered: 1, deliveries: [{ id: failed.id, status: 'FAILED' }] });
  expect(broken.stderr).toContain('1 still FAILED');

  // Mended.
  const mended = await crm(['plugin', 'redeliver', '--workspace', workspaceId, '--plugin', 'echo', '--all']);
  expect(mended.code, mended.stderr).toBe(0);
  expect(JSON.parse(mended.stdout)).toMatchObject({ redelivered: 1, deliveries: [{ id: failed.id, status: 'DONE' }] });
  expect(await pg.database.prisma.event.count({ where: { workspaceId, type: 'echo.heard', subjectId: customer.id } })).toBe(1);

  expect((await crm(['plugin', 'redeliver', '--workspace', workspaceId, '--plugin', 'echo'])).code).toBe(2);
  expect((await crm(['plugin', 'redeliver', '--workspace', workspaceId, '--plugin', 'nope', '--all'])).stderr).toContain('No enabled plugin "nope"');
}, 240_000); // seven CLI processes, each loading the plugins
