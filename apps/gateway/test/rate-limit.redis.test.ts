import { randomUUID } from 'node:crypto';
import { createWorkspace, type CreatedWorkspace } from '@crm/core';
import { type Database, openDatabase } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { TestClient } from '../src/testing/index.js';

// Two gateway instances on one PostgreSQL database and one Redis: a key's rate limit holds across both.
const REDIS = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

let pg: TestPostgres;
let workspace: CreatedWorkspace;
const instances: { gateway: Gateway; database: Database; url: string }[] = [];

beforeAll(async () => {
  pg = await createTestPostgres();
  workspace = await createWorkspace(pg.database.prisma, { name: 'Shared limit' });
  // A prefix of this run's own: buckets of other runs on the same Redis are not touched.
  const channelPrefix = `crm-test-${randomUUID()}:`;
  for (let i = 0; i < 2; i++) {
    const database = await openDatabase({ kind: 'postgres', url: pg.url, poolSize: 3 }, { migrate: false });
    // 6 a minute refills one token in 10 s: no token comes back during the test.
    const gateway = createGateway({ database, logger: silentLogger, redis: { url: REDIS, channelPrefix }, rateLimit: { perMinute: 6, burst: 4 } });
    instances.push({ gateway, database, url: await gateway.listen(0) });
    // Until connected, an instance counts on its own (by design: it never waits for Redis); the test needs sharing.
    await gateway.rateLimiter!.buckets.ready();
  }
});

afterAll(async () => {
  for (const { gateway, database } of instances) {
    await gateway.close(1000);
    await database.close();
  }
  await pg?.drop();
});

describe('rate limits shared through Redis', () => {
  it('counts a key across instances: its burst spent on one, the other answers 429', async () => {
    const [a, b] = instances.map(({ url }) => new TestClient(url, workspace.apiKey));
    const viewer = `{ viewer { role } }`;
    expect((await a!.request(viewer)).status).toBe(200);
    expect((await b!.request(viewer)).status).toBe(200);
    expect((await a!.request(viewer)).status).toBe(200);
    expect((await b!.request(viewer)).status).toBe(200);
    for (const client of [a!, b!]) {
      const limited = await client.request(viewer);
      expect(limited.status).toBe(429);
      expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    }
  });

  it('keeps other keys apart', async () => {
    const other = await createWorkspace(pg.database.prisma, { name: 'Other' });
    const answer = await new TestClient(instances[1]!.url, other.apiKey).request(`{ viewer { role } }`);
    expect(answer.status).toBe(200);
  });
});
