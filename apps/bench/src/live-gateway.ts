// One gateway process of the live-delivery benchmark (started by live-delivery.ts with an IPC channel). It serves
// like `npm start` does, and reports to its parent: when each event committed (for commit → received latency), how
// many subscribers it holds, and its own event-loop delay. Settings come from the environment:
//   DATABASE_URL or CRM_DATA_DIR, REDIS_URL (optional), PORT, LIVE_BENCH_SETUP=1 (create the workspace and customers).
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createWorkspace } from '@crm/core';
import { databaseConfigFromEnv, openDatabase } from '@crm/db';
import { createGateway, redisOptionsFromEnv, silentLogger } from '@crm/gateway';

export type GatewayMessage =
  | { kind: 'ready'; url: string; setup: BenchSetup | null }
  | { kind: 'committed'; events: [id: string, workspaceId: string, atMs: number][] }
  | { kind: 'subscribers'; count: number }
  | { kind: 'report'; loopDelayMs: { mean: number; p50: number; p99: number; max: number }; rssMb: number };
export interface BenchSetup {
  workspaces: { workspaceId: string; apiKey: string; customerIds: string[] }[];
}
export type ParentMessage = { kind: 'subscribers' } | { kind: 'start-measuring' } | { kind: 'report' } | { kind: 'stop' };

const send = (message: GatewayMessage) => process.send?.(message);
/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes of one machine. */
const now = () => performance.timeOrigin + performance.now();

const database = await openDatabase(databaseConfigFromEnv());
let setup: BenchSetup | null = null;
if (process.env.LIVE_BENCH_SETUP === '1') {
  // LIVE_BENCH_WORKSPACES workspaces (default 1), each with its own key and 200 customers to rename.
  const stamp = new Date().toISOString();
  setup = { workspaces: [] };
  for (let w = 0; w < Number(process.env.LIVE_BENCH_WORKSPACES ?? 1); w++) {
    const workspace = await createWorkspace(database.prisma, { name: `Live benchmark ${stamp} #${w + 1}` });
    const customers = await database.prisma.customer.createManyAndReturn({
      data: Array.from({ length: 200 }, (_, i) => ({ workspaceId: workspace.workspaceId, name: `Subscriber target ${i}` })),
      select: { id: true },
    });
    setup.workspaces.push({ workspaceId: workspace.workspaceId, apiKey: workspace.apiKey, customerIds: customers.map((c) => c.id) });
  }
}

// Commit times go to the parent in small batches (at 100 events/s, ten messages a second).
let pending: [string, string, number][] = [];
const flush = setInterval(() => {
  if (pending.length) send({ kind: 'committed', events: pending });
  pending = [];
}, 100);

const gateway = createGateway({
  database,
  logger: silentLogger,
  rateLimit: { perMinute: 0 },
  // Background fits would compete with the measured fan-out for the CPU.
  clvRefresh: false,
  monthEndSnapshots: false,
  redis: redisOptionsFromEnv(),
  // LIVE_FLUSH_MS: the socket write batching window to measure (the gateway's default otherwise).
  webSocket: process.env.LIVE_FLUSH_MS ? { flushWindowMs: Number(process.env.LIVE_FLUSH_MS) } : {},
  onCommitted: (events) => {
    const at = now();
    for (const event of events) pending.push([event.id, event.workspaceId, at]);
  },
});
const url = await gateway.listen(Number(process.env.PORT ?? 0));
let loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

process.on('message', async (message: ParentMessage) => {
  if (message.kind === 'subscribers') send({ kind: 'subscribers', count: gateway.liveSubscribers });
  if (message.kind === 'start-measuring') {
    loop.disable();
    loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
  }
  if (message.kind === 'report') {
    // The histogram records the whole interval between checks: the lag is what exceeds the 10 ms resolution.
    const ms = (ns: number) => Math.max(0, Math.round((ns - 10e6) / 1e4) / 100);
    send({
      kind: 'report',
      loopDelayMs: { mean: ms(loop.mean), p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
      rssMb: Math.round(process.memoryUsage().rss / 1048576),
    });
  }
  if (message.kind === 'stop') {
    clearInterval(flush);
    await gateway.close(2000);
    await database.close();
    process.exit(0);
  }
});
send({ kind: 'ready', url, setup });
