// A plugin is an npm package: the SDK, the kit and the @crm packages they need are packed (`npm pack`), a plugin is
// scaffolded in a folder outside the repository, installed from those tarballs (the rest from the npm registry) and
// its own `npm test` passes there. The one expensive test of the suite (an npm install and a Prisma generate): a few
// minutes; npm's cache makes the install mostly offline. It ends with `npm run dev` serving a saved change.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testPostgresUrl } from '@crm/db/testing';
import { afterAll, expect, it } from 'vitest';

const repository = fileURLToPath(new URL('../../..', import.meta.url));
const cliMain = path.join(repository, 'apps/gateway/dist/cli/main.js');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-published-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

/** The environment of a user's shell: none of this run's database, plugin or vitest settings. */
const userEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(VITEST|CRM_|DATABASE_URL$|NODE_OPTIONS$|PORT$)/.test(name)),
) as Record<string, string>;

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...userEnv, ...env }, timeout: 1_800_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

it('a plugin scaffolded outside the repository installs the packed SDK and kit and passes its own tests', { timeout: 3_600_000 }, async () => {
  const packs = path.join(temp, 'packs');
  const pack = await run(process.execPath, [cliMain, 'plugin', 'pack', '--out', packs], repository);
  expect(pack.code, pack.stderr).toBe(0);
  const { tarballs } = JSON.parse(pack.stdout.trim()) as { tarballs: Record<string, string> };
  expect(Object.keys(tarballs).sort()).toEqual(['@crm/analytics', '@crm/core', '@crm/db', '@crm/gateway', '@crm/graph', '@crm/plugin-sdk', '@crm/plugin-testing']);

  // The published SDK shares graphql, Pothos and zod with the host: peers, so a plugin's tree holds one copy.
  const sdk = JSON.parse(fs.readFileSync(path.join(repository, 'packages/plugin-sdk/package.json'), 'utf8'));
  expect(sdk.private).toBeUndefined();
  expect(Object.keys(sdk.peerDependencies)).toEqual(expect.arrayContaining(['graphql', '@pothos/core', 'zod']));
  expect(sdk.dependencies.graphql).toBeUndefined();

  const dir = path.join(temp, 'nps-check');
  const scaffold = await run(process.execPath, [cliMain, 'plugin', 'new', 'nps-check', '--dir', dir, '--packs', packs], repository, {
    DATABASE_URL: testPostgresUrl(),
  });
  expect(scaffold.code, scaffold.stderr).toBe(0);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  expect(manifest.name).toBe('crm-plugin-nps-check');
  expect(manifest.peerDependencies).toEqual({ '@crm/plugin-sdk': '^0.1.0' });
  expect(Object.keys(manifest.devDependencies)).toEqual(expect.arrayContaining(['typescript', 'vitest', '@types/node', '@crm/plugin-testing']));

  // Outside the repository and outside its workspaces: nothing resolves from the checkout.
  const env = {};
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], dir, env);
  expect(install.code, install.stderr).toBe(0);
  expect(fs.realpathSync(path.join(dir, 'node_modules/@crm/plugin-sdk')).startsWith(fs.realpathSync(dir))).toBe(true);
  const graphqlCopies = (await run('npm', ['ls', 'graphql', '--all', '--parseable'], dir, env)).stdout.trim().split('\n').filter(Boolean);
  expect(new Set(graphqlCopies.map((p) => fs.realpathSync(p)))).toHaveProperty('size', 1);

  const test = await run('npm', ['test'], dir, env);
  expect(test.code, `${test.stdout}\n${test.stderr}`).toBe(0);
  expect(test.stdout).toMatch(/1 passed/);

  // Its types see its own models (the composed client in its node_modules/@crm/db): it builds for publishing.
  const build = await run('npm', ['run', 'build'], dir, env);
  expect(build.code, `${build.stdout}\n${build.stderr}`).toBe(0);
  expect(fs.existsSync(path.join(dir, 'dist/index.d.ts'))).toBe(true);

  // The fast loop there: `npm run dev` serves the plugin, and a saved change is served without a manual step.
  const port = await freePort();
  const dev = spawn('npm', ['run', 'dev', '--', '--port', String(port)], { cwd: dir, env: userEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const events = jsonLines(dev.stdout!);
  try {
    const serving = await events.next((e) => e.event === 'serving');
    const query = async (q: string) => {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${serving.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: q }),
      });
      return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
    };
    expect((await query('{ __type(name: "NpsCheckNote") { fields { name } } }')).data).toMatchObject({ __type: { fields: expect.any(Array) } });
    const source = path.join(dir, 'src/index.ts');
    fs.writeFileSync(source, fs.readFileSync(source, 'utf8').replace("text: t.exposeString('text'),", "text: t.exposeString('text'),\n        shout: t.string({ resolve: (note) => note.text.toUpperCase() }),"));
    const reloaded = await events.next((e) => e.event === 'reloaded' || e.event === 'failed');
    expect(reloaded).toMatchObject({ event: 'reloaded', changed: ['src/index.ts'] });
    const fields = (await query('{ __type(name: "NpsCheckNote") { fields { name } } }')).data as { __type: { fields: { name: string }[] } };
    expect(fields.__type.fields.map((f) => f.name)).toContain('shout');
  } finally {
    await new Promise((resolve) => {
      dev.once('exit', resolve);
      process.kill(-dev.pid!, 'SIGINT');
    });
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The JSON lines a command prints, awaited by predicate. */
function jsonLines(stream: NodeJS.ReadableStream) {
  const seen: Record<string, unknown>[] = [];
  const waiting: { match: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines.filter((l) => l.startsWith('{'))) {
      const event = JSON.parse(line) as Record<string, unknown>;
      seen.push(event);
      for (const w of waiting.filter((w) => w.match(event))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(event);
      }
    }
  });
  return {
    next: (match: (e: Record<string, unknown>) => boolean) =>
      new Promise<Record<string, unknown> & { apiKey?: string }>((resolve) => {
        const found = seen.find(match);
        if (found) return resolve(found);
        waiting.push({ match, resolve });
      }),
  };
}
