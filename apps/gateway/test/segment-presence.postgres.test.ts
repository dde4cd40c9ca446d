// Whether a workspace has saved segments is a fact each gateway instance caches (core's workspace-fact-cache.ts), so
// that customer commands in workspaces without segments skip the segments entirely. These tests prove it stays
// correct: the first segment, made on this instance or on another one (PostgreSQL + Redis), is refreshed by the
// next customer command, and what createCustomer costs in statements where there are none.
import { randomUUID } from 'node:crypto';
import { createWorkspace, type RecordedEvent } from '@crm/core';
import { type Database, openDatabase } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import type { RedisEventBus } from '../src/live/redis-event-bus.js';
import { silentLogger } from '../src/logger.js';
import { SqlRecorder, TestClient } from '../src/testing/index.js';

const REDIS = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
const SEGMENT = `mutation ($name: String!) { createSegment(input: { name: $name, filter: { name: { startsWith: "VIP" } } }) { segment { id memberCount } } }`;
const MEMBERS = `{ segments { name memberCount } }`;

interface Instance {
  gateway: Gateway;
  database: Database;
  url: string;
  sql: SqlRecorder;
}

let pg: TestPostgres;
const instances: Instance[] = [];

async function startInstance(channelPrefix: string): Promise<Instance> {
  const sql = new SqlRecorder();
  const database = await openDatabase({ kind: 'postgres', url: pg.url, poolSize: 5 }, { migrate: false, onQuery: sql.record });
  const gateway = createGateway({ database, logger: silentLogger, redis: { url: REDIS, channelPrefix }, clvRefresh: false, monthEndSnapshots: false });
  const url = await gateway.listen(0);
  await (gateway.bus as RedisEventBus).ready();
  const instance = { gateway, database, url, sql };
  instances.push(instance);
  return instance;
}

/** Resolves when the instance's bus has delivered an event of this type in the workspace (its runner noticed it first). */
function heard(instance: Instance, workspaceId: string, type: string): Promise<RecordedEvent> {
  return new Promise((resolve) => {
    const stop = instance.gateway.bus.subscribe(workspaceId, (events) => {
      const found = events.find((event) => event.type === type);
      if (!found) return;
      stop();
      resolve(found);
    });
  });
}

let one: Instance;
let two: Instance;

beforeAll(async () => {
  pg = await createTestPostgres();
  const prefix = `crm-test-${randomUUID()}:`;
  one = await startInstance(prefix);
  two = await startInstance(prefix);
});
afterAll(async () => {
  for (const instance of instances.splice(0)) {
    await instance.gateway.close(1000);
    await instance.database.close();
  }
  await pg?.drop();
});

describe('whether a workspace has segments, cached per instance', () => {
  it('createCustomer in a workspace without segments: 3 statements, none of them on segments or definitions', async () => {
    const ws = await createWorkspace(one.database.prisma, { name: 'No segments' });
    const client = new TestClient(one.url, ws.apiKey);
    await client.query(CUSTOMER, { name: 'First' }); // the key, the workspace's segments and definitions are read once
    const published = new Promise<RecordedEvent>((resolve) => {
      const stop = one.gateway.bus.subscribe(ws.workspaceId, (events) => {
        const found = events.find((event) => event.type === 'customer.created' && (event.payload as { name?: string }).name === 'Second');
        if (!found) return;
        stop();
        resolve(found);
      });
    });
    const statements = await one.sql.during(() => client.query(CUSTOMER, { name: 'Second' }));
    // The customer with its first stage (one statement), its two events, and the commit (BEGIN is not logged; it is
    // written with the customer's insert). The events' numbers are read in the COMMIT's write, not through Prisma.
    expect(statements.map((s) => s.replace(/\s+/g, ' ').slice(0, 40))).toEqual([
      'WITH c AS ( INSERT INTO "Customer" ("id"',
      'INSERT INTO "Event" ("actor", "causedBy"',
      'COMMIT',
    ]);
    // Published with the number its commit gave it, as stored.
    const event = await published;
    const [stored] = await one.database.sql.query<{ seq: string }>(`SELECT "seq"::text AS "seq" FROM "Event" WHERE "id" = $1`, [event.id]);
    expect(String(event.seq)).toBe(stored!.seq);
    // The raw insert keeps the unique rules' answer: CONFLICT naming the field, on PostgreSQL as on PGlite.
    await client.query(`mutation { createCustomer(input: { name: "Ada", email: "ada@shop.test" }) { customer { id } } }`);
    const duplicate = await client.request(`mutation { createCustomer(input: { name: "Ada again", email: "ada@shop.test" }) { customer { id } } }`);
    expect(duplicate.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
  });

  it('the first segment, created on the same instance: the next customer command refreshes it', async () => {
    const ws = await createWorkspace(one.database.prisma, { name: 'First segment here' });
    const client = new TestClient(one.url, ws.apiKey);
    await client.query(CUSTOMER, { name: 'VIP Ada' }); // caches "no segments"
    expect((await client.query(SEGMENT, { name: 'VIPs' })).createSegment.segment.memberCount).toBe(1);
    await client.query(CUSTOMER, { name: 'VIP Bob' });
    await client.query(CUSTOMER, { name: 'Carl' });
    expect((await client.query(MEMBERS)).segments).toEqual([{ name: 'VIPs', memberCount: 2 }]);
  });

  it('the first segment, created on another instance: this one hears it on the bus and refreshes it', async () => {
    const ws = await createWorkspace(one.database.prisma, { name: 'First segment elsewhere' });
    const viaOne = new TestClient(one.url, ws.apiKey);
    const viaTwo = new TestClient(two.url, ws.apiKey);
    await viaOne.query(CUSTOMER, { name: 'VIP Ada' }); // instance 1 caches "no segments"
    const told = heard(one, ws.workspaceId, 'segment.created');
    expect((await viaTwo.query(SEGMENT, { name: 'VIPs' })).createSegment.segment.memberCount).toBe(1);
    await told;
    const statements = await one.sql.during(() => viaOne.query(CUSTOMER, { name: 'VIP Bob' }));
    expect(statements.some((s) => s.includes('"SegmentMember"'))).toBe(true);
    expect((await viaOne.query(MEMBERS)).segments).toEqual([{ name: 'VIPs', memberCount: 2 }]);

    // And the last segment deleted on instance 2: instance 1 stops reading segments once it has heard.
    const id = (await viaOne.query(`{ segments { id } }`)).segments[0].id;
    const deleted = heard(one, ws.workspaceId, 'segment.deleted');
    await viaTwo.query(`mutation ($id: ID!) { deleteSegment(input: { id: $id }) { deletedSegmentId } }`, { id });
    await deleted;
    await viaOne.query(CUSTOMER, { name: 'VIP Cy' }); // reads the segments once: none
    expect((await one.sql.during(() => viaOne.query(CUSTOMER, { name: 'VIP Di' }))).filter((s) => s.includes('"Segment"'))).toEqual([]);
  });
});
