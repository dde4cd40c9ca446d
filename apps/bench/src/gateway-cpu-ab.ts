// Gateway CPU per request of two checkouts side by side: this one's gateway and the one at `--against` (another
// worktree, built), each a process (production mode) on its own throwaway PostgreSQL database, loaded AT THE SAME TIME
// with the same requests (`--concurrency` in flight each). CPU from /proc. On a shared, loaded machine the CPU per
// request of one process drifts with the load by more than a change's effect (7.1–9.2 ms for the same createCustomer
// build within half an hour); two processes measured together see the same load, so their ratio is what to compare.
//   npm run bench:gateway-ab -- --against /path/to/other/checkout [--query create|list] [--requests 2000] [--concurrency 4]
// `create`: createCustomer (the command a workflow run starts with); `list`: a page of 20 of 40 customers with
// their company (the read engine's path). Prints one JSON line on stdout: `against` and `this` in ms per request.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createWorkspace } from '@crm/core';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { processCpuMs } from './process-cpu.js';
import { repoRoot, type RunningServer, startServer } from './servers.js';
import { freePort } from './free-port.js';

const { values: args } = parseArgs({
  options: {
    against: { type: 'string' },
    query: { type: 'string', default: 'create' },
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '4' },
  },
});
if (!args.against) throw new Error('--against <checkout> is required (a built checkout to compare with)');
const requests = Number(args.requests);
const concurrency = Number(args.concurrency);
const CREATE = `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`;
const LIST = `query ($first: Int) { customers(first: $first) { totalCount edges { node { id name email lifecycleStage company { name } } } } }`;

interface Side {
  label: 'against' | 'this';
  pg: TestPostgres;
  server: RunningServer;
  apiKey: string;
}

async function send(side: Side, body: unknown): Promise<void> {
  const response = await fetch(`${side.server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${side.apiKey}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok || text.includes('"errors"')) throw new Error(`${side.label}: ${text.slice(0, 300)}`);
}
const create = (side: Side, i: number) => send(side, { query: CREATE, variables: { input: { name: `Customer ${i}`, email: `c${i}@ab.test` } } });
const request = (side: Side, i: number) => (args.query === 'list' ? send(side, { query: LIST, variables: { first: 20 } }) : create(side, i));

const sides: Side[] = [];
try {
  for (const [label, root] of [['against', `${args.against.replace(/\/$/, '')}/`], ['this', repoRoot]] as const) {
    const pg = await createTestPostgres();
    const env = { DATABASE_URL: pg.url, CRM_DEMO: '0', CRM_PLUGINS: '', RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'error', NODE_ENV: 'production' };
    const server = await startServer(`${root}apps/gateway/dist/main.js`, env, await freePort(), '/ready');
    const { apiKey } = await createWorkspace(pg.database.prisma, { name: `gateway-cpu-ab ${label}` });
    sides.push({ label, pg, server, apiKey });
  }
  for (const side of sides) {
    if (args.query === 'list') for (let i = 0; i < 40; i++) await create(side, -1000 - i);
    for (let i = 0; i < 200; i++) await request(side, -1 - i); // warm-up: JIT, caches, connections
  }
  const loadBefore = os.loadavg()[0]!;
  const before = sides.map((side) => processCpuMs(side.server.process.pid!)!);
  let next = 0;
  await Promise.all(
    sides.flatMap((side) =>
      Array.from({ length: concurrency }, async () => {
        for (let i = 0; i < requests / concurrency; i++) await request(side, next++);
      }),
    ),
  );
  const round = (n: number) => Math.round(n * 1000) / 1000;
  const cpu = sides.map((side, i) => round((processCpuMs(side.server.process.pid!)! - before[i]!) / requests));
  process.stdout.write(
    `${JSON.stringify({
      bench: 'gateway-cpu-ab',
      query: args.query,
      requests,
      gatewayCpuMsPerRequest: { against: cpu[0], this: cpu[1] },
      ratio: round(cpu[1]! / cpu[0]!),
      loadAverage: { before: round(loadBefore), after: round(os.loadavg()[0]!) },
      at: new Date().toISOString(),
    })}\n`,
  );
} finally {
  for (const side of sides) {
    await side.server.stop();
    await side.pg.drop();
  }
}
