import { randomUUID } from 'node:crypto';
import { createWorkspace } from '@crm/core';
import { type Database, openDatabase } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import type { RedisEventBus } from '../src/live/redis-event-bus.js';
import { silentLogger } from '../src/logger.js';
import { openWsClient, SubscriptionCollector, TestClient } from '../src/testing/index.js';

// Sessions end on every instance: a key revoked (or its user deactivated) through one gateway closes the live
// connections it holds on another, through the event bus (Redis), without waiting for the periodic check; and a role
// changed through one gateway applies to the live subscriptions its keys hold on another.

const REDIS = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const EVENTS = `subscription { events { type } }`;

interface Instance {
  gateway: Gateway;
  database: Database;
  url: string;
  wsUrl: string;
}

let pg: TestPostgres;
const instances: Instance[] = [];
const prefix = `crm-test-${randomUUID()}:`;

async function startInstance(): Promise<Instance> {
  const database = await openDatabase({ kind: 'postgres', url: pg.url, poolSize: 4 }, { migrate: false });
  // The periodic check is pushed out of the test's reach: only the bus can end the sessions here.
  const gateway = createGateway({ database, logger: silentLogger, redis: { url: REDIS, channelPrefix: prefix }, sessionCheckMs: 600_000 });
  const url = await gateway.listen(0);
  await (gateway.bus as RedisEventBus).ready();
  const instance = { gateway, database, url, wsUrl: `${url.replace(/^http/, 'ws')}/graphql` };
  instances.push(instance);
  return instance;
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function liveConnection(instance: Instance, apiKey: string) {
  const closed: { code: number | null } = { code: null };
  const client = openWsClient(instance.wsUrl, apiKey, (code) => (closed.code = code));
  const before = instance.gateway.liveSubscribers;
  new SubscriptionCollector(client, EVENTS);
  await waitFor(() => instance.gateway.liveSubscribers > before);
  return { client, closed };
}

beforeAll(async () => {
  pg = await createTestPostgres();
});
afterAll(async () => {
  for (const instance of instances.splice(0)) {
    await instance.gateway.close(1000);
    await instance.database.close();
  }
  await pg?.drop();
});

describe('sessions end on every instance', () => {
  it('a revocation and a deactivation made on one instance close the connections held by another', async () => {
    const one = await startInstance();
    const two = await startInstance();
    const ws = await createWorkspace(one.database.prisma, { name: 'Two instances' });
    const admin = new TestClient(one.url, ws.apiKey);
    const issue = async (userId?: string) =>
      (await admin.query(`mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`, {
        input: { name: 'live', role: 'MEMBER', userId },
      })).createApiKey as { secret: string; apiKey: { id: string } };

    const revoked = await issue();
    const { createUser } = await admin.query(`mutation { createUser(input: { name: "Kim", email: "kim@example.com" }) { user { id } } }`);
    const linked = await issue(createUser.user.id);
    // Both keys verified (and cached) on instance two before anything changes.
    for (const key of [revoked, linked]) expect(await new TestClient(two.url, key.secret).query(`{ viewer { role } }`)).toEqual({ viewer: { role: 'MEMBER' } });
    const liveRevoked = await liveConnection(two, revoked.secret);
    const liveLinked = await liveConnection(two, linked.secret);
    const survivor = await liveConnection(two, ws.apiKey);

    await admin.query(`mutation ($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`, { id: revoked.apiKey.id });
    await waitFor(() => liveRevoked.closed.code !== null);
    expect(liveRevoked.closed.code).toBe(4403);
    // Instance two forgot its cached verification when it heard of the revocation.
    expect(await new TestClient(two.url, revoked.secret).errorCode(`{ viewer { role } }`)).toBe('UNAUTHENTICATED');

    await admin.query(`mutation ($id: ID!) { updateUser(input: { id: $id, active: false }) { user { id } } }`, { id: createUser.user.id });
    await waitFor(() => liveLinked.closed.code !== null);
    expect(liveLinked.closed.code).toBe(4403);
    expect(await new TestClient(two.url, linked.secret).errorCode(`{ viewer { role } }`)).toBe('UNAUTHENTICATED');

    expect(survivor.closed.code).toBeNull();
    for (const live of [liveRevoked, liveLinked, survivor]) live.client.dispose();
  });

  it('a role changed on one instance applies to the live subscriptions its keys hold on another, without reconnecting', async () => {
    const one = await startInstance();
    const two = await startInstance();
    const ws = await createWorkspace(one.database.prisma, { name: 'Role change across instances' });
    const admin = new TestClient(one.url, ws.apiKey);
    const customers = { object: 'Customer', read: true, create: true, update: true };
    const { createRole } = await admin.query(`mutation ($p: [ObjectPermissionInput!]!) { createRole(input: { name: "Reader", permissions: $p }) { role { id } } }`, { p: [customers] });
    const { createApiKey } = await admin.query(`mutation ($id: ID!) { createApiKey(input: { name: "live", roleId: $id }) { secret } }`, { id: createRole.role.id });
    const closed: { code: number | null } = { code: null };
    const client = openWsClient(two.wsUrl, createApiKey.secret, (code) => (closed.code = code));
    const before = two.gateway.liveSubscribers;
    const sub = new SubscriptionCollector<{ events: { subject: { name: string; phone: string | null } } }>(
      client,
      `subscription { events(types: ["customer.created"]) { subject { ... on Customer { name phone } } } }`,
    );
    await waitFor(() => two.gateway.liveSubscribers > before);
    const create = `mutation ($name: String!) { createCustomer(input: { name: $name, phone: "+1 555 0100" }) { customer { id } } }`;
    const { createCustomer } = await admin.query(create, { name: 'Before' });
    expect((await sub.take(1))[0]!.events.subject).toEqual({ name: 'Before', phone: '+1 555 0100' });

    await admin.query(`mutation ($id: ID!, $p: [ObjectPermissionInput!]) { updateRole(input: { id: $id, permissions: $p }) { role { id } } }`, {
      id: createRole.role.id,
      p: [{ ...customers, hiddenFields: ['phone'] }],
    });
    // Instance two hears of it on the bus (its periodic check is out of reach): the socket's next operation reads null.
    const phoneOverSocket = () =>
      new Promise<unknown>((resolve, reject) => {
        let phone: unknown;
        client.subscribe(
          { query: `query ($id: ID!) { customer(id: $id) { phone } }`, variables: { id: createCustomer.customer.id } },
          { next: (result) => (phone = (result.data as { customer: { phone: unknown } } | null)?.customer?.phone), error: reject, complete: () => resolve(phone) },
        );
      });
    const deadline = Date.now() + 15_000;
    while ((await phoneOverSocket()) !== null) {
      if (Date.now() > deadline) throw new Error('instance two kept the old role');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await admin.query(create, { name: 'After' });
    expect((await sub.take(2))[1]!.events.subject).toEqual({ name: 'After', phone: null });
    expect(closed.code).toBeNull();
    sub.dispose();
    client.dispose();
  });
});
