// Runs survive the gateway: real gateway processes on PostgreSQL, killed with SIGKILL in the middle of a run. What the
// docs promise (docs/plugins/workflows.md, "Durability"): a step that finished before the kill (a task created) is not
// done again; a database step killed inside its transaction left nothing, and is done once after a restart; a wait
// is a due time in the database, so it ends after a restart; an HTTP step interrupted mid-request
// is sent again (it is idempotent: the same idempotency key); an email interrupted mid-send is not (it may have gone:
// the run fails saying so); two gateways sharing the queue both do steps, and run every step once.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { createWorkspace } from '@crm/core';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import loyalty from '@crm/plugin-loyalty';
import { createPluginHost } from '@crm/plugin-sdk/host';
import { TestClient } from '@crm/plugin-testing';
import pgClient from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflows } from '../src/index.js';
import { type GatewayProcess, killGatewayProcess, startGatewayProcess } from './gateway-process.js';
import { CREATE, CUSTOMER, ENABLE, PUBLISH, RUN, RUNS, type RunView, startReceiver, until } from './support.js';

const LEASE_MS = 1500;

/** `npm start`'s entry point on the test database, with the workflows plugin and a short step lease. */
const startGateway = (databaseUrl: string, smtpUrl: string): Promise<GatewayProcess> =>
  startGatewayProcess(databaseUrl, {
    CRM_PLUGINS: 'workflows,loyalty',
    WORKFLOWS_LEASE_MS: String(LEASE_MS),
    WORKFLOWS_POLL_MS: '100',
    WORKFLOWS_SMTP_URL: smtpUrl,
    // A send stays claimed for its time limit plus the lease: a killed gateway's email step is found after that.
    WORKFLOWS_SMTP_TIMEOUT_MS: '10000',
  });

const kill = killGatewayProcess;

let pg: TestPostgres;
let apiKey: string;
const running: GatewayProcess[] = [];
let hold = false;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const held: (() => void)[] = [];
let smtp: Awaited<ReturnType<typeof startSilentSmtp>>;

/**
 * A mail server that accepts connections and never answers (no greeting): a `sendEmail` step stays mid-send until its
 * gateway is killed. Counts the connections: each is a try to send.
 */
async function startSilentSmtp() {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The process (of `pids`) whose TCP socket has local port `port` (Linux: /proc/net/tcp, then each process's fds). */
function processOfPort(port: number, pids: readonly number[]): number | null {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns.length > 9 && parseInt(columns[1]!.split(':')[1]!, 16) === port) inodes.add(columns[9]!);
    }
  }
  for (const pid of pids) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const socket = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (socket && inodes.has(socket)) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

/** An HTTP receiver that records which gateway process sent each request (by the request's socket). */
async function startAttributingReceiver(pids: () => readonly number[]) {
  const senders: (number | null)[] = [];
  const keys: string[] = [];
  const server = http.createServer((request, response) => {
    senders.push(processOfPort(request.socket.remotePort!, pids()));
    keys.push(String(request.headers['idempotency-key']));
    request.resume();
    request.on('end', () => response.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`,
    senders,
    keys,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  pg = await createTestPostgres(createPluginHost([workflows, loyalty]).migrations);
  apiKey = (await createWorkspace(pg.database.prisma, { name: 'Durable' })).apiKey;
  receiver = await startReceiver(() => 200, () => (hold ? new Promise<void>((release) => held.push(release)) : Promise.resolve()));
  smtp = await startSilentSmtp();
}, 120_000);
afterAll(async () => {
  for (const gateway of running) await kill(gateway);
  for (const release of held) release();
  await receiver?.close();
  await smtp?.close();
  await pg?.drop();
});

async function started(): Promise<{ gateway: GatewayProcess; client: TestClient }> {
  const gateway = await startGateway(pg.url, smtp.url);
  running.push(gateway);
  return { gateway, client: new TestClient(gateway.url, apiKey) };
}


async function manualWorkflow(client: TestClient, steps: unknown[]): Promise<string> {
  const id = (await client.query(CREATE, { name: `Durable ${Math.random()}`, definition: { trigger: { kind: 'manual', object: 'Customer' }, steps } })).createWorkflow.workflow.id;
  await client.query(PUBLISH, { id });
  await client.query(ENABLE, { id, enabled: true });
  return id;
}

const runs = async (client: TestClient, id: string) => (await client.query(RUNS, { id })).workflowRuns as RunView[];

const tasksTitled = (title: string) => pg.database.prisma.task.count({ where: { title } });

describe('durable runs on PostgreSQL', () => {
  it('kill -9 during a wait and during an HTTP step: the task made before is not made again, the wait ends, the request is sent again with the same key', async () => {
    const first = await started();
    const id = await manualWorkflow(first.client, [
      { id: 'task', kind: 'createTask', title: 'Durable task' },
      { id: 'pause', kind: 'wait', for: { seconds: 2 } },
      { id: 'call', kind: 'httpRequest', url: receiver.url, body: { name: '{{trigger.record.name}}' } },
      { id: 'tag', kind: 'addTag', tag: 'done' },
    ]);
    const customer = (await first.client.query(CUSTOMER, { name: 'Dura Bull' })).createCustomer.customer.id;
    await first.client.query(RUN, { id, recordId: customer });
    await until(async () => ((await runs(first.client, id))[0]?.status === 'WAITING' ? true : undefined));
    expect(await tasksTitled('Durable task')).toBe(1);
    // Killed while the run waits: nothing of the wait was in that process; the task step is done and stays done.
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
    expect(run!.steps.map((s) => [s.stepId, s.status, s.attempts])).toEqual([
      ['task', 'SUCCEEDED', 1],
      ['pause', 'SUCCEEDED', 1],
      ['call', 'SUCCEEDED', 2],
      ['tag', 'SUCCEEDED', 1],
    ]);
    // Two restarts later, the task step (not idempotent) was done once.
    expect(await tasksTitled('Durable task')).toBe(1);
    await kill(third.gateway);
  }, 120_000);

  it('kill -9 inside a database steps’ transaction: nothing of it is kept, and the next gateway does the steps once', async () => {
    const first = await started();
    const id = await manualWorkflow(first.client, [
      { id: 'task', kind: 'createTask', title: 'Inside the transaction' },
      { id: 'phone', kind: 'updateRecord', values: { phone: '+1 555 0199' } },
    ]);
    const customer = (await first.client.query(CUSTOMER, { name: 'Tess Transaction' })).createCustomer.customer.id as string;
    const customerId = Buffer.from(customer, 'base64').toString('utf8').split(':')[1]!;
    // The test holds the customer's row: the steps' one transaction (the task created, then the customer updated) waits
    // for it, inside, when the gateway is killed — deterministically, not a kill timed to land somewhere.
    const own = new pgClient.Client({ connectionString: pg.url });
    await own.connect();
    try {
      await own.query('BEGIN');
      // NO KEY UPDATE: the task's foreign key to the customer passes (it is created), the customer's update waits.
      await own.query(`SELECT id FROM "Customer" WHERE id = $1::uuid FOR NO KEY UPDATE`, [customerId]);
      await first.client.query(RUN, { id, recordId: customer });
      // The steps' transaction waits for the test's lock (the backend it blocks).
      await until(async () => {
        const { rows } = await own.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))`);
        return Number(rows[0]!.n) > 0 ? true : undefined;
      });
      // Inside the transaction: its task was created, not committed.
      expect(await tasksTitled('Inside the transaction')).toBe(0);
      await kill(first.gateway);
      await own.query('COMMIT');
    } finally {
      await own.end();
    }
    // The killed gateway's transaction rolled back (its connection gone): no task, no change, the step due again after
    // its lease.
    const second = await started();
    const [run] = await until(async () => {
      const found = await runs(second.client, id);
      return found[0]?.status === 'SUCCEEDED' ? found : undefined;
    });
    expect(run!.steps.map((s) => [s.stepId, s.status, s.attempts])).toEqual([
      ['task', 'SUCCEEDED', 1],
      ['phone', 'SUCCEEDED', 1],
    ]);
    expect(await tasksTitled('Inside the transaction')).toBe(1);
    expect((await pg.database.prisma.customer.findUnique({ where: { id: customerId } }))?.phone).toBe('+1 555 0199');
    // Claimed twice: by the killed gateway, then after its lease by the next.
    const [claims] = await pg.database.prisma.$queryRawUnsafe<{ claims: number }[]>(
      `SELECT s.claims FROM "WorkflowStepRun" s JOIN "WorkflowRun" r ON r.id = s."runId" WHERE r."workflowId" = $1::uuid AND s."stepId" = 'task'`,
      Buffer.from(id, 'base64').toString('utf8').split(':')[1]!,
    );
    expect(Number(claims!.claims)).toBe(2);
    await kill(second.gateway);
  }, 120_000);

  it('kill -9 while an email is being sent: it is not sent again (not idempotent), the run fails saying so, the step before stays done once', async () => {
    const first = await started();
    const id = await manualWorkflow(first.client, [
      { id: 'task', kind: 'createTask', title: 'Before the email' },
      { id: 'mail', kind: 'sendEmail', to: 'once@example.com', subject: 'Once', text: 'Only once' },
      { id: 'after', kind: 'addTag', tag: 'mailed' },
    ]);
    const customer = (await first.client.query(CUSTOMER, { name: 'Emma Mail' })).createCustomer.customer.id;
    await first.client.query(RUN, { id, recordId: customer });
    // The email step is mid-send: its gateway has connected to the mail server, which never answers.
    await until(async () => (smtp.connections() === 1 ? true : undefined));
    await kill(first.gateway);
    const second = await started();
    const [run] = await until(async () => {
      const found = await runs(second.client, id);
      return found[0]?.status === 'FAILED' ? found : undefined;
    });
    expect(run!.steps.map((s) => [s.stepId, s.status, s.attempts])).toEqual([
      ['task', 'SUCCEEDED', 1],
      ['mail', 'FAILED', 1],
    ]);
    expect(run!.steps[1]!.error).toBe('Interrupted while sending; not sent again because this step is not idempotent');
    expect(smtp.connections()).toBe(1);
    expect(await tasksTitled('Before the email')).toBe(1);
    await kill(second.gateway);
  }, 120_000);

  it('two gateways share the steps of many runs: both do steps, none runs twice', async () => {
    const [a, b] = [await started(), await started()];
    const pids = [a.gateway.child.pid!, b.gateway.child.pid!];
    const attributing = await startAttributingReceiver(() => pids);
    try {
      const id = await manualWorkflow(a.client, [
        { id: 'call', kind: 'httpRequest', url: attributing.url, body: { name: '{{trigger.record.name}}' } },
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
      expect(attributing.keys).toHaveLength(count);
      expect(new Set(attributing.keys).size).toBe(count);
      // Each request came from one of the two gateways, and each gateway sent some.
      expect(attributing.senders.filter((pid) => pid === null)).toEqual([]);
      expect(new Set(attributing.senders)).toEqual(new Set(pids));
    } finally {
      await attributing.close();
      await kill(a.gateway);
      await kill(b.gateway);
    }
  }, 120_000);
});
