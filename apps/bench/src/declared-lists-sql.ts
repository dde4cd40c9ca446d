// PostgreSQL's side of `npm run bench:lists`, statement by statement (issue 14): the SQL each server sends for Q1–Q6,
// replayed on one connection and measured in backend CPU per request, with EXPLAIN on request. Usage (repository
// root, after `npm run bench:lists` has seeded the database):
//   npm run bench:lists-sql -- [--database crm_bench_lists] [--cpu-ms 3000] [--rounds 2] [--only Q1,Q3] [--explain] [--out DIR]
// Each server answers each query twice (the first warms caches and names its prepared statements); the statements
// of the second answer are recorded (ours through Prisma's query events in-process; PostGraphile's by its server,
// POSTGRAPHILE_RECORD=1) and replayed in a row, prepared, on one connection, until that backend has used `--cpu-ms`
// of CPU (/proc counts in 10 ms ticks: 3 s of CPU keeps the reading within a few per cent); CPU per request is the
// figure, and each round replays every query on both servers again (the table keeps each round's figure). No concurrency: unlike the load test's PostgreSQL
// column it hardly moves with the machine's load, so it is the figure to compare while others share the machine.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createGateway, silentLogger } from '@crm/gateway';
import pg from 'pg';
import { benchWorkspaceKey, ensurePostgresDatabase, openBenchDatabase } from './bench-database.js';
import { benchQueryContext } from './declared-lists-data.js';
import { type QueryPair, queryPairs } from './declared-lists-queries.js';
import { processCpuMs } from './process-cpu.js';
import { repoRoot, startServer } from './servers.js';
import { postGraphQL } from './statements.js';

const { values: args } = parseArgs({
  options: {
    database: { type: 'string', default: 'crm_bench_lists' },
    'cpu-ms': { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '2' },
    only: { type: 'string' },
    explain: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const log = (line: string) => process.stderr.write(`[bench:lists-sql] ${line}\n`);
const cpuTargetMs = Number(args['cpu-ms']);
const pairs = args.only ? queryPairs.filter((p) => args.only!.split(',').includes(p.name)) : queryPairs;

interface Statement {
  text: string;
  values: unknown[];
}
type Server = 'crm' | 'PostGraphile';

const adminUrl = process.env.PG_BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const benchUrl = await ensurePostgresDatabase(adminUrl, args.database);
const captured = new Map<string, Record<Server, Statement[]>>();

// 1. Ours, in-process: every statement Prisma sends, with its parameters.
let recording: Statement[] | null = null;
const database = await openBenchDatabase({ kind: 'postgres', url: benchUrl }, (event) => {
  recording?.push({ text: event.query, values: JSON.parse((event as { params?: string }).params ?? '[]') as unknown[] });
});
const lists = await benchWorkspaceKey(database, 'Benchmark');
const context = await benchQueryContext(benchUrl, lists.workspaceId);
{
  const gateway = createGateway({ database, logger: silentLogger, rateLimit: { perMinute: 0 } });
  const url = await gateway.listen(0);
  const headers = { authorization: `Bearer ${lists.apiKey}` };
  for (const pair of pairs) {
    const body = { query: pair.ours.query, variables: pair.ours.variables(pair.page, context) };
    await postGraphQL(url, body, headers);
    recording = [];
    await postGraphQL(url, body, headers);
    captured.set(pair.name, { crm: recording, PostGraphile: [] });
    recording = null;
  }
  await gateway.close();
}
await database.close();

// 2. PostGraphile's, recorded by its server.
{
  const server = await startServer(
    path.join(repoRoot, 'apps/bench/dist/postgraphile-server.js'),
    { DATABASE_URL: benchUrl, NODE_ENV: 'production', POSTGRAPHILE_LISTS: '1', POSTGRAPHILE_RECORD: '1' },
    4313,
    '/graphql',
  );
  const count = async (recent = 0) =>
    (await (await fetch(`${server.url}/__statements?recent=${recent}`)).json()) as { statements: number; recent?: Statement[] };
  try {
    for (const pair of pairs) {
      const body = { query: pair.postgraphile.query, variables: pair.postgraphile.variables(pair.page, context) };
      await postGraphQL(server.url, body);
      const before = (await count()).statements;
      await postGraphQL(server.url, body);
      const sent = (await count()).statements - before;
      captured.get(pair.name)!.PostGraphile = sent ? (await count(sent)).recent! : [];
    }
  } finally {
    await server.stop();
  }
}

/** A connection of its own to the benchmark database (UTC, as the gateway's), for `use`. */
async function withConnection<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: benchUrl, options: '-c timezone=UTC' });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

// 3. The replay: prepared, one connection per server and query, CPU of its backend per request.
function replay(statements: Statement[]): Promise<number> {
  return withConnection(async (client) => {
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const run = async () => {
      for (const [i, s] of statements.entries()) await client.query({ name: `replay_${i}`, text: s.text, values: s.values });
    };
    for (let i = 0; i < 20; i++) await run(); // past the five custom plans: the plan a busy server keeps
    const before = processCpuMs(pid)!;
    let executions = 0;
    while (processCpuMs(pid)! - before < cpuTargetMs) {
      for (let i = 0; i < 20; i++) await run();
      executions += 20;
    }
    return (processCpuMs(pid)! - before) / executions;
  });
}

/** Each statement with its plan, `EXPLAIN`ed as a prepared statement once PostgreSQL has settled on a plan for it. */
function explain(statements: Statement[]): Promise<string> {
  return withConnection(async (client) => {
    const plans: string[] = [];
    for (const [i, s] of statements.entries()) {
      const literals = s.values.map((v) => (v === null ? 'NULL' : `'${String(typeof v === 'object' ? JSON.stringify(v) : v).replace(/'/g, "''")}'`));
      await client.query(`PREPARE explained_${i} AS ${s.text}`);
      const executed = literals.length ? `EXECUTE explained_${i}(${literals.join(', ')})` : `EXECUTE explained_${i}`;
      for (let k = 0; k < 6; k++) await client.query(executed);
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, VERBOSE, COSTS OFF) ${executed}`);
      plans.push(`-- statement ${i + 1}\n${s.text}\n-- values ${JSON.stringify(s.values)}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
    }
    return plans.join('\n\n');
  });
}

const results = new Map<string, Record<Server, number[]>>(pairs.map((p) => [p.name, { crm: [], PostGraphile: [] }]));
for (let round = 0; round < Number(args.rounds); round++) {
  for (const pair of pairs) {
    for (const server of ['crm', 'PostGraphile'] as const) {
      const ms = await replay(captured.get(pair.name)![server]);
      results.get(pair.name)![server].push(ms);
      log(`${pair.name} ${server}: ${ms.toFixed(3)} ms of backend CPU per request (round ${round + 1})`);
    }
  }
}
if (args.out) {
  mkdirSync(args.out, { recursive: true });
  for (const pair of pairs) {
    for (const server of ['crm', 'PostGraphile'] as const) {
      const statements = captured.get(pair.name)![server];
      const text = args.explain ? await explain(statements) : statements.map((s) => `${s.text}\n-- values ${JSON.stringify(s.values)}`).join('\n\n');
      writeFileSync(path.join(args.out, `${pair.name}-${server}.sql`), text + '\n');
    }
  }
  log(`statements${args.explain ? ' and plans' : ''} written to ${args.out}`);
}

const load = (await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' / ');
const row = (pair: QueryPair) => {
  const r = results.get(pair.name)!;
  const figures = (s: Server) => r[s].map((ms) => ms.toFixed(2)).join(', ');
  const best = (s: Server) => Math.min(...r[s]);
  const counts = (s: Server) => captured.get(pair.name)![s].length;
  return `| ${pair.name} | ${figures('crm')} | ${figures('PostGraphile')} | ${(best('crm') / best('PostGraphile')).toFixed(2)} | ${counts('crm')} · ${counts('PostGraphile')} |`;
};
process.stderr.write(
  [
    '',
    `backend CPU ms per request, replayed for ${cpuTargetMs} ms of CPU per figure (load average ${load})`,
    '| query | crm | PostGraphile | ratio (best) | statements crm · PostGraphile |',
    '|---|---|---|---|---|',
    ...pairs.map(row),
    '',
  ].join('\n'),
);
console.log(JSON.stringify({ cpuTargetMs, loadAverage: (await import('node:os')).loadavg(), results: Object.fromEntries(results) }));
