import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { createWorkspace } from '@crm/core';
import { type Database, openDatabase } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import type { RedisEventBus } from '../src/live/redis-event-bus.js';
import { silentLogger } from '../src/logger.js';
import { openWsClient, SubscriptionCollector, TestClient } from '../src/testing/index.js';

// Scale-out: gateway instances on one PostgreSQL database and one Redis. Each instance has its own connection
// pool, as separate processes would. The machine's Redis carries the fan-out test; a Redis of the test's own (on a
// spare port) is stopped and restarted mid-test for the outage test.

const SHARED_REDIS = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const CREATE = `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`;
const EVENTS = `subscription ($after: String) { events(types: ["customer.created"], after: $after) { cursor payload } }`;
interface EventData {
  events: { cursor: string; payload: { name: string } };
}

interface Instance {
  gateway: Gateway;
  database: Database;
  url: string;
  wsUrl: string;
}

let pg: TestPostgres;
const instances: Instance[] = [];

async function startInstance(redisUrl: string, channelPrefix: string): Promise<Instance> {
  const database = await openDatabase({ kind: 'postgres', url: pg.url, poolSize: 5 }, { migrate: false });
  const gateway = createGateway({
    database,
    logger: silentLogger,
    redis: { url: redisUrl, channelPrefix },
    relay: { staleAfterMs: 300, intervalMs: 100 },
  });
  const url = await gateway.listen(0);
  await (gateway.bus as RedisEventBus).ready();
  const instance = { gateway, database, url, wsUrl: `${url.replace(/^http/, 'ws')}/graphql` };
  instances.push(instance);
  return instance;
}

/** Polls until `condition` holds. The deadline (half the test's timeout) only bounds a failing test: load cannot trip it. */
async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function subscribe(instance: Instance, apiKey: string, variables: Record<string, unknown> = {}) {
  const client = openWsClient(instance.wsUrl, apiKey);
  const before = instance.gateway.liveSubscribers;
  const sub = new SubscriptionCollector<EventData>(client, EVENTS, variables);
  await waitFor(() => instance.gateway.liveSubscribers > before);
  return { client, sub };
}

const names = (results: EventData[]) => results.map((r) => r.events.payload.name);
/** Events of the workspace (of one type, or all) still in the outbox: not handed to Redis yet. */
const unpublished = (instance: Instance, workspaceId: string, type?: string) =>
  instance.database.sql
    .query<{ count: number }>(
      `SELECT count(*)::int AS count FROM "EventOutbox" o JOIN "Event" e ON e.id = o."eventId" WHERE e."workspaceId" = $1::uuid AND ($2::text IS NULL OR e.type = $2)`,
      [workspaceId, type ?? null],
    )
    .then((rows) => rows[0]!.count);

beforeAll(async () => {
  pg = await createTestPostgres();
});
// Each test's instances stop with it. Left running, the first test's instances (on the machine's Redis, which stays
// up) relayed the outage test's waiting events from the shared database: the outbox then held fewer than expected.
afterEach(async () => {
  for (const instance of instances.splice(0)) {
    await instance.gateway.close(1000);
    await instance.database.close();
  }
});
afterAll(async () => {
  await pg?.drop();
});

describe('scale-out through Redis', () => {
  it('a mutation on instance 2 reaches a subscriber on instance 1, once, in order', async () => {
    const prefix = `crm-test-${randomUUID()}:`;
    const one = await startInstance(SHARED_REDIS, prefix);
    const two = await startInstance(SHARED_REDIS, prefix);
    const ws = await createWorkspace(one.database.prisma, { name: 'Scale-out' });
    const other = await createWorkspace(one.database.prisma, { name: 'Someone else' });

    const first = await subscribe(one, ws.apiKey);
    const { sub } = first;
    const second = await subscribe(one, ws.apiKey);
    // One Redis subscription per instance, however many subscribers it serves.
    const numsub = execFileSync('redis-cli', ['-u', SHARED_REDIS, 'pubsub', 'numsub', `${prefix}events`], { encoding: 'utf8' });
    expect(numsub.trim().split('\n')).toEqual([`${prefix}events`, '2']);
    const viaTwo = new TestClient(two.url, ws.apiKey);
    await new TestClient(two.url, other.apiKey).query(CREATE, { input: { name: 'Not yours' } });
    for (const name of ['From two 1', 'From two 2']) await viaTwo.query(CREATE, { input: { name } });
    await new TestClient(one.url, ws.apiKey).query(CREATE, { input: { name: 'From one' } });

    expect(names(await sub.take(3))).toEqual(['From two 1', 'From two 2', 'From one']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sub.results).toHaveLength(3); // no duplicates, nothing of the other workspace
    expect(names(second.sub.results)).toEqual(names(sub.results));
    for (const subscriber of [first, second]) {
      subscriber.sub.dispose();
      await subscriber.client.dispose();
    }
  });

  it('keeps working while Redis is down, and loses nothing once it is back', async () => {
    const redis = await OwnRedis.start();
    try {
      const prefix = `crm-test-${randomUUID()}:`;
      const one = await startInstance(redis.url, prefix);
      const two = await startInstance(redis.url, prefix);
      const ws = await createWorkspace(one.database.prisma, { name: 'Outage' });
      const viaTwo = new TestClient(two.url, ws.apiKey);
      const live = await subscribe(one, ws.apiKey);
      await viaTwo.query(CREATE, { input: { name: 'Before' } });
      const [before] = await live.sub.take(1);
      // Its mark is written after the publish (and, if that publish outran its timeout on a loaded machine, by the
      // relay): wait for it, so that the outbox below holds exactly what the outage kept back.
      await waitFor(async () => (await unpublished(one, ws.workspaceId)) === 0);

      await redis.stop();
      // Both instances have seen Redis go (a publish before that could still reach the dying server).
      await waitFor(() => [one, two].every((instance) => !(instance.gateway.bus as RedisEventBus).connected));
      const during = ['During 1', 'During 2', 'During 3'];
      for (const name of during) await viaTwo.query(CREATE, { input: { name } }); // mutations still succeed
      // Not handed to Redis, so not marked published: the outbox keeps them.
      expect(await unpublished(one, ws.workspaceId, 'customer.created')).toBe(3);
      expect(await viaTwo.query('{ customers(first: 10) { totalCount } }')).toEqual({ customers: { totalCount: 4 } });

      await redis.restart();
      await viaTwo.query(CREATE, { input: { name: 'After' } });

      const expected = ['Before', ...during, 'After'];
      expect(names(await live.sub.take(5))).toEqual(expected);
      // A subscriber that was away during the outage resumes with `after`.
      const again = await subscribe(one, ws.apiKey, { after: before!.events.cursor });
      expect(names(await again.sub.take(4))).toEqual(expected.slice(1));
      // Everything ends up published, and nobody got anything twice.
      await waitFor(async () => (await unpublished(one, ws.workspaceId)) === 0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(names(live.sub.results)).toEqual(expected);
      expect(names(again.sub.results)).toEqual(expected.slice(1));
      live.sub.dispose();
      again.sub.dispose();
      await live.client.dispose();
      await again.client.dispose();
    } finally {
      await redis.stop();
    }
  });
});

/**
 * A redis-server of the test's own on a free port, without persistence: a child process whose readiness and end are
 * awaited as events (its "Ready to accept connections" line, its exit), not polled.
 */
class OwnRedis {
  private server: ChildProcess | null = null;
  private constructor(readonly port: number) {}
  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.restart();
    return redis;
  }

  async restart(): Promise<void> {
    const server = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.server = server;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      // Read on after "ready" too, so that the server never blocks on a full pipe.
      server.stdout!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Ready to accept connections')) resolve();
      });
      server.stderr!.resume();
      server.once('error', reject);
      server.once('exit', (code) => reject(new Error(`redis-server on port ${this.port} exited (${code}) before it was ready:\n${log}`)));
    });
  }

  /** An outage: the server is killed (not asked to shut down, which a busy server may answer late) and gone. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = once(server, 'exit');
    server.kill('SIGKILL');
    await exited;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
