// The declared-lists benchmark of issue 14 (docs/performance.md): Q1–Q6 on our gateway and on PostGraphile v5 in
// the same run, on the same seeded PostgreSQL; plus search and a group-by over 100,000 orders. Usage (repository root):
//   npm run bench:lists -- [--duration 20] [--warmup 5] [--connections 10] [--requests 200] [--skip-seed] [--database crm_bench_lists]
// (--requests: sequential requests per latency figure, cut short after a minute for a slow one)
// It creates the database (`crm_bench_lists` unless --database names another) on PG_BENCH_URL's server once and
// reuses it; it never drops anything.
// Per query and server: req/s and p99 (autocannon), SQL statements per request at page sizes 10 and 50, and CPU
// per request of the server process and of the PostgreSQL backends serving it (/proc, see process-cpu.ts).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createGateway, silentLogger } from '@crm/gateway';
import pg from 'pg';
import { benchWorkspaceKey, ensureBenchWorkspace, ensurePostgresDatabase, openBenchDatabase } from './bench-database.js';
import { benchQueryContext, ensureListData, listDataCounts, vacuum } from './declared-lists-data.js';
import { customerSearch, globalSearch, groupedOrders, q6, q6PostGraphile, queryPairs } from './declared-lists-queries.js';
import { loadTest, sequentialLatency } from './load.js';
import { PostgresCpu, processCpuMs } from './process-cpu.js';
import { repoRoot, type RunningServer, startServer } from './servers.js';
import { postGraphQL, statementsPerRequest } from './statements.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    requests: { type: 'string', default: '200' },
    'skip-seed': { type: 'boolean', default: false },
    database: { type: 'string', default: 'crm_bench_lists' },
  },
});
const load = { connections: Number(args.connections), durationS: Number(args.duration), warmupS: Number(args.warmup) };
const sequentialRequests = Number(args.requests);
const statementPages = [10, 50];
const log = (line: string) => process.stderr.write(`[bench:lists] ${line}\n`);
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

// 1. Data: 10,000 customers (the list workspace) and 100,000 orders (the group-by workspace).
const adminUrl = process.env.PG_BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const benchUrl = await ensurePostgresDatabase(adminUrl, args.database);
let statements = 0;
const database = await openBenchDatabase({ kind: 'postgres', url: benchUrl }, () => statements++);
const [lists, groupBy] = args['skip-seed']
  ? [await benchWorkspaceKey(database, 'Benchmark'), await benchWorkspaceKey(database, 'Benchmark group-by')]
  : [await ensureBenchWorkspace(database, 10_000, log, 'Benchmark'), await ensureBenchWorkspace(database, 1_000, log, 'Benchmark group-by')];
if (!args['skip-seed']) await ensureListData(benchUrl, lists.workspaceId, groupBy.workspaceId, log);
const data = await listDataCounts(benchUrl, lists.workspaceId, groupBy.workspaceId);
log(`data: ${JSON.stringify(data)}`);
const context = await benchQueryContext(benchUrl, lists.workspaceId);

// 2. Our statements per request, in-process (Prisma's query events count every statement, the engine's included).
const ourStatements = new Map<string, Record<number, number>>();
{
  const gateway = createGateway({ database, logger: silentLogger, rateLimit: { perMinute: 0 } });
  const url = await gateway.listen(0);
  // A first start on a freshly seeded database catches up the month-end snapshots: lifetime-value fits that rewrite
  // every customer's scores (100,000 dead rows of "Customer" on a server without autovacuum). Finished here, before
  // statements are counted, and vacuumed away below, before anything is measured.
  await gateway.monthEndSnapshots?.runOnce();
  for (const pair of queryPairs) {
    const counts: Record<number, number> = {};
    for (const page of statementPages) {
      counts[page] = await statementsPerRequest(url, { query: pair.ours.query, variables: pair.ours.variables(page, context) }, auth(lists.apiKey), () => statements);
    }
    ourStatements.set(pair.name, counts);
    log(`${pair.name} crm gateway: ${JSON.stringify(counts)} statements per request at page sizes ${statementPages.join(' and ')}`);
  }
  await gateway.close();
}
await database.close();
await vacuum(benchUrl);

interface Row {
  query: string;
  server: string;
  page: number;
  requestsPerSecond: number;
  p99Ms: number;
  statements: Record<number, number>;
  gatewayCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number;
  errors: number;
  check: unknown;
}
const rows: Row[] = [];
const latencies: { what: string; server: string; requests: number; p50Ms: number; p95Ms: number; p99Ms: number }[] = [];
const postgres = await PostgresCpu.open(benchUrl);

/** Load-tests one query on a running server, with CPU per request of the server and of PostgreSQL. */
async function measure(server: RunningServer, name: string, label: string, page: number, body: unknown, headers: Record<string, string>, statementCounts: Record<number, number>, check: unknown) {
  let gatewayCpuMs = 0;
  let postgresCpuMs = 0;
  const result = await loadTest({
    url: `${server.url}/graphql`,
    body,
    headers,
    ...load,
    measure: async (run) => {
      const before = processCpuMs(server.process.pid!) ?? 0;
      const [value, used] = await postgres.during(run);
      gatewayCpuMs = (processCpuMs(server.process.pid!) ?? 0) - before;
      postgresCpuMs = used;
      return value;
    },
  });
  const requests = Math.max(1, result.requests);
  const row: Row = {
    query: name,
    server: label,
    page,
    requestsPerSecond: result.requestsPerSecond,
    p99Ms: result.p99Ms,
    statements: statementCounts,
    gatewayCpuMsPerRequest: round(gatewayCpuMs / requests),
    postgresCpuMsPerRequest: round(postgresCpuMs / requests),
    errors: result.errors + result.non2xx,
    check,
  };
  rows.push(row);
  log(`${name} ${label}: ${row.requestsPerSecond} req/s, p99 ${row.p99Ms} ms, CPU/request gateway ${row.gatewayCpuMsPerRequest} ms, PostgreSQL ${row.postgresCpuMsPerRequest} ms`);
}

/** p50/p95/p99 of sequential requests (one at a time: the latency a user sees, not a queue under load). */
async function latency(server: RunningServer, what: string, label: string, body: unknown, headers: Record<string, string> = {}) {
  const figures = await sequentialLatency(async () => void (await postGraphQL(server.url, body, headers)), sequentialRequests, { warmup: 3 });
  latencies.push({ what, server: label, ...figures });
  log(`${what}, ${label}: p50 ${figures.p50Ms} ms, p95 ${figures.p95Ms} ms, p99 ${figures.p99Ms} ms (${figures.requests} sequential requests)`);
}

// 3. Our gateway as its own process, as `npm start` runs it.
{
  const server = await startServer(
    path.join(repoRoot, 'apps/gateway/dist/main.js'),
    { DATABASE_URL: benchUrl, NODE_ENV: 'production', LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0' },
    4311,
    '/ready',
  );
  const label = 'crm gateway';
  try {
    for (const pair of queryPairs) {
      const body = { query: pair.ours.query, variables: pair.ours.variables(pair.page, context) };
      const check = pair.check.ours(await postGraphQL(server.url, body, auth(lists.apiKey)));
      await measure(server, pair.name, label, pair.page, body, auth(lists.apiKey), ourStatements.get(pair.name)!, check);
    }
    const [first, last] = (await customerName()).split(' ');
    const words = `${last} ${first}`; // word order free: "Audit Ada" finds "Ada Audit"
    await latency(server, `customers(search: "${words}")`, label, { query: customerSearch, variables: { q: words } }, auth(lists.apiKey));
    await latency(server, `search(query: "${words}")`, label, { query: globalSearch, variables: { q: words } }, auth(lists.apiKey));
    const big = { query: q6, variables: { first: 100 } };
    log(`ordersGroupBy over ${data.groupByOrders} orders: ${groupedOrders.ours(await postGraphQL(server.url, big, auth(groupBy.apiKey)))} orders in the groups`);
    await latency(server, `orders by month over ${data.groupByOrders} orders`, label, big, auth(groupBy.apiKey));
  } finally {
    await server.stop(); // also on failure: a server left running would answer the next run on its port
  }
}

// 4. PostGraphile v5 (connection-filter and aggregates plugins) on the same database.
{
  const server = await startServer(path.join(repoRoot, 'apps/bench/dist/postgraphile-server.js'), { DATABASE_URL: benchUrl, NODE_ENV: 'production', POSTGRAPHILE_LISTS: '1' }, 4312, '/graphql');
  const count = async () => ((await (await fetch(`${server.url}/__statements`)).json()) as { statements: number }).statements;
  const label = 'PostGraphile v5';
  try {
    for (const pair of queryPairs) {
      const counts: Record<number, number> = {};
      for (const page of statementPages) counts[page] = await statementsPerRequest(server.url, { query: pair.postgraphile.query, variables: pair.postgraphile.variables(page, context) }, {}, count);
      const body = { query: pair.postgraphile.query, variables: pair.postgraphile.variables(pair.page, context) };
      const check = pair.check.postgraphile(await postGraphQL(server.url, body));
      await measure(server, pair.name, label, pair.page, body, {}, counts, check);
    }
    const big = { query: q6PostGraphile, variables: { workspaceId: groupBy.workspaceId } };
    await latency(server, `orders by month over ${data.groupByOrders} orders`, label, big);
  } finally {
    await server.stop();
  }
}
await postgres.close();

// Report: a table for people (stderr), one JSON line for machines (stdout).
const table = [
  '| query | server | page | req/s | p99 ms | statements/request (page 10 / 50) | gateway CPU ms/request | PostgreSQL CPU ms/request | ratio req/s |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => {
    const peer = rows.find((p) => p.query === r.query && p.server !== r.server);
    const ratio = r.server === 'crm gateway' && peer ? `${round(r.requestsPerSecond / peer.requestsPerSecond)}×` : '';
    return `| ${r.query} | ${r.server} | ${r.page} | ${r.requestsPerSecond} | ${r.p99Ms} | ${statementPages.map((p) => r.statements[p]).join(' / ')} | ${r.gatewayCpuMsPerRequest} | ${r.postgresCpuMsPerRequest} | ${ratio} |`;
  }),
  '',
  '| latency (sequential) | server | p50 ms | p95 ms | p99 ms |',
  '|---|---|---|---|---|',
  ...latencies.map((l) => `| ${l.what} | ${l.server} | ${l.p50Ms} | ${l.p95Ms} | ${l.p99Ms} |`),
];
process.stderr.write(`\n${table.join('\n')}\n\n`);
const mismatched = queryPairs.filter((pair) => {
  const [ours, peer] = ['crm gateway', 'PostGraphile v5'].map((server) => JSON.stringify(rows.find((r) => r.query === pair.name && r.server === server)?.check));
  return ours !== peer;
});
if (mismatched.length) log(`WARNING: the two servers disagree on ${mismatched.map((p) => p.name).join(', ')} (see "check" in the JSON)`);
console.log(JSON.stringify({ connections: load.connections, durationS: load.durationS, loadAverage: (await import('node:os')).loadavg(), data, rows, latencies }));

function auth(apiKey: string) {
  return { authorization: `Bearer ${apiKey}` };
}

async function customerName(): Promise<string> {
  const client = new pg.Client({ connectionString: benchUrl });
  await client.connect();
  try {
      return (await client.query<{ name: string }>(`SELECT name FROM "Customer" WHERE id = $1`, [context.profile.rowId])).rows[0]!.name;
  } finally {
    await client.end();
  }
}
