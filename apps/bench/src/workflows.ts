// Workflow runs under load (docs/performance.md, "Workflows"): gateway instances as separate processes on one
// throwaway PostgreSQL database with the workflows plugin, one enabled workflow of 3 steps (tag, tag, task) on
// "customer created", and createCustomer mutations at `--rate` per second for `--duration` seconds spread over the
// instances. Reports, as one JSON line on stdout: runs finished per second, trigger-to-first-step latency (the first
// step's start minus the event's occurredAt), runs failed or missing, and the load average. Usage (repository root):
//   npm run bench:workflows -- [--instances 1] [--rate 50] [--duration 10]
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createWorkspace } from '@crm/core';
import { createTestPostgres } from '@crm/db/testing';
import { repoRoot, type RunningServer, startServer } from './servers.js';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '1' },
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
  },
});
const instances = Number(args.instances);
const rate = Number(args.rate);
const durationS = Number(args.duration);
const log = (line: string) => process.stderr.write(`[bench:workflows] ${line}\n`);

async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const definition = {
  trigger: { kind: 'record', object: 'Customer', on: 'created' },
  steps: [
    { id: 'first', kind: 'addTag', tag: 'new' },
    { id: 'second', kind: 'addTag', tag: 'welcome' },
    { id: 'call', kind: 'createTask', title: 'Welcome call: {{trigger.record.name}}', dueIn: { days: 1 } },
  ],
};

const pg = await createTestPostgres();
const servers: RunningServer[] = [];
const loadBefore = os.loadavg();
try {
  log(`database ready; starting ${instances} gateway instance(s)`);
  for (let i = 0; i < instances; i++) {
    servers.push(
      await startServer(
        `${repoRoot}apps/gateway/dist/main.js`,
        { DATABASE_URL: pg.url, CRM_DEMO: '0', CRM_PLUGINS: 'workflows', RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'error', NODE_ENV: 'production' },
        await freePort(),
        '/ready',
      ),
    );
  }
  const { apiKey, workspaceId } = await createWorkspace(pg.database.prisma, { name: 'Workflow bench' });
  const post = async (server: RunningServer, query: string, variables: Record<string, unknown>) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const result = (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
  const created = await post(servers[0]!, `mutation ($d: JSON) { createWorkflow(input: { name: "Bench", definition: $d }) { workflow { id } } }`, { d: definition });
  const id = created.createWorkflow.workflow.id as string;
  await post(servers[0]!, `mutation ($id: ID!) { publishWorkflow(input: { id: $id }) { version { number } } }`, { id });
  await post(servers[0]!, `mutation ($id: ID!) { setWorkflowEnabled(input: { id: $id, enabled: true }) { workflow { enabled } } }`, { id });
  // The concurrency limit is a product guard, not what is measured here.
  await post(servers[0]!, `mutation { updatePluginSettings(input: { pluginId: "workflows", settings: { maxConcurrentRuns: 1000 } }) { plugin { id } } }`, {});

  const total = Math.round(rate * durationS);
  log(`${total} customers at ${rate}/s over ${instances} instance(s), each starting a 3-step run`);
  const started = Date.now();
  const pending: Promise<unknown>[] = [];
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(post(servers[n % servers.length]!, `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`, { i: { name: `Bench ${n}` } }));
  }
  await Promise.all(pending);
  const prisma = pg.database.prisma;
  const deadline = Date.now() + 120_000;
  let finished = 0;
  while (Date.now() < deadline) {
    finished = await prisma.workflowRun.count({ where: { workspaceId, status: { in: ['SUCCEEDED', 'FAILED'] } } });
    if (finished >= total) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const rows = await prisma.$queryRaw<{ latency: number; startedAt: Date; finishedAt: Date | null; status: string }[]>`
    SELECT EXTRACT(EPOCH FROM (s."startedAt" - (r.trigger->'event'->>'occurredAt')::timestamptz)) * 1000 AS latency,
           r."startedAt", r."finishedAt", r.status::text AS status
    FROM "WorkflowRun" r JOIN "WorkflowStepRun" s ON s."runId" = r.id AND s."stepId" = 'first'
    WHERE r."workspaceId" = ${workspaceId}::uuid`;
  const latencies = rows.map((r) => Number(r.latency)).sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!) : null);
  const done = rows.filter((r) => r.finishedAt);
  const firstStart = Math.min(...done.map((r) => r.startedAt.getTime()));
  const lastEnd = Math.max(...done.map((r) => r.finishedAt!.getTime()));
  const summary = {
    bench: 'workflows',
    instances,
    steps: definition.steps.length,
    runsExpected: total,
    runsFinished: done.length,
    runsFailed: rows.filter((r) => r.status === 'FAILED').length,
    missing: total - rows.length,
    runsPerSecond: done.length ? Math.round((done.length / (lastEnd - firstStart)) * 1000) : 0,
    triggerToFirstStepMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: latencies.length ? Math.round(latencies.at(-1)!) : null },
    loadAverage: { before: loadBefore.map((l) => Math.round(l * 10) / 10), after: os.loadavg().map((l) => Math.round(l * 10) / 10) },
  };
  console.log(JSON.stringify(summary));
} finally {
  for (const server of servers) await server.stop();
  await pg.drop();
}
