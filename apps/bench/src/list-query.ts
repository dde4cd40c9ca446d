// The customer-list benchmark of docs/performance.md: our gateway vs PostGraphile v5 on the same PostgreSQL data,
// plus our gateway on the embedded database. Usage (from the repository root):
//   npm run bench -- [--customers 10000] [--duration 20] [--warmup 5] [--connections 10] [--skip-postgraphile] [--skip-pglite]
// Never drops anything: it creates the database `crm_bench` (PG_BENCH_URL's server) and `.bench-data/` once and
// reuses them while the size matches.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createGateway, silentLogger } from '@crm/gateway';
import { ensureBenchWorkspace, ensurePostgresDatabase, openBenchDatabase } from './bench-database.js';
import { type LoadResult, loadTest } from './load.js';
import { crmListQuery, postgraphileListQuery } from './queries.js';
import { repoRoot, startServer } from './servers.js';
import { statementsPerRequest } from './statements.js';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    'skip-postgraphile': { type: 'boolean', default: false },
    'skip-pglite': { type: 'boolean', default: false },
  },
});
const customers = Number(args.customers);
const load = { connections: Number(args.connections), durationS: Number(args.duration), warmupS: Number(args.warmup) };
const pages = [50, 10];
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

interface Row extends LoadResult {
  server: string;
  database: string;
  page: number;
  statementsPerRequest: number | null;
}
const rows: Row[] = [];

const adminUrl = process.env.PG_BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const benchUrl = await ensurePostgresDatabase(adminUrl, 'crm_bench');

// 1. Data, and statements per request measured in-process (Prisma's query events).
let statements = 0;
const database = await openBenchDatabase({ kind: 'postgres', url: benchUrl }, () => statements++);
const bench = await ensureBenchWorkspace(database, customers, log);
const inProcess = createGateway({ database, logger: silentLogger });
const inProcessUrl = await inProcess.listen(0);
const auth = { authorization: `Bearer ${bench.apiKey}` };
const ourStatements = new Map<number, number>();
for (const page of pages) {
  ourStatements.set(page, await statementsPerRequest(inProcessUrl, { query: crmListQuery, variables: { first: page } }, auth, () => statements));
}
await inProcess.close();
await database.close();

// 2. Our gateway as its own process, production mode, on PostgreSQL.
const gatewayScript = path.join(repoRoot, 'apps/gateway/dist/main.js');
{
  const server = await startServer(gatewayScript, { DATABASE_URL: benchUrl, NODE_ENV: 'production', LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0' }, 4101, '/ready');
  for (const page of pages) {
    log(`crm gateway, PostgreSQL, page ${page}`);
    const result = await loadTest({ url: `${server.url}/graphql`, body: { query: crmListQuery, variables: { first: page } }, headers: auth, ...load, pid: server.process.pid });
    rows.push({ server: 'crm gateway', database: 'PostgreSQL', page, statementsPerRequest: ourStatements.get(page) ?? null, ...result });
  }
  await server.stop();
}

// 3. PostGraphile v5 on the same database.
if (!args['skip-postgraphile']) {
  const script = path.join(repoRoot, 'apps/bench/dist/postgraphile-server.js');
  const server = await startServer(script, { DATABASE_URL: benchUrl, NODE_ENV: 'production' }, 4102, '/graphql');
  const count = async () => ((await (await fetch(`${server.url}/__statements`)).json()) as { statements: number }).statements;
  for (const page of pages) {
    log(`PostGraphile v5, PostgreSQL, page ${page}`);
    const body = { query: postgraphileListQuery, variables: { first: page, workspaceId: bench.workspaceId } };
    const perRequest = await statementsPerRequest(server.url, body, {}, count);
    const result = await loadTest({ url: `${server.url}/graphql`, body, ...load, pid: server.process.pid });
    rows.push({ server: 'PostGraphile v5', database: 'PostgreSQL', page, statementsPerRequest: perRequest, ...result });
  }
  await server.stop();
}

// 4. Our gateway on the embedded database (its own seeded data directory).
if (!args['skip-pglite']) {
  const dataDir = path.join(repoRoot, `.bench-data/pglite-${customers}`);
  const embedded = await openBenchDatabase({ kind: 'pglite', dataDir });
  const key = await ensureBenchWorkspace(embedded, customers, log);
  await embedded.close();
  const server = await startServer(gatewayScript, { CRM_DATA_DIR: dataDir, NODE_ENV: 'production', LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0' }, 4103, '/ready');
  for (const page of pages) {
    log(`crm gateway, PGlite, page ${page}`);
    const result = await loadTest({
      url: `${server.url}/graphql`,
      body: { query: crmListQuery, variables: { first: page } },
      headers: { authorization: `Bearer ${key.apiKey}` },
      ...load,
      pid: server.process.pid,
    });
    rows.push({ server: 'crm gateway', database: 'PGlite', page, statementsPerRequest: ourStatements.get(page) ?? null, ...result });
  }
  await server.stop();
}

// Report: a table for people, one JSON line for machines.
const table = [
  '| server | database | page | req/s | p50 ms | p99 ms | SQL statements/request | peak RSS MB | errors |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.server} | ${r.database} | ${r.page} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.statementsPerRequest ?? '?'} | ${r.maxRssMb ?? '?'} | ${r.errors + r.non2xx} |`),
];
process.stderr.write(`\n${table.join('\n')}\n\n`);
const ratio = (page: number) => {
  const ours = rows.find((r) => r.server === 'crm gateway' && r.database === 'PostgreSQL' && r.page === page);
  const peer = rows.find((r) => r.server === 'PostGraphile v5' && r.page === page);
  return ours && peer ? Math.round((ours.requestsPerSecond / peer.requestsPerSecond) * 100) / 100 : null;
};
console.log(JSON.stringify({ customers, connections: load.connections, durationS: load.durationS, throughputRatioPage50: ratio(50), throughputRatioPage10: ratio(10), rows }));
