// Two gateway instances on one PostgreSQL database: the plugin host's share of a run across them (docs/plugins/
// api-reference.md, "Subscribers: interest"; docs/performance.md, "Session 10: the host's share").
// - The subscriber's interest: a workflow published on one instance is heard by the other, with Redis (the event bus)
//   and without it (the database's notifications): the other's next "customer created" starts a run, even when that
//   instance had read the workspace's interest just before (no workflow then) and skipped events under it.
// - The queue's wake-up: work queued on one instance wakes the other's idle workers through LISTEN/NOTIFY. The
//   second instance polls once a minute here, so a step it runs within the test was woken, not polled for.
import { randomUUID } from 'node:crypto';
import { CommandRunner, createCustomer, createWorkspace } from '@crm/core';
import { type Database, fromPool } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { createGateway, createLogger, type Gateway } from '@crm/gateway';
import { createPluginHost, type PluginRuntime } from '@crm/plugin-sdk/host';
import { TestClient } from '@crm/plugin-testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowsPlugin } from '../src/index.js';
import { CREATE, CUSTOMER, ENABLE, PUBLISH, RUNS, type RunView, until } from './support.js';

const REDIS = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
/** Longer than any test here: a step run within a test was not found by a poll. */
const POLL_MS = 60_000;

let postgres: TestPostgres;
const closing: (() => Promise<void>)[] = [];

beforeAll(async () => {
  postgres = await createTestPostgres(createPluginHost([workflowsPlugin()]).migrations);
}, 120_000);
afterAll(async () => {
  for (const close of closing.reverse()) await close();
  await postgres?.drop();
});

/** A database handle of its own (its own pool and listening connection), as a separate process has. */
function ownDatabase(): Database {
  const database = fromPool(new pg.Pool({ connectionString: postgres.url, max: 5 }));
  closing.push(() => database.close());
  return database;
}

/** A gateway instance on the shared database: its own pool, the workflows plugin polling once a minute. */
async function instance(redisPrefix: string | null, apiKey: string): Promise<{ gateway: Gateway; client: TestClient }> {
  const gateway = createGateway({
    database: ownDatabase(),
    plugins: createPluginHost([workflowsPlugin({ pollMs: POLL_MS })]),
    ...(redisPrefix ? { redis: { url: REDIS, channelPrefix: redisPrefix } } : {}),
    clvRefresh: false,
    monthEndSnapshots: false,
    logger: createLogger('error'),
  });
  const url = await gateway.listen(0);
  closing.push(() => gateway.close(1000));
  await (gateway.bus as { ready?: () => Promise<void> }).ready?.();
  return { gateway, client: new TestClient(url, apiKey) };
}


const runsOf = async (client: TestClient, id: string) => (await client.query(RUNS, { id })).workflowRuns as RunView[];

async function onCreated(client: TestClient, name: string): Promise<string> {
  const definition = { trigger: { kind: 'record', object: 'Customer', on: 'created', condition: { name: { startsWith: name } } }, steps: [{ id: 't', kind: 'addTag', tag: 'seen' }] };
  const id = (await client.query(CREATE, { name, definition })).createWorkflow.workflow.id as string;
  await client.query(PUBLISH, { id });
  await client.query(ENABLE, { id, enabled: true });
  return id;
}

/** Delivery marks of the workflows subscriber for events about this customer (global id). */
async function marksFor(customer: string): Promise<number> {
  const rowId = Buffer.from(customer, 'base64').toString().split(':')[1];
  const rows = await postgres.database.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "PluginDelivery" d JOIN "Event" e ON e.id = d."eventId" WHERE d."pluginId" = 'workflows' AND e."subjectId" = $1::uuid`,
    [rowId],
  );
  return Number(rows[0]!.n);
}

describe.each([
  { bus: 'Redis and notifications', redis: true },
  { bus: 'notifications alone (no Redis)', redis: false },
])('a workflow published on one instance, heard by the other ($bus)', ({ redis }) => {
  it('the other instance starts it on its next "customer created"; the customer before it is not delivered', async () => {
    const prefix = redis ? `s10wh-${randomUUID()}:` : null;
    const { apiKey } = await createWorkspace(postgres.database.prisma, { name: `Instances ${prefix ?? 'notify'}` });
    const a = await instance(prefix, apiKey);
    const b = await instance(prefix, apiKey);
    const name = `Heard ${redis ? 'bus' : 'notify'}`;
    // B reads the workspace's interest now (no workflow listens): its customer is not delivered, and B keeps that.
    const before = (await b.client.query(CUSTOMER, { name: `${name} before` })).createCustomer.customer.id as string;
    await b.gateway.plugins!.settled();
    expect(await marksFor(before)).toBe(0);
    const id = await onCreated(a.client, name);
    const after = (await b.client.query(CUSTOMER, { name: `${name} after` })).createCustomer.customer.id as string;
    const [run] = await until(async () => {
      const runs = await runsOf(a.client, id);
      return runs.length && runs.every((r) => r.status === 'SUCCEEDED') ? runs : undefined;
    }, 20_000);
    expect(run!.recordId).toBe(after);
    await b.gateway.plugins!.settled();
    expect(await runsOf(a.client, id)).toHaveLength(1);
    expect(await marksFor(before)).toBe(0);
  });
});

describe('queue work wakes the other instances (LISTEN/NOTIFY)', () => {
  it('a run started on an instance without queue workers is run by the other, idle one at once', async () => {
    const { apiKey, workspaceId } = await createWorkspace(postgres.database.prisma, { name: 'Woken' });
    const b = await instance(null, apiKey);
    const id = await onCreated(b.client, 'Woken');
    // Instance A: the plugin host without queue workers, in a process of its own (its own pool and listener).
    const database = ownDatabase();
    const host = createPluginHost([workflowsPlugin({ pollMs: POLL_MS })]);
    let runtime: PluginRuntime | null = null;
    const runner = new CommandRunner({ prisma: database.prisma, beforeCommit: [host.commitHook], pluginObjects: host.objects, onCommitted: (events) => runtime?.dispatch(events) });
    runtime = host.start({ runner, prisma: database.prisma, notifications: database.notifications, queueWorkers: false, jobTimers: false });
    closing.push(() => runtime!.stop());
    // B's workers are idle (nothing was due), waiting for their minute's poll or a wake-up.
    await b.gateway.plugins!.settled();
    const customer = await createCustomer(runner.callerFor({ workspaceId, role: 'ADMIN', actor: 'test' }), { name: 'Woken one' });
    await runtime.settled(); // A delivered the event: the run and its first step are queued, and B was told
    const [run] = await until(async () => {
      const runs = await runsOf(b.client, id);
      return runs[0]?.status === 'SUCCEEDED' ? runs : undefined;
    }, 20_000);
    expect(Buffer.from(run!.recordId!, 'base64').toString().split(':')[1]).toBe(customer.id);
  });
});
