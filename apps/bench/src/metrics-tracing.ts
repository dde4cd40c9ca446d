// The cost of /metrics and of tracing on the Q1 list query (50 customers with company, owner, the last 5 activities
// and the last 5 orders; docs/performance.md, "Metrics and tracing"). Three gateway processes on one PostgreSQL
// database: baseline (CRM_METRICS=0), metrics on (the default), metrics + tracing (OTEL_EXPORTER_OTLP_ENDPOINT set,
// exporting to an OTLP/HTTP sink in this process). Loads alternate between them round after round so that a busy
// machine's drift hits all three alike. Usage (repository root):
//   npm run bench:metrics -- [--customers 2000] [--rounds 3] [--duration 10] [--warmup 3] [--connections 10] [--keep]
// Creates the database `crm_bench_metrics` and drops it at the end (unless --keep).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ensureBenchWorkspace, ensurePostgresDatabase, openBenchDatabase } from './bench-database.js';
import { type LoadResult, loadTest } from './load.js';
import { crmListQuery } from './queries.js';
import { repoRoot, type RunningServer, startServer } from './servers.js';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    keep: { type: 'boolean', default: false },
  },
});
const load = { connections: Number(args.connections), durationS: Number(args.duration), warmupS: Number(args.warmup) };
const log = (line: string) => process.stderr.write(`[bench:metrics] ${line}\n`);
const DATABASE = 'crm_bench_metrics';
const adminUrl = process.env.PG_BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

// An OTLP/HTTP receiver that reads and discards what it is sent (a collector stands elsewhere in production).
let spansReceived = 0;
const sink = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    spansReceived++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

const benchUrl = await ensurePostgresDatabase(adminUrl, DATABASE);
const database = await openBenchDatabase({ kind: 'postgres', url: benchUrl });
const bench = await ensureBenchWorkspace(database, Number(args.customers), log);
await database.close();

const gatewayScript = path.join(repoRoot, 'apps/gateway/dist/main.js');
const common = { DATABASE_URL: benchUrl, NODE_ENV: 'production', LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0', CRM_DEMO: '0' };
const variants: { name: string; env: Record<string, string>; port: number }[] = [
  { name: 'baseline (metrics off, tracing off)', env: { CRM_METRICS: '0' }, port: 4111 },
  { name: 'metrics on, tracing off', env: {}, port: 4112 },
  { name: 'metrics on, tracing on', env: { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl }, port: 4113 },
];
const servers: RunningServer[] = [];
for (const variant of variants) servers.push(await startServer(gatewayScript, { ...common, ...variant.env }, variant.port, '/ready'));

const results = new Map<string, LoadResult[]>(variants.map((v) => [v.name, []]));
const body = { query: crmListQuery, variables: { first: 50 } };
const loadBefore = os.loadavg();
try {
  for (let round = 0; round < Number(args.rounds); round++) {
    // Alternate the order each round (A B C, C B A, …).
    const order = round % 2 === 0 ? [0, 1, 2] : [2, 1, 0];
    for (const index of order) {
      const variant = variants[index]!;
      log(`round ${round + 1}: ${variant.name}`);
      const result = await loadTest({ url: `${servers[index]!.url}/graphql`, body, headers: { authorization: `Bearer ${bench.apiKey}` }, ...load, pid: servers[index]!.process.pid });
      if (result.errors || result.non2xx) throw new Error(`${variant.name}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
      results.get(variant.name)!.push(result);
    }
  }
} finally {
  for (const server of servers) await server.stop();
  await new Promise((resolve) => sink.close(resolve));
  if (!args.keep) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
    await admin.end();
  }
}
const loadAfter = os.loadavg();

const mean = (values: number[]) => Math.round((values.reduce((sum, v) => sum + v, 0) / values.length) * 100) / 100;
const summary = variants.map((variant) => {
  const runs = results.get(variant.name)!;
  return { variant: variant.name, cpuMsPerRequest: mean(runs.map((r) => r.cpuMsPerRequest ?? 0)), requestsPerSecond: mean(runs.map((r) => r.requestsPerSecond)), p50Ms: mean(runs.map((r) => r.p50Ms)), p99Ms: mean(runs.map((r) => r.p99Ms)), maxRssMb: Math.max(...runs.map((r) => r.maxRssMb ?? 0)), runs: runs.map((r) => r.requestsPerSecond) };
});
// Throughput cost (what the target is about) and CPU cost per request (what hardly moves when other work shares
// the machine, so the figure to trust on a busy one).
const baseline = summary[0]!;
const cost = (rps: number) => Math.round((1 - rps / baseline.requestsPerSecond) * 1000) / 10;
const cpuCost = (ms: number) => Math.round((ms / baseline.cpuMsPerRequest - 1) * 1000) / 10;
const table = [
  '| variant | req/s (mean of rounds) | per round | throughput cost | CPU ms/request | CPU cost | p50 ms | p99 ms | peak RSS MB |',
  '|---|---|---|---|---|---|---|---|---|',
  ...summary.map((s) =>
    s === baseline
      ? `| ${s.variant} | ${s.requestsPerSecond} | ${s.runs.join(', ')} | — | ${s.cpuMsPerRequest} | — | ${s.p50Ms} | ${s.p99Ms} | ${s.maxRssMb} |`
      : `| ${s.variant} | ${s.requestsPerSecond} | ${s.runs.join(', ')} | ${cost(s.requestsPerSecond)} % | ${s.cpuMsPerRequest} | ${cpuCost(s.cpuMsPerRequest) > 0 ? "+" : ""}${cpuCost(s.cpuMsPerRequest)} % | ${s.p50Ms} | ${s.p99Ms} | ${s.maxRssMb} |`,
  ),
];
process.stderr.write(`\n${table.join('\n')}\n\nload average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}; OTLP exports received: ${spansReceived}\n\n`);
console.log(
  JSON.stringify({
    customers: Number(args.customers),
    page: 50,
    connections: load.connections,
    durationS: load.durationS,
    rounds: Number(args.rounds),
    metricsThroughputCostPercent: cost(summary[1]!.requestsPerSecond),
    tracingThroughputCostPercent: cost(summary[2]!.requestsPerSecond),
    metricsCpuCostPercent: cpuCost(summary[1]!.cpuMsPerRequest),
    tracingCpuCostPercent: cpuCost(summary[2]!.cpuMsPerRequest),
    loadAverage: { before: loadBefore, after: loadAfter },
    summary,
  }),
);
