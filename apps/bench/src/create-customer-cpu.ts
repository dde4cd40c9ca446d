// Gateway CPU per `createCustomer`, the command that triggers a workflow (issue 17), without the workflow: one gateway
// process (production mode) on a throwaway PostgreSQL database, `--requests` mutations `--concurrency` at a time after
// a warm-up, CPU time read from /proc (hardly moved by other work on the machine, unlike the wall time).
//   npm run bench:create-customer -- [--requests 2000] [--concurrency 8] [--plugins workflows]
// `--plugins` installs plugins (CRM_PLUGINS) without enabling anything of theirs: their subscribers' deliveries of
// the command's events are counted too. Prints one JSON line on stdout.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createWorkspace } from '@crm/core';
import { createTestPostgres } from '@crm/db/testing';
import { processCpuMs } from './process-cpu.js';
import { repoRoot, startServer } from './servers.js';
import { freePort } from './free-port.js';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    plugins: { type: 'string', default: '' },
  },
});
const requests = Number(args.requests);
const CREATE = `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`;

const loadBefore = os.loadavg();
const pg = await createTestPostgres();
const server = await startServer(
  `${repoRoot}apps/gateway/dist/main.js`,
  {
    DATABASE_URL: pg.url,
    CRM_DEMO: '0',
    CRM_PLUGINS: args.plugins,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'error',
    NODE_ENV: 'production',
  },
  await freePort(),
  '/ready',
);
try {
  const { apiKey } = await createWorkspace(pg.database.prisma, {
    name: 'createCustomer bench',
  });
  const create = async (i: number) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${apiKey}`,
      },
      body: JSON.stringify({
        query: CREATE,
        variables: {
          input: { name: `Customer ${i}`, email: `c${i}@bench.test` },
        },
      }),
    });
    const text = await response.text();
    if (!response.ok || text.includes('"errors"')) throw new Error(`createCustomer failed: ${text.slice(0, 300)}`);
  };
  for (let i = 0; i < 200; i++) await create(-1 - i); // warm-up: JIT, caches, connections
  const pid = server.process.pid!;
  const cpuBefore = processCpuMs(pid)!;
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Number(args.concurrency) }, async () => {
      while (next < requests) await create(next++);
    }),
  );
  const cpuMs = processCpuMs(pid)! - cpuBefore;
  const round = (n: number) => Math.round(n * 100) / 100;
  process.stdout.write(
    `${JSON.stringify({
      bench: 'create-customer',
      plugins: args.plugins || null,
      requests,
      gatewayCpuMsPerRequest: round(cpuMs / requests),
      requestsPerSecond: Math.round(requests / ((Date.now() - started) / 1000)),
      loadAverage: {
        before: loadBefore.map((n) => round(n)),
        after: os.loadavg().map((n) => round(n)),
      },
    })}\n`,
  );
} finally {
  await server.stop();
  await pg.drop();
}
