// Webhook delivery under load (docs/performance.md, "Webhooks"): gateway instances as separate processes on one
// throwaway PostgreSQL database, `--webhooks` endpoints subscribed to `*` on a local receiver, and createCustomer
// mutations at `--rate` per second for `--duration` seconds, spread over the instances. Reports, as one JSON line on
// stdout: event-to-delivery latency (receipt time minus the event's occurredAt), delivery throughput, and events
// lost or delivered twice. Usage (from the repository root):
//   npm run bench:webhooks -- [--instances 2] [--webhooks 4] [--rate 50] [--duration 10]
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createWorkspace } from '@crm/core';
import { createTestPostgres } from '@crm/db/testing';
import { repoRoot, type RunningServer, startServer } from './servers.js';
import { freePort } from './free-port.js';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '2' },
    webhooks: { type: 'string', default: '4' },
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
  },
});
const instances = Number(args.instances);
const webhookCount = Number(args.webhooks);
const rate = Number(args.rate);
const durationS = Number(args.duration);
const log = (line: string) => process.stderr.write(`[bench:webhooks] ${line}\n`);

// The receiver: records (path, event id) → receipt time, answers 204 at once.
const received = new Map<string, number[]>();
const latencies: number[] = [];
let duplicates = 0;
const receiver = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    const now = Date.now();
    const event = JSON.parse(body) as { id: string; type: string; occurredAt: string };
    res.writeHead(204).end();
    if (event.type.startsWith('webhook.')) return;
    const key = `${req.url} ${event.id}`;
    const times = received.get(key);
    if (times) {
      duplicates++;
      times.push(now);
      return;
    }
    received.set(key, [now]);
    latencies.push(now - Date.parse(event.occurredAt));
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

/** A port nothing listens on right now (other benchmarks and gateways may run on this machine). */
const pg = await createTestPostgres();
const servers: RunningServer[] = [];
try {
  log(`database ready; starting ${instances} gateway instance(s)`);
  for (let i = 0; i < instances; i++) {
    servers.push(
      await startServer(
        `${repoRoot}apps/gateway/dist/main.js`,
        { DATABASE_URL: pg.url, CRM_DEMO: '0', CRM_WEBHOOKS_ALLOW_PRIVATE: '1', RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'error', NODE_ENV: 'production' },
        await freePort(),
        '/ready',
      ),
    );
  }
  const { apiKey, workspaceId } = await createWorkspace(pg.database.prisma, { name: 'Webhook bench' });
  const post = (server: RunningServer, query: string, variables: Record<string, unknown>) =>
    fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query, variables }),
    }).then(async (response) => {
      const result = (await response.json()) as { errors?: unknown[] };
      if (result.errors) throw new Error(JSON.stringify(result.errors));
    });
  for (let i = 0; i < webhookCount; i++) {
    await post(servers[0]!, `mutation ($i: CreateWebhookInput!) { createWebhook(input: $i) { secret } }`, { i: { url: `${receiverUrl}/hook-${i}`, eventTypes: ['*'] } });
  }

  const total = Math.round(rate * durationS);
  log(`${total} mutations at ${rate}/s over ${instances} instance(s), ${webhookCount} webhook(s) on *`);
  const started = Date.now();
  const pending: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(post(servers[n % servers.length]!, `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`, { i: { name: `Bench ${n}` } }));
  }
  await Promise.all(pending);
  const mutationsDone = Date.now();

  const events = await pg.database.prisma.event.count({ where: { workspaceId, type: { startsWith: 'customer.' } } });
  const expected = events * webhookCount;
  const deadline = Date.now() + 60_000;
  while (received.size < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const lastReceipt = Math.max(...[...received.values()].map((times) => times[0]!));
  await new Promise((resolve) => setTimeout(resolve, 1000)); // late duplicates would show up now

  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? null;
  const summary = {
    bench: 'webhooks',
    instances,
    webhooks: webhookCount,
    mutations: total,
    mutationsPerSecond: Math.round((total / (mutationsDone - started)) * 1000),
    events,
    deliveriesExpected: expected,
    delivered: received.size,
    missing: expected - received.size,
    duplicates,
    deliveriesPerSecond: Math.round((received.size / (lastReceipt - started)) * 1000),
    latencyMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: latencies.at(-1) ?? null },
  };
  console.log(JSON.stringify(summary));
} finally {
  for (const server of servers) await server.stop();
  await pg.drop();
  receiver.closeAllConnections();
  receiver.close();
}
