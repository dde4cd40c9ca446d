// The bulk-write and import benchmark of docs/performance.md. Usage (from the repository root):
//   npm run bench:bulk -- [--customers 100000] [--subscribers 5] [--profile DIR]
// On a throwaway PostgreSQL database (created and dropped by the test gateway):
// 1. creates 1,000 customers with one `createCustomers` call, then times one `updateCustomers` call changing all of
//    them while `subscribers` graphql-ws clients listen to `events`, and how long until each has all 1,000 events;
// 2. writes a CSV of `customers` customers and imports it with `crm import customers --on email` (the built CLI, a
//    child process), reporting rows/s, the CLI's peak RSS (VmHWM) and its CPU time (user + system, from /proc: a
//    measure the machine's load hardly moves; with --profile DIR, the CLI writes a V8 CPU profile there). Prints one JSON line, with the SQL statements
//    per row of the bulk create, update and upsert calls (counted by the gateway's Prisma; the import runs the same
//    upserts in batches of 1,000 plus one checkpoint statement per batch).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openWsClient, startTestGateway, SubscriptionCollector } from '@crm/gateway/testing';

const { values: args } = parseArgs({
  options: { customers: { type: 'string', default: '100000' }, subscribers: { type: 'string', default: '5' }, profile: { type: 'string' } },
});
const customers = Number(args.customers);
const subscribers = Number(args.subscribers);
const log = (line: string) => process.stderr.write(`[bench:bulk] ${line}\n`);
const cliMain = fileURLToPath(new URL('../../gateway/dist/cli/main.js', import.meta.url));

const t = await startTestGateway({ database: 'postgres', rateLimit: { perMinute: 0 }, clvRefresh: false, monthEndSnapshots: false });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bulk-'));
try {
  const client = t.workspace.client;
  let started = performance.now();
  const inputs = Array.from({ length: 1000 }, (_, i) => ({ name: `Bulk ${i}`, email: `bulk${i}@bench.example` }));
  let created: { createCustomers: { count: number } } = { createCustomers: { count: 0 } };
  const createStatements = (await t.sql.during(async () => (created = await client.query(`mutation ($inputs: [CustomerInput!]!) { createCustomers(inputs: $inputs) { count } }`, { inputs })))).length;
  const createMs = performance.now() - started;
  log(`created ${created.createCustomers.count} customers in one call: ${createMs.toFixed(0)} ms`);

  // Live subscribers, each proven live by a first event before the measured call.
  const listeners = Array.from({ length: subscribers }, () => {
    const ws = openWsClient(t.wsUrl, t.workspace.apiKey);
    return { ws, sub: new SubscriptionCollector<{ events: { type: string } }>(ws, `subscription { events(types: ["customer.updated", "customer.created"]) { type } }`) };
  });
  for (let i = 0; listeners.some((l) => !l.sub.results.length) && i < 100; i++) {
    await client.query(`mutation { createCustomer(input: { name: "Marker" }) { customer { id } } }`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const seen = listeners.map((l) => l.sub.results.length);
  started = performance.now();
  let updated: { updateCustomers: { count: number } } = { updateCustomers: { count: 0 } };
  const updateStatements = (
    await t.sql.during(async () => (updated = await client.query(`mutation { updateCustomers(where: { filter: { email: { endsWith: "@bench.example" } } }, patch: { tags: ["bulk"] }) { count } }`)))
  ).length;
  const updateMs = performance.now() - started;
  await Promise.all(listeners.map((l, i) => l.sub.take(seen[i]! + 1000, 120_000)));
  const deliveredMs = performance.now() - started;
  for (const l of listeners) {
    l.sub.dispose();
    await l.ws.dispose();
  }
  log(`updated ${updated.updateCustomers.count} in ${updateMs.toFixed(0)} ms; ${subscribers} subscribers had all 1,000 events after ${deliveredMs.toFixed(0)} ms`);

  // An upsert call as an import batch makes it: half the rows match existing customers (by email), half are new.
  const upsertRows = Array.from({ length: 1000 }, (_, i) => ({ name: `Upserted ${i}`, email: `bulk${i + 500}@bench.example`, lifecycleStage: 'LEAD' }));
  started = performance.now();
  const upsertStatements = (await t.sql.during(() => client.query(`mutation ($inputs: [CustomerInput!]!) { upsertCustomers(inputs: $inputs, on: EMAIL) { created } }`, { inputs: upsertRows }))).length;
  const upsertMs = performance.now() - started;
  log(`upserted 1,000 (500 new) in ${upsertMs.toFixed(0)} ms, ${upsertStatements} statements`);

  // The CSV, written as a stream.
  const file = path.join(dir, 'customers.csv');
  const out = fs.createWriteStream(file);
  out.write('name,email,phone,lifecycle stage,tags\n');
  for (let i = 0; i < customers; i++) {
    const line = `Person ${i},person${i}@import.example,+1 415 555 ${String(i % 10_000).padStart(4, '0')},${i % 3 ? 'lead' : 'customer'},imported;batch${i % 10}\n`;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  log(`wrote ${customers} lines (${(fs.statSync(file).size / 1e6).toFixed(1)} MB); importing…`);

  // The CLI writes to the test gateway's database (on the server the tests use: PG_TEST_URL or the default).
  const [{ name }] = (await t.database.prisma.$queryRaw<{ name: string }[]>`SELECT current_database() AS name`) as [{ name: string }];
  const url = new URL(process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${name}`;
  started = performance.now();
  let peakRssKb = 0;
  let cpuTicks = 0;
  const profiling = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args.profile)}`] : [];
  const child = execFile(process.execPath, [...profiling, cliMain, 'import', 'customers', '--workspace', t.workspace.workspaceId, '--file', file, '--on', 'email'], {
    env: { ...process.env, DATABASE_URL: url.toString() },
    maxBuffer: 64 * 1024 * 1024,
  });
  const sampler = setInterval(() => {
    try {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peakRssKb = Math.max(peakRssKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      // utime and stime (fields 14 and 15, after the command name in parentheses), in clock ticks.
      const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      cpuTicks = Number(stat[11]) + Number(stat[12]);
    } catch {
      // exited
    }
  }, 100);
  let stdout = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  const code = await new Promise<number>((resolve) => child.once('exit', (exit) => resolve(exit ?? 1)));
  clearInterval(sampler);
  const importMs = performance.now() - started;
  const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { created?: number; updated?: number; refused?: number };
  if (code !== 0) log(`crm import exited with ${code}`);
  const result = {
    bench: 'bulk',
    bulkCreate1000Ms: Math.round(createMs),
    bulkUpdate1000Ms: Math.round(updateMs),
    subscribers,
    allEventsDeliveredMs: Math.round(deliveredMs),
    bulkUpsert1000Ms: Math.round(upsertMs),
    statementsPerRow: { create: createStatements / 1000, update: updateStatements / 1000, upsert: upsertStatements / 1000 },
    importRows: customers,
    importCreated: summary.created,
    importRefused: summary.refused,
    importSeconds: +(importMs / 1000).toFixed(1),
    importRowsPerSecond: Math.round(customers / (importMs / 1000)),
    importPeakRssMb: Math.round(peakRssKb / 1024),
    // Sampled every 100 ms until the CLI exits (its last 100 ms may be missing); ticks of 10 ms (CLK_TCK 100).
    importCliCpuSeconds: +(cpuTicks / 100).toFixed(1),
    loadAverage: os.loadavg().map((n) => +n.toFixed(2)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
  await t.close();
}
