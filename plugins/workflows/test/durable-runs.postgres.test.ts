// Runs survive the gateway: real gateway processes on PostgreSQL, killed with SIGKILL in the middle of a run. A wait
// is a due time in the database, so it ends after a restart; an HTTP step interrupted mid-request is sent again (it
// is idempotent: the same idempotency key); two gateways sharing the queue run every step once.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { createWorkspace } from '@crm/core';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import loyalty from '@crm/plugin-loyalty';
import { createPluginHost } from '@crm/plugin-sdk/host';
import { TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflows } from '../src/index.js';
import { CREATE, ENABLE, PUBLISH, RUNS, type RunView, startReceiver, until } from './support.js';

const main = fileURLToPath(new URL('../../../apps/gateway/dist/main.js', import.meta.url));
const LEASE_MS = 1500;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface GatewayProcess {
  url: string;
  child: ChildProcess;
}

/** `npm start`'s entry point on the test database, with the workflows plugin and a short step lease. */
async function startGateway(databaseUrl: string): Promise<GatewayProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      CRM_PLUGINS: 'workflows,loyalty',
      CRM_WEBHOOKS_ALLOW_PRIVATE: '1',
      CRM_DEMO: '0',
      CRM_WARM_UP: '0',
      LOG_LEVEL: 'error',
      WORKFLOWS_LEASE_MS: String(LEASE_MS),
      WORKFLOWS_POLL_MS: '100',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(`${url}/ready`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    if (tries > 600 || child.exitCode !== null) throw new Error('the gateway did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function kill(gateway: GatewayProcess): Promise<void> {
  if (gateway.child.exitCode !== null || gateway.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    gateway.child.once('exit', () => resolve());
    gateway.child.kill('SIGKILL');
  });
}

let pg: TestPostgres;
let apiKey: string;
const running: GatewayProcess[] = [];
let hold = false;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const held: (() => void)[] = [];

beforeAll(async () => {
  pg = await createTestPostgres(createPluginHost([workflows, loyalty]).migrations);
  apiKey = (await createWorkspace(pg.database.prisma, { name: 'Durable' })).apiKey;
  receiver = await startReceiver(() => 200, () => (hold ? new Promise<void>((release) => held.push(release)) : Promise.resolve()));
}, 120_000);
afterAll(async () => {
  for (const gateway of running) await kill(gateway);
  for (const release of held) release();
  await receiver?.close();
  await pg?.drop();
});

async function started(): Promise<{ gateway: GatewayProcess; client: TestClient }> {
  const gateway = await startGateway(pg.url);
  running.push(gateway);
  return { gateway, client: new TestClient(gateway.url, apiKey) };
}


async function manualWorkflow(client: TestClient, steps: unknown[]): Promise<string> {
  const id = (await client.query(CREATE, { name: `Durable ${Math.random()}`, definition: { trigger: { kind: 'manual', object: 'Customer' }, steps } })).createWorkflow.workflow.id;
  await client.query(PUBLISH, { id });
  await client.query(ENABLE, { id, enabled: true });
  return id;
}

const RUN = `mutation ($id: ID!, $recordId: ID!) { runWorkflow(input: { id: $id, recordId: $recordId }) { run { id } } }`;
const CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
const runs = async (client: TestClient, id: string) => (await client.query(RUNS, { id })).workflowRuns as RunView[];

describe('durable runs on PostgreSQL', () => {
  it('a wait survives kill -9; an HTTP step interrupted by kill -9 is sent again with the same idempotency key', async () => {
    const first = await started();
    const id = await manualWorkflow(first.client, [
      { id: 'pause', kind: 'wait', for: { seconds: 2 } },
      { id: 'call', kind: 'httpRequest', url: receiver.url, body: { name: '{{trigger.record.name}}' } },
      { id: 'tag', kind: 'addTag', tag: 'done' },
    ]);
    const customer = (await first.client.query(CUSTOMER, { name: 'Dura Bull' })).createCustomer.customer.id;
    await first.client.query(RUN, { id, recordId: customer });
    await until(async () => ((await runs(first.client, id))[0]?.status === 'WAITING' ? true : undefined));
    // Killed while the run waits: nothing of the wait was in that process.
    await kill(first.gateway);
    hold = true; // the receiver now holds the first request open
    const second = await started();
    await until(async () => (receiver.received.length === 1 ? true : undefined));
    // Killed while the HTTP request is in flight: the step may or may not have reached the receiver's system.
    await kill(second.gateway);
    hold = false;
    const third = await started();
    const [run] = await until(async () => {
      const found = await runs(third.client, id);
      return found[0]?.status === 'SUCCEEDED' ? found : undefined;
    });
    const call = run!.steps.find((s) => s.stepId === 'call')!;
    expect(call.attempts).toBe(2);
    expect(receiver.received).toHaveLength(2);
    const keys = receiver.received.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(1);
    expect(run!.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['pause', 'SUCCEEDED'],
      ['call', 'SUCCEEDED'],
      ['tag', 'SUCCEEDED'],
    ]);
    await kill(third.gateway);
  }, 120_000);

  it('two gateways share the steps of many runs, none run twice', async () => {
    receiver.received.length = 0;
    const [a, b] = [await started(), await started()];
    const id = await manualWorkflow(a.client, [
      { id: 'call', kind: 'httpRequest', url: receiver.url, body: { name: '{{trigger.record.name}}' } },
      { id: 'tag', kind: 'addTag', tag: 'shared' },
    ]);
    const count = 30;
    for (let i = 0; i < count; i++) {
      const client = i % 2 ? a.client : b.client;
      const customer = (await client.query(CUSTOMER, { name: `Shared ${i}` })).createCustomer.customer.id;
      await client.query(RUN, { id, recordId: customer });
    }
    const finished = await until(async () => {
      const found = await runs(a.client, id);
      return found.length === count && found.every((r) => r.status === 'SUCCEEDED') ? found : undefined;
    }, 60_000);
    expect(finished.flatMap((r) => r.steps).filter((s) => s.attempts !== 1)).toEqual([]);
    expect(receiver.received).toHaveLength(count);
    expect(new Set(receiver.received.map((r) => r.headers['idempotency-key'])).size).toBe(count);
    await kill(a.gateway);
    await kill(b.gateway);
  }, 120_000);
});
