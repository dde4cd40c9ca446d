// Workflow runs under load (docs/performance.md, "Workflows"): gateway instances as separate processes on one
// throwaway PostgreSQL database with the workflows plugin. Two measurements, each ending with one JSON line on stdout
// (progress on stderr). Usage (repository root):
//   npm run bench:workflows -- [--instances 1] [--rate 50] [--duration 10] [--warmup 0] [--series] [--socket /var/run/postgresql]
//     one enabled workflow of 3 steps (tag, tag, task) on "customer created", and createCustomer mutations at `--rate`
//     per second for `--duration` seconds spread over the instances: runs finished per second, trigger-to-first-step
//     latency (the first step's start minus the event's occurredAt), runs failed or missing, requests that failed,
//     and the gateways' CPU time per run (its createCustomer request included). `--warmup S`: S seconds of the same load
//     first, left out of the figures; `--series`: p95 per 10 s of triggers. `--socket`: the gateways connect
//     through PostgreSQL's Unix socket in that directory. BENCH_CPU_PROF=<dir>: a CPU profile of each gateway.
//   npm run bench:workflows -- --waiting 100000 [--sample 100] [--park api|sql]
//     `--waiting` runs parked in a wait step of three days, while the gateway runs: its resident memory (RSS) as they
//     are parked, while they wait and after, and `--sample` of them whose due time the clock reaches (their due time
//     moved to now) resume and finish. `--park api` (the default): through the product's path: customers made by
//     `createCustomers` (1,000 a call), runs started by `runWorkflowOnRecords` on each 1,000, and the queue runs each
//     run's wait step, which parks it. `--park sql`: the rows the wait step leaves (step and run WAITING with a due time)
//     written by SQL in pages of 10,000 (fast; the gateway's own path not exercised).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createWorkspace } from '@crm/core';
import { createTestPostgres } from '@crm/db/testing';
import { repoRoot, type RunningServer, startServer } from './servers.js';
import { freePort } from './free-port.js';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '1' },
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
    waiting: { type: 'string' },
    sample: { type: 'string', default: '100' },
    /** How `--waiting` runs are parked: `api` (the product's path) or `sql` (the rows written directly). */
    park: { type: 'string', default: 'api' },
    /** Also print p95 trigger → first step per 10 s of triggers (whether the latency drifts as the tables grow). */
    series: { type: 'boolean', default: false },
    /** Seconds of the same load before the measured part (left out of the figures): a gateway that has been serving. */
    warmup: { type: 'string', default: '0' },
    /** PostgreSQL's Unix-socket directory: the gateways connect through it instead of TCP (same host). */
    socket: { type: 'string' },
    /** Leave the database in place at the end (its name on stderr): for inspecting what the load left behind. */
    keep: { type: 'boolean', default: false },
  },
});
const instances = Number(args.instances);
const log = (line: string) => process.stderr.write(`[bench:workflows] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const loadAverage = () => os.loadavg().map((l) => Math.round(l * 10) / 10);

/** A gateway process's resident memory, in MB (Linux). */
function rssMb(server: RunningServer): number {
  const status = readFileSync(`/proc/${server.process.pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 102.4) / 10;
}

/** CPU time a gateway process has used so far (user + system), in ms (Linux, 100 ticks a second). */
function cpuMs(server: RunningServer): number {
  const fields = readFileSync(`/proc/${server.process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * The client's connections: kept alive, at most CONNECTIONS per gateway, as a real client pools them. `fetch` opened
 * one per request in flight, and once the saturated gateway's accept queue (511) overflowed, the kernel dropped the
 * connections it could not queue: 10 % of the requests failed with `fetch failed` (ECONNRESET, connect timeouts).
 * Requests beyond the pool wait on the client; the latency measured starts at the event, inside the gateway.
 */
const CONNECTIONS = 64;
const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function postJson(url: string, body: unknown, headers: Record<string, string>): Promise<unknown> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new Error(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`));
        }
      });
    });
    request.on('error', reject);
    request.end(payload);
  });
}

const throughputDefinition = {
  trigger: { kind: 'record', object: 'Customer', on: 'created' },
  steps: [
    { id: 'first', kind: 'addTag', tag: 'new' },
    { id: 'second', kind: 'addTag', tag: 'welcome' },
    { id: 'call', kind: 'createTask', title: 'Welcome call: {{trigger.record.name}}', dueIn: { days: 1 } },
  ],
};

const waitingDefinition = {
  trigger: { kind: 'manual', object: 'Customer' },
  steps: [
    { id: 'hold', kind: 'wait', for: { days: 3 } },
    { id: 'after', kind: 'createTask', title: 'Three days later' },
  ],
};

/** p95 trigger → first step of the runs whose events fell in each 10 s from the first event. */
function p95By10s(rows: readonly { latency: number; occurredAt: Date }[]): number[] {
  const first = Math.min(...rows.map((r) => r.occurredAt.getTime()));
  const buckets: number[][] = [];
  for (const row of rows) (buckets[Math.floor((row.occurredAt.getTime() - first) / 10_000)] ??= []).push(Number(row.latency));
  return buckets.map((values) => {
    const ordered = [...values].sort((a, b) => a - b);
    return Math.round(ordered[Math.min(ordered.length - 1, Math.floor(0.95 * ordered.length))]!);
  });
}

const pg = await createTestPostgres();
/** The gateways' connection: the test database's URL, through the Unix socket when `--socket` names its directory. */
const gatewayDatabaseUrl = (() => {
  if (!args.socket) return pg.url;
  const url = new URL(pg.url);
  url.searchParams.set('host', args.socket);
  return url.toString();
})();
const servers: RunningServer[] = [];
const loadBefore = loadAverage();
try {
  log(`database ready; starting ${instances} gateway instance(s)`);
  for (let i = 0; i < instances; i++) {
    servers.push(
      await startServer(
        `${repoRoot}apps/gateway/dist/main.js`,
        { DATABASE_URL: gatewayDatabaseUrl, CRM_DEMO: '0', CRM_PLUGINS: 'workflows', RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'error', NODE_ENV: 'production' },
        await freePort(),
        '/ready',
      ),
    );
  }
  const { apiKey, workspaceId } = await createWorkspace(pg.database.prisma, { name: 'Workflow bench' });
  const post = async (server: RunningServer, query: string, variables: Record<string, unknown>) => {
    const result = (await postJson(`${server.url}/graphql`, { query, variables }, { authorization: `Bearer ${apiKey}` })) as { data?: Record<string, any>; errors?: unknown[] };
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
  const enabledWorkflow = async (name: string, definition: object): Promise<string> => {
    const created = await post(servers[0]!, `mutation ($n: String!, $d: JSON) { createWorkflow(input: { name: $n, definition: $d }) { workflow { id } } }`, { n: name, d: definition });
    const id = created.createWorkflow.workflow.id as string;
    await post(servers[0]!, `mutation ($id: ID!) { publishWorkflow(input: { id: $id }) { version { number } } }`, { id });
    await post(servers[0]!, `mutation ($id: ID!) { setWorkflowEnabled(input: { id: $id, enabled: true }) { workflow { enabled } } }`, { id });
    return id;
  };
  // The concurrency limit is a product guard, not what is measured here.
  await post(servers[0]!, `mutation { updatePluginSettings(input: { pluginId: "workflows", settings: { maxConcurrentRuns: 1000 } }) { plugin { id } } }`, {});
  const prisma = pg.database.prisma;
  const sql = pg.database.sql;

  if (args.waiting) {
    const waiting = Number(args.waiting);
    const sample = Math.min(Number(args.sample), waiting);
    const globalId = await enabledWorkflow('Three days later', waitingDefinition);
    const workflowId = Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
    const version = await prisma.workflowVersion.findFirstOrThrow({ where: { workflowId }, select: { id: true } });
    const server = servers[0]!;
    await sleep(5000); // the gateway settled after its start
    const rssBefore = rssMb(server);
    log(`gateway RSS ${rssBefore} MB; parking ${waiting} runs in a wait of three days (${args.park})`);
    const parkStarted = Date.now();
    const rssParking: number[] = [];
    if (args.park === 'sql') {
      const until = new Date(Date.now() + 3 * 24 * 3_600_000);
      const page = 10_000;
      for (let from = 0; from < waiting; from += page) {
        const count = Math.min(page, waiting - from);
        // What the wait step writes when it starts waiting: the step WAITING with its due time, the run WAITING.
        await sql.query(
          `WITH runs AS (
             INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, "recordType", trigger, "admittedAt")
             SELECT gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, 'bench:wait:' || g, 'WAITING', 'Customer', '{"event":null,"record":null}'::jsonb, now()
             FROM generate_series($4::int, $5::int) AS g
             RETURNING id)
           INSERT INTO "WorkflowStepRun" (id, "workspaceId", "runId", "stepId", kind, seq, status, attempts, input, "dueAt", "startedAt", claims)
           SELECT gen_random_uuid(), $1::uuid, id, 'hold', 'wait', 0, 'WAITING', 1, jsonb_build_object('until', $6::text), $7::timestamptz, now(), 1 FROM runs`,
          [workspaceId, workflowId, version.id, from + 1, from + count, until.toISOString(), until],
        );
        rssParking.push(rssMb(server));
        log(`${from + count} of ${waiting} runs waiting; gateway RSS ${rssMb(server)} MB`);
      }
    } else {
      // The product's path: customers in calls of 1,000, a selection's runs started on each, the queue parks them.
      const page = 1000;
      for (let from = 0; from < waiting; from += page) {
        const count = Math.min(page, waiting - from);
        const inputs = Array.from({ length: count }, (_, n) => ({ name: `Waiting ${from + n}` }));
        const made = await post(server, `mutation ($i: [CustomerInput!]!) { createCustomers(inputs: $i) { customers { id } } }`, { i: inputs });
        const ids = (made.createCustomers.customers as { id: string }[]).map((customer) => customer.id);
        await post(server, `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`, { id: globalId, ids });
        if ((from / page) % 10 === 9) {
          rssParking.push(rssMb(server));
          log(`${from + count} of ${waiting} runs started; gateway RSS ${rssMb(server)} MB`);
        }
      }
      // Every run's wait step taken by the queue: the run WAITING (or later).
      for (;;) {
        const parked = await prisma.workflowRun.count({ where: { workspaceId, status: 'WAITING' } });
        if (parked >= waiting) break;
        log(`${parked} of ${waiting} runs parked; gateway RSS ${rssMb(server)} MB`);
        rssParking.push(rssMb(server));
        await sleep(5000);
      }
    }
    const parkMs = Date.now() - parkStarted;
    // The gateway goes on polling for due steps, scanning dates and firing schedules while they wait.
    const holdMs = 30_000;
    log(`holding ${waiting} waiting runs for ${holdMs / 1000} s`);
    const rssSeries: number[] = [];
    for (let t = 0; t < holdMs; t += 5000) {
      await sleep(5000);
      rssSeries.push(rssMb(server));
    }
    // The clock reaches the due time of a sample: their wait ends, the next step runs, the run finishes.
    const resumeStarted = Date.now();
    const sampled = await sql.query<{ runId: string }>(
      `UPDATE "WorkflowStepRun" SET "dueAt" = now(), input = jsonb_build_object('until', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
       WHERE id IN (SELECT id FROM "WorkflowStepRun" WHERE "workspaceId" = $1::uuid AND status = 'WAITING' ORDER BY random() LIMIT $2::int)
       RETURNING "runId"::text AS "runId"`,
      [workspaceId, sample],
    );
    const runIds = sampled.map((row) => row.runId);
    log(`${runIds.length} runs due now; waiting for them to finish`);
    let finished = 0;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      finished = await prisma.workflowRun.count({ where: { id: { in: runIds }, status: 'SUCCEEDED' } });
      if (finished >= runIds.length) break;
      await sleep(200);
    }
    const resumeMs = Date.now() - resumeStarted;
    const stillWaiting = await prisma.workflowRun.count({ where: { workspaceId, status: 'WAITING' } });
    const summary = {
      bench: 'workflows-waiting',
      waitingRuns: waiting,
      park: args.park,
      parkSeconds: Math.round(parkMs / 1000),
      gatewayRssMb: { before: rssBefore, whileParking: rssParking, whileWaiting: rssSeries, after: rssMb(server) },
      sample: { due: runIds.length, finished, ms: resumeMs },
      stillWaiting,
      loadAverage: { before: loadBefore, after: loadAverage() },
    };
    console.log(JSON.stringify(summary));
  } else {
    const rate = Number(args.rate);
    const durationS = Number(args.duration);
    await enabledWorkflow('Bench', throughputDefinition);
    const total = Math.round(rate * durationS);
    /** `count` createCustomer at `rate` a second, named `prefix n`; answers how many were answered without error. */
    const createAtRate = async (count: number, prefix: string): Promise<number> => {
      const started = Date.now();
      const pending: Promise<boolean>[] = [];
      for (let n = 0; n < count; n++) {
        const due = started + (n * 1000) / rate;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
        // A request that fails (refused, timed out) is counted, not fatal: the runs of the others are still measured.
        pending.push(
          post(servers[n % servers.length]!, `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`, { i: { name: `${prefix} ${n}` } }).then(
            () => true,
            (error: unknown) => {
              log(`createCustomer failed: ${String(error).slice(0, 200)}${error instanceof Error && error.cause ? ` (${String(error.cause).slice(0, 200)})` : ''}`);
              return false;
            },
          ),
        );
      }
      return (await Promise.all(pending)).filter(Boolean).length;
    };
    /** Waits (at most 120 s) until the runs started since `from` number `expected`; answers how many finished. */
    const runsFinished = async (from: Date, expected: number): Promise<number> => {
      const deadline = Date.now() + 120_000;
      let finished = 0;
      while (Date.now() < deadline) {
        finished = await prisma.workflowRun.count({ where: { workspaceId, startedAt: { gte: from }, status: { in: ['SUCCEEDED', 'FAILED'] } } });
        if (finished >= expected) break;
        await sleep(200);
      }
      return finished;
    };
    // The warm-up (`--warmup` seconds at the same rate): the gateway's code compiled, its pool open and its statements
    // prepared, as in a gateway that has been serving; its runs are left out of every figure below.
    const warmupCount = Math.round(rate * Number(args.warmup));
    if (warmupCount) {
      log(`warm-up: ${warmupCount} customers at ${rate}/s`);
      const warmupFrom = new Date(Date.now() - 1000);
      await createAtRate(warmupCount, 'Warm-up');
      await runsFinished(warmupFrom, await prisma.customer.count({ where: { workspaceId } }));
      await sleep(1000);
    }
    const measuredFrom = new Date();
    log(`${total} customers at ${rate}/s over ${instances} instance(s), each starting a 3-step run`);
    const cpuBefore = servers.map(cpuMs);
    const answered = await createAtRate(total, 'Bench');
    // A request that timed out on the client may still have committed: the customers stored are what set runs off.
    const created = await prisma.customer.count({ where: { workspaceId, createdAt: { gte: measuredFrom } } });
    await runsFinished(measuredFrom, created);
    const cpuUsed = servers.reduce((sum, server, i) => sum + cpuMs(server) - cpuBefore[i]!, 0);
    // The latency in two parts: the event to its run's start (the host's delivery to the subscriber, which starts the
    // run), then the run's start to its first step (the queue: the wake-up, the claim, the batch's transaction).
    const rows = await prisma.$queryRaw<{ latency: number; delivery: number; queue: number; startedAt: Date; finishedAt: Date | null; status: string; occurredAt: Date }[]>`
      SELECT EXTRACT(EPOCH FROM (s."startedAt" - (r.trigger->'event'->>'occurredAt')::timestamptz)) * 1000 AS latency,
             EXTRACT(EPOCH FROM (r."startedAt" - (r.trigger->'event'->>'occurredAt')::timestamptz)) * 1000 AS delivery,
             EXTRACT(EPOCH FROM (s."startedAt" - r."startedAt")) * 1000 AS queue,
             r."startedAt", r."finishedAt", r.status::text AS status,
             (r.trigger->'event'->>'occurredAt')::timestamptz AS "occurredAt"
      FROM "WorkflowRun" r JOIN "WorkflowStepRun" s ON s."runId" = r.id AND s."stepId" = 'first'
      WHERE r."workspaceId" = ${workspaceId}::uuid AND r."startedAt" >= ${measuredFrom}`;
    const sorted = (values: number[]) => values.sort((a, b) => a - b);
    const percentile = (values: number[], p: number) => (values.length ? Math.round(values[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!) : null);
    const latencies = sorted(rows.map((r) => Number(r.latency)));
    const pct = (p: number) => percentile(latencies, p);
    const part = (values: number[]) => {
      const ordered = sorted(values);
      return { p50: percentile(ordered, 50), p95: percentile(ordered, 95) };
    };
    const done = rows.filter((r) => r.finishedAt);
    const firstStart = Math.min(...done.map((r) => r.startedAt.getTime()));
    const lastEnd = Math.max(...done.map((r) => r.finishedAt!.getTime()));
    const summary = {
      bench: 'workflows',
      instances,
      steps: throughputDefinition.steps.length,
      requests: total,
      requestsFailed: total - answered,
      runsExpected: created,
      runsFinished: done.length,
      runsFailed: rows.filter((r) => r.status === 'FAILED').length,
      missing: created - rows.length,
      warmupRuns: warmupCount,
      runsPerSecond: done.length ? Math.round((done.length / (lastEnd - firstStart)) * 1000) : 0,
      // Less dependent on the machine's load than the rates: the gateways' CPU per run, its createCustomer included.
      gatewayCpuMsPerRun: done.length ? Math.round((cpuUsed / done.length) * 10) / 10 : null,
      triggerToFirstStepMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: latencies.length ? Math.round(latencies.at(-1)!) : null },
      // Of it: the event to its run's start (delivery to the subscriber), the run's start to its first step (queue).
      triggerToRunStartMs: part(rows.map((r) => Number(r.delivery))),
      runStartToFirstStepMs: part(rows.map((r) => Number(r.queue))),
      ...(args.series ? { p95By10s: p95By10s(rows) } : {}),
      loadAverage: { before: loadBefore, after: loadAverage() },
    };
    console.log(JSON.stringify(summary));
  }
} finally {
  agent.destroy();
  for (const server of servers) await server.stop();
  if (args.keep) {
    await pg.database.close();
    log(`database kept: ${pg.url}`);
  } else await pg.drop();
}
