// The live-delivery benchmark of docs/performance.md (issue 3): N graphql-ws subscribers on one gateway, real
// mutations at a fixed rate, and how long each committed event takes to reach every subscriber. Usage (repo root):
//   npm run bench:live -- [--subscribers 1000] [--rate 100] [--duration 20] [--workspaces 1] [--postgres] [--redis]
// --workspaces N spreads subscribers and mutations evenly over N workspaces (each subscriber gets its own
// workspace's events only): 1 is the worst case, every subscriber receiving every event.
// Default: one gateway on a throwaway embedded database (PGlite, memory://). --postgres: PostgreSQL (PG_BENCH_URL's
// server, database crm_bench_live, created once, never dropped). --redis (implies --postgres): two gateways sharing
// Redis (REDIS_URL, default redis://127.0.0.1:6379): mutations go to the second, subscribers sit on the first.
// Progress on stderr; one JSON summary line on stdout. LIVE_BENCH_CPU_PROF=<dir> profiles the gateway processes.
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ensurePostgresDatabase } from './bench-database.js';
import type { BenchSetup, GatewayMessage, ParentMessage } from './live-gateway.js';

const { values: args } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '100' },
    duration: { type: 'string', default: '20' },
    workspaces: { type: 'string', default: '1' },
    postgres: { type: 'boolean', default: false },
    redis: { type: 'boolean', default: false },
  },
});
const subscriberCount = Number(args.subscribers);
const rate = Number(args.rate);
const durationS = Number(args.duration);
const workspaceCount = Number(args.workspaces);
const useRedis = args.redis;
const usePostgres = args.postgres || useRedis;
const log = (line: string) => process.stderr.write(`[bench:live] ${line}\n`);
const now = () => performance.timeOrigin + performance.now();

// ---- gateways ---------------------------------------------------------------------------------------------------
interface GatewayProcess {
  child: ChildProcess;
  url: string;
  setup: BenchSetup | null;
  ask<K extends GatewayMessage['kind']>(message: ParentMessage, reply: K): Promise<Extract<GatewayMessage, { kind: K }>>;
}

const commitTimes = new Map<string, number>();
/** Events committed per workspace (index into the setup's workspaces). */
const committedIn = new Map<string, number>();

async function startGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const child = fork(new URL('./live-gateway.js', import.meta.url), [], {
    // LIVE_BENCH_CPU_PROF=<dir>: write a CPU profile of each gateway process there (node --cpu-prof).
    execArgv: process.env.LIVE_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LIVE_BENCH_CPU_PROF}`] : [],
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const waiters = new Map<string, ((message: GatewayMessage) => void)[]>();
  child.on('message', (message: GatewayMessage) => {
    if (message.kind === 'committed') {
      for (const [id, workspaceId, at] of message.events) {
        commitTimes.set(id, at);
        committedIn.set(workspaceId, (committedIn.get(workspaceId) ?? 0) + 1);
      }
    }
    for (const resolve of waiters.get(message.kind)?.splice(0) ?? []) resolve(message);
  });
  const next = <K extends GatewayMessage['kind']>(kind: K) =>
    new Promise<Extract<GatewayMessage, { kind: K }>>((resolve, reject) => {
      waiters.set(kind, [...(waiters.get(kind) ?? []), resolve as (message: GatewayMessage) => void]);
      child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    });
  const ready = await next('ready');
  return {
    child,
    url: ready.url,
    setup: ready.setup,
    ask: (message, reply) => {
      const answer = next(reply);
      child.send(message);
      return answer;
    },
  };
}

const databaseEnv: Record<string, string> = usePostgres
  ? { DATABASE_URL: await ensurePostgresDatabase(process.env.PG_BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', 'crm_bench_live') }
  : { CRM_DATA_DIR: 'memory://' };
const redisEnv: Record<string, string> = useRedis
  ? { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_CHANNEL_PREFIX: `crm-bench-${randomUUID()}:` }
  : {};
log(`starting the gateway on ${usePostgres ? 'PostgreSQL' : 'PGlite'}${useRedis ? ' + a second one, through Redis' : ''}`);
const subscriberHost = await startGateway({ ...databaseEnv, ...redisEnv, LIVE_BENCH_SETUP: '1', LIVE_BENCH_WORKSPACES: String(workspaceCount) });
const mutationHost = useRedis ? await startGateway({ ...databaseEnv, ...redisEnv }) : subscriberHost;
const { workspaces } = subscriberHost.setup!;

// ---- subscribers ------------------------------------------------------------------------------------------------
const SUBSCRIPTION = `subscription { events(types: ["customer.updated"]) { id cursor } }`;
const seqOf = (cursor: string) => Number(Buffer.from(cursor, 'base64url').toString().slice('event:'.length));

/** Receipt times per event id, one slot per subscriber that got it. */
const receipts = new Map<string, number[]>();
interface SubscriberState {
  workspaceId: string;
  lastSeq: number;
  received: number;
  duplicates: number;
  outOfOrder: number;
}
const states: SubscriberState[] = [];
const clients: Client[] = [];
let subscriptionErrors = 0;
const wsUrl = `${subscriberHost.url.replace(/^http/, 'ws')}/graphql`;

log(`connecting ${subscriberCount} graphql-ws subscribers`);
for (let i = 0; i < subscriberCount; i++) {
  const workspace = workspaces[i % workspaces.length]!;
  const state: SubscriberState = { workspaceId: workspace.workspaceId, lastSeq: 0, received: 0, duplicates: 0, outOfOrder: 0 };
  states.push(state);
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams: { authorization: `Bearer ${workspace.apiKey}` },
  });
  clients.push(client);
  client.subscribe<{ events: { id: string; cursor: string } }>(
    { query: SUBSCRIPTION },
    {
      next: ({ data }) => {
        const at = now();
        if (!data) return;
        const { id, cursor } = data.events;
        const seq = seqOf(cursor);
        if (seq <= state.lastSeq) {
          state.duplicates++;
          return;
        }
        if (state.lastSeq && seq !== state.lastSeq + 1) state.outOfOrder++;
        state.lastSeq = seq;
        state.received++;
        let times = receipts.get(id);
        if (!times) receipts.set(id, (times = []));
        times.push(at);
      },
      error: () => subscriptionErrors++,
      complete: () => {},
    },
  );
  if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 50)); // do not stampede the accept queue
}
for (let waited = 0; ; waited += 200) {
  const { count } = await subscriberHost.ask({ kind: 'subscribers' }, 'subscribers');
  if (count >= subscriberCount) break;
  if (waited > 60_000) throw new Error(`only ${count} of ${subscriberCount} subscribers are listening after 60 s`);
  await new Promise((resolve) => setTimeout(resolve, 200));
}
log(`${subscriberCount} subscribers listening`);

// ---- load -------------------------------------------------------------------------------------------------------
const UPDATE = `mutation ($id: ID!, $name: String!) { updateCustomer(input: { id: $id, name: $name }) { customer { id } } }`;
let sent = 0;
let failed = 0;
const mutationLatency = createHistogram();
async function mutate(n: number): Promise<void> {
  const started = now();
  const workspace = workspaces[n % workspaces.length]!;
  try {
    const response = await fetch(`${mutationHost.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${workspace.apiKey}` },
      body: JSON.stringify({ query: UPDATE, variables: { id: customerIdGlobal(workspace.customerIds, n), name: `Renamed ${n}` } }),
    });
    const body = (await response.json()) as { errors?: unknown[] };
    if (body.errors?.length) failed++;
  } catch {
    failed++;
  }
  mutationLatency.record(Math.max(1, Math.round((now() - started) * 1000)));
}
const customerIdGlobal = (ids: string[], n: number) => Buffer.from(`Customer:${ids[n % ids.length]}`).toString('base64');

// Warm-up: JIT, prepared statements, connection pools; these events are not measured.
for (let i = 0; i < 20; i++) await mutate(i);
await new Promise((resolve) => setTimeout(resolve, 1000));
receipts.clear();
for (const state of states) Object.assign(state, { received: 0, duplicates: 0, outOfOrder: 0 });
commitTimes.clear();
committedIn.clear();
for (const host of new Set([subscriberHost, mutationHost])) host.child.send({ kind: 'start-measuring' } satisfies ParentMessage);

const clientLoop = monitorEventLoopDelay({ resolution: 10 });
clientLoop.enable();
log(`${rate} mutations/s for ${durationS} s`);
const inFlight = new Set<Promise<void>>();
/** An open-loop driver, but bounded: when the gateway cannot keep up, the achieved rate drops instead of a queue growing. */
const MAX_IN_FLIGHT = 50;
let throttled = 0;
const loadStart = now();
const total = Math.round(rate * durationS);
while (now() - loadStart < durationS * 1000) {
  const due = Math.min(total, Math.floor(((now() - loadStart) / 1000) * rate) + 1);
  while (sent < due) {
    if (inFlight.size >= MAX_IN_FLIGHT) {
      throttled++;
      break;
    }
    const promise = mutate(20 + sent);
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise));
    sent++;
  }
  await new Promise((resolve) => setTimeout(resolve, 2));
}
const loadSeconds = (now() - loadStart) / 1000;
await Promise.all(inFlight);
// Let the last events arrive (or not: whatever is missing 10 s after the last commit is lost).
const expectedFor = (state: SubscriberState) => committedIn.get(state.workspaceId) ?? 0;
for (let waited = 0; waited < 10_000; waited += 100) {
  if (states.every((state) => state.received >= expectedFor(state)) && commitTimes.size >= sent - failed) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
clientLoop.disable();

// ---- report -----------------------------------------------------------------------------------------------------
const [subscriberReport, mutationReport] = await Promise.all([
  subscriberHost.ask({ kind: 'report' }, 'report'),
  useRedis ? mutationHost.ask({ kind: 'report' }, 'report') : Promise.resolve(null),
]);
const delivery = createHistogram();
let unknownCommit = 0;
for (const [id, times] of receipts) {
  const committed = commitTimes.get(id);
  if (committed === undefined) {
    unknownCommit += times.length;
    continue;
  }
  for (const at of times) delivery.record(Math.max(1, Math.round((at - committed) * 1000)));
}
const events = commitTimes.size;
const received = states.reduce((sum, state) => sum + state.received, 0);
const expectedDeliveries = states.reduce((sum, state) => sum + expectedFor(state), 0);
const ms = (us: number) => Math.round(us / 10) / 100;
const summary = {
  benchmark: 'live-delivery',
  database: usePostgres ? 'postgres' : 'pglite',
  redis: useRedis,
  subscribers: subscriberCount,
  workspaces: workspaceCount,
  targetRate: rate,
  mutationsSent: sent,
  achievedRate: Math.round((sent / loadSeconds) * 10) / 10,
  /** Sends skipped because MAX_IN_FLIGHT mutations were already waiting (the gateway was the limit). */
  throttledTicks: throttled,
  events,
  failedMutations: failed,
  deliveries: received,
  expectedDeliveries,
  lost: expectedDeliveries - received,
  duplicates: states.reduce((sum, state) => sum + state.duplicates, 0),
  outOfOrder: states.reduce((sum, state) => sum + state.outOfOrder, 0),
  subscriptionErrors,
  unmatchedReceipts: unknownCommit,
  deliveryLatencyMs: { p50: ms(delivery.percentile(50)), p95: ms(delivery.percentile(95)), p99: ms(delivery.percentile(99)), max: ms(delivery.max) },
  mutationLatencyMs: { p50: ms(mutationLatency.percentile(50)), p95: ms(mutationLatency.percentile(95)), p99: ms(mutationLatency.percentile(99)) },
  gatewayEventLoopDelayMs: subscriberReport.loopDelayMs,
  gatewayRssMb: subscriberReport.rssMb,
  ...(mutationReport ? { mutationGatewayEventLoopDelayMs: mutationReport.loopDelayMs } : {}),
  // Lag beyond the monitor's 10 ms resolution (the histogram records whole intervals).
  clientEventLoopDelayMs: {
    p50: Math.max(0, ms(clientLoop.percentile(50) / 1000) - 10),
    p99: Math.max(0, ms(clientLoop.percentile(99) / 1000) - 10),
    max: Math.max(0, ms(clientLoop.max / 1000) - 10),
  },
};
log(`p95 delivery ${summary.deliveryLatencyMs.p95} ms (target ≤ 100), lost ${summary.lost}, duplicates ${summary.duplicates}`);

for (const client of clients) await client.dispose();
for (const host of new Set([subscriberHost, mutationHost])) {
  host.child.send({ kind: 'stop' } satisfies ParentMessage);
  await new Promise((resolve) => host.child.once('exit', resolve));
}
console.log(JSON.stringify(summary));
process.exit(0);
