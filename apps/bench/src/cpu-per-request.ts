// CPU per request of the customer-list query on our gateway, with and without the SQL projection, in one
// process on the benchmark data (PostgreSQL). CPU time, unlike requests/s, hardly moves when other work shares the
// machine, so this is the figure to compare across changes; `npm run bench` remains the throughput comparison with
// PostGraphile. Usage (repository root): npm run bench:cpu -- [--customers 10000] [--requests 200]
import { parseArgs } from 'node:util';
import { createGateway, silentLogger } from '@crm/gateway';
import { ensureBenchWorkspace, ensurePostgresDatabase, openBenchDatabase } from './bench-database.js';
import { crmListQuery } from './queries.js';

const { values: args } = parseArgs({
  options: { customers: { type: 'string', default: '10000' }, requests: { type: 'string', default: '200' } },
});
const requests = Number(args.requests);
const log = (line: string) => process.stderr.write(`[bench:cpu] ${line}\n`);

const adminUrl = process.env.PG_BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = await openBenchDatabase({ kind: 'postgres', url: await ensurePostgresDatabase(adminUrl, 'crm_bench') });
const bench = await ensureBenchWorkspace(database, Number(args.customers), log);
const gateways = {
  projection: createGateway({ database, logger: silentLogger, rateLimit: { perMinute: 0 } }),
  pothos: createGateway({ database, logger: silentLogger, rateLimit: { perMinute: 0 }, sqlProjection: false }),
};
const urls = { projection: await gateways.projection.listen(0), pothos: await gateways.pothos.listen(0) };

async function request(url: string, first: number): Promise<number> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bench.apiKey}` },
    body: JSON.stringify({ query: crmListQuery, variables: { first } }),
  });
  const text = await response.text();
  if (!response.ok || text.includes('"errors"')) throw new Error(`query failed: ${text.slice(0, 300)}`);
  return text.length;
}

const rows: { path: string; page: number; cpuMsPerRequest: number; wallMsPerRequest: number; responseBytes: number }[] = [];
for (const page of [50, 10]) {
  for (const path of ['pothos', 'projection'] as const) {
    let bytes = 0;
    for (let i = 0; i < 20; i++) bytes = await request(urls[path], page); // warm-up: JIT, caches, connections
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < requests; i++) await request(urls[path], page);
    const used = process.cpuUsage(cpu);
    const row = {
      path,
      page,
      cpuMsPerRequest: Math.round(((used.user + used.system) / 1000 / requests) * 100) / 100,
      wallMsPerRequest: Math.round(((performance.now() - started) / requests) * 100) / 100,
      responseBytes: bytes,
    };
    rows.push(row);
    log(JSON.stringify(row));
  }
}
await gateways.projection.close();
await gateways.pothos.close();
await database.close();

process.stderr.write(
  `\n| path | page | CPU ms/request | wall ms/request | response bytes |\n|---|---|---|---|---|\n${rows
    .map((r) => `| ${r.path} | ${r.page} | ${r.cpuMsPerRequest} | ${r.wallMsPerRequest} | ${r.responseBytes} |`)
    .join('\n')}\n\n`,
);
console.log(JSON.stringify({ requests, rows }));
