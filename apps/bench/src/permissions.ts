// The cost of permission checks on the customer-list query (docs/security.md, "Roles and permissions"): the same
// gateway process, the same page, a built-in READ_ONLY key against a custom-role key that hides two of the page's fields (email,
// phone) and reads every object the page touches. Runs alternate (A B A B) so drift hits both alike.
//   npm run bench:permissions -- [--customers 2000] [--duration 10] [--warmup 3] [--connections 10]
// Never drops anything: it creates the database `crm_bench_permissions` once and reuses it while the size matches.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkRoleGrants, coreCatalog, issueApiKey } from '@crm/core';
import { ensureBenchWorkspace, ensurePostgresDatabase, openBenchDatabase } from './bench-database.js';
import { type LoadResult, loadTest } from './load.js';
import { crmListQuery } from './queries.js';
import { repoRoot, startServer } from './servers.js';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '2000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
  },
});
const customers = Number(args.customers);
const load = { connections: Number(args.connections), durationS: Number(args.duration), warmupS: Number(args.warmup) };
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const adminUrl = process.env.PG_BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const benchUrl = await ensurePostgresDatabase(adminUrl, 'crm_bench_permissions');
const database = await openBenchDatabase({ kind: 'postgres', url: benchUrl });
const bench = await ensureBenchWorkspace(database, customers, log);
// The role, written as `createRole` writes it (the bench workspace's own key is READ_ONLY: it is the baseline).
const name = 'Bench: hides email and phone';
const grants = checkRoleGrants(coreCatalog, [
  { object: 'Customer', read: true, create: false, update: false, delete: false, ownRecordsOnly: false, hiddenFields: ['email', 'phone'], readOnlyFields: [] },
  ...['Company', 'User', 'Activity', 'Order'].map((object) => ({ object, read: true, create: false, update: false, delete: false, ownRecordsOnly: false, hiddenFields: [], readOnlyFields: [] })),
]);
const role =
  (await database.prisma.customRole.findFirst({ where: { workspaceId: bench.workspaceId, name } })) ??
  (await database.prisma.customRole.create({ data: { workspaceId: bench.workspaceId, name, grants: grants as object } }));
const restricted = (await issueApiKey(database.prisma, { workspaceId: bench.workspaceId, name: 'bench restricted', role: 'READ_ONLY', customRoleId: role.id })).apiKey;
await database.close();

const server = await startServer(path.join(repoRoot, 'apps/gateway/dist/main.js'), { DATABASE_URL: benchUrl, NODE_ENV: 'production', LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0' }, 4104, '/ready');
try {
  const body = { query: crmListQuery, variables: { first: 50 } };
  const runs: { key: string; result: LoadResult }[] = [];
  for (const round of [1, 2]) {
    for (const [key, apiKey] of [['READ_ONLY', bench.apiKey], ['hides 2 fields', restricted]] as const) {
      log(`round ${round}: ${key}`);
      runs.push({ key, result: await loadTest({ url: `${server.url}/graphql`, body, headers: { authorization: `Bearer ${apiKey}` }, ...load, pid: server.process.pid }) });
    }
  }
  const mean = (key: string) => {
    const of = runs.filter((r) => r.key === key);
    return of.reduce((sum, r) => sum + r.result.requestsPerSecond, 0) / of.length;
  };
  const ratio = Math.round((mean('hides 2 fields') / mean('READ_ONLY')) * 1000) / 1000;
  process.stderr.write(`\n| key | req/s (mean of 2) |\n|---|---|\n| READ_ONLY | ${mean('READ_ONLY').toFixed(1)} |\n| hides 2 fields | ${mean('hides 2 fields').toFixed(1)} |\n\n`);
  console.log(JSON.stringify({ customers, page: 50, connections: load.connections, durationS: load.durationS, throughputRatio: ratio, runs: runs.map((r) => ({ key: r.key, requestsPerSecond: r.result.requestsPerSecond, p50Ms: r.result.p50Ms, errors: r.result.errors + r.result.non2xx })) }));
} finally {
  await server.stop();
}
