#!/usr/bin/env node
// `npm run tutorial:replay`: replays docs/plugins/first-plugin.md §6 (a plugin outside the repository) end to end, as
// a reader would type it, on this checkout after `npm install`: scaffold outside the repository, install, test, add a
// field with its migration, test again, start a gateway with the plugin, curl it, change code and schema while it
// runs, pack for publishing. Prints the minutes each step took, then one JSON summary line on stdout.
//
//   node scripts/replay-plugin-tutorial.mjs [--dir DIR] [--port PORT] [--keep]
//
// DATABASE_URL (a PostgreSQL server) is used for the migration diffs' shadow databases only, as the guide suggests.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repository = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { dir: { type: 'string' }, port: { type: 'string', default: '4411' }, keep: { type: 'boolean', default: false } } });
const work = values.dir ? path.resolve(values.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'crm-tutorial-'));
const plugin = path.join(work, 'nps-followup');
const port = Number(values.port);
const shadow = process.env.DATABASE_URL ? { SHADOW_DATABASE_URL: process.env.DATABASE_URL } : {};
// The reader's shell: no database of this checkout, no plugin selection.
const env = { ...process.env, DATABASE_URL: '', CRM_PLUGINS: '', CRM_ROOT: '', TURBO_TELEMETRY_DISABLED: '1' };
for (const name of ['DATABASE_URL', 'CRM_PLUGINS', 'CRM_ROOT']) delete env[name];

const minutes = {};
const started = performance.now();
const say = (line) => process.stderr.write(`${line}\n`);

function sh(command, args, cwd, extra = {}) {
  return execFileSync(command, args, { cwd, env: { ...env, ...extra }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
}

async function step(name, work) {
  say(`\n== ${name}`);
  const begin = performance.now();
  const result = await work();
  minutes[name] = Math.round((performance.now() - begin) / 600) / 100;
  say(`   ${minutes[name]} min`);
  return result;
}

const edit = (file, from, to) => {
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  fs.writeFileSync(file, text.replace(from, to));
};

async function graphql(apiKey, query) {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** `npm run dev` in the plugin folder: resolves JSON events as they come. */
function startDev() {
  const child = spawn('npm', ['run', 'dev', '--', '--port', String(port)], { cwd: plugin, env: { ...env, ...shadow }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const events = [];
  const waiting = [];
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk.toString();
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      const event = JSON.parse(line);
      events.push(event);
      for (const w of [...waiting]) if (w.match(event)) waiting.splice(waiting.indexOf(w), 1) && w.resolve(event);
    }
  });
  child.stderr.on('data', (chunk) => process.env.REPLAY_VERBOSE && process.stderr.write(chunk));
  const next = (match) =>
    new Promise((resolve, reject) => {
      const found = events.find(match);
      if (found) return resolve(found);
      waiting.push({ match, resolve });
      child.once('exit', (code) => reject(new Error(`npm run dev exited (${code})`)));
    });
  const stop = () =>
    new Promise((resolve) => {
      child.once('exit', resolve);
      process.kill(-child.pid, 'SIGINT');
    });
  return { events, next, stop };
}

let dev = null;
try {
  await step('1 scaffold (npm run crm -- plugin new)', () =>
    sh('npm', ['run', '--silent', 'crm', '--', 'plugin', 'new', 'nps-followup', '--dir', plugin], repository, process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  );
  await step('2 npm install (SDK and kit; composes the client)', () => sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], plugin));
  await step('3 npm test', () => sh('npm', ['test'], plugin));
  await step('4 add a field and its migration', () => {
    edit(path.join(plugin, 'prisma/schema/nps-followup.prisma'), '  text        String\n', '  text        String\n  score       Int?\n');
    edit(path.join(plugin, 'src/index.ts'), "        text: t.exposeString('text'),\n", "        text: t.exposeString('text'),\n        score: t.exposeInt('score', { nullable: true }),\n");
    const result = JSON.parse(sh('npm', ['run', '--silent', 'migration', '--', 'add_score'], plugin, process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}).trim().split('\n').pop());
    if (!result.created) throw new Error('plugin migration created nothing');
    if (!fs.readFileSync(path.join(result.created, 'migration.sql'), 'utf8').includes('"score" INTEGER')) throw new Error('the migration lacks the column');
  });
  await step('5 npm test (with the field)', () => {
    edit(path.join(plugin, `test/nps-followup.test.ts`), '{ npsFollowupNotes { text } }', '{ npsFollowupNotes { text score } }');
    edit(path.join(plugin, `test/nps-followup.test.ts`), "toEqual([{ text: 'Welcome aboard!' }, { text: 'Likes green tea' }])", "toEqual([{ text: 'Welcome aboard!', score: null }, { text: 'Likes green tea', score: null }])");
    sh('npm', ['test'], plugin);
  });
  const apiKey = await step('6 start a gateway (npm run dev) and curl it', async () => {
    dev = startDev();
    const serving = await dev.next((e) => e.event === 'serving');
    await graphql(serving.apiKey, 'mutation { createCustomer(input: { name: "Nina Replay" }) { customer { id } } }');
    const curl = sh('curl', ['-s', `http://127.0.0.1:${port}/graphql`, '-H', `authorization: Bearer ${serving.apiKey}`, '-H', 'content-type: application/json', '-d',
      '{"query":"{ customers(first: 1, search: \\"Nina Replay\\") { edges { node { name npsFollowupNotes { text score } } } } }"}'], plugin);
    if (!curl.includes('npsFollowupNotes')) throw new Error(`unexpected answer: ${curl}`);
    say(`   ${curl.trim()}`);
    return serving.apiKey;
  });
  const codeChange = await step('7 code change reaches the running gateway', async () => {
    edit(path.join(plugin, 'src/index.ts'), "        score: t.exposeInt('score', { nullable: true }),\n", "        score: t.exposeInt('score', { nullable: true }),\n        shout: t.string({ resolve: (note) => note.text.toUpperCase() }),\n");
    const reloaded = await dev.next((e) => (e.event === 'reloaded' || e.event === 'failed') && e.changed.includes('src/index.ts'));
    if (reloaded.event === 'failed') throw new Error(reloaded.error);
    await graphql(apiKey, '{ customers(first: 1) { edges { node { npsFollowupNotes { shout } } } } }');
    return reloaded;
  });
  const schemaChange = await step('8 schema change reaches the running gateway (dev migration)', async () => {
    edit(path.join(plugin, 'prisma/schema/nps-followup.prisma'), '  score       Int?\n', '  score       Int?\n  comment     String?\n');
    const reloaded = await dev.next((e) => (e.event === 'reloaded' || e.event === 'failed') && e.changed.some((f) => f.startsWith('prisma/schema')));
    if (reloaded.event === 'failed') throw new Error(reloaded.error);
    return reloaded;
  });
  await dev.stop();
  dev = null;
  await step('9 publish (npm pack: what npm publish would upload)', () => {
    const [packed] = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', work], plugin).replace(/^[^[]*/s, ''));
    const files = packed.files.map((f) => f.path);
    for (const wanted of ['dist/index.js', 'dist/index.d.ts', 'prisma/schema/nps-followup.prisma']) if (!files.includes(wanted)) throw new Error(`the package lacks ${wanted}`);
  });
  const summary = {
    totalMinutes: Math.round((performance.now() - started) / 600) / 100,
    steps: minutes,
    codeChangeToServingSeconds: codeChange.seconds,
    codeChangeSteps: codeChange.steps,
    schemaChangeToServingSeconds: schemaChange.seconds,
    schemaChangeSteps: schemaChange.steps,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    dir: plugin,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  if (dev) await dev.stop();
  if (!values.keep && !values.dir) fs.rmSync(work, { recursive: true, force: true });
}
