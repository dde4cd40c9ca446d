import { createWorkspace } from '@crm/core';
import { type Database, openDatabase } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { TestClient, type TestWorkspace } from '../src/testing/index.js';
import { createCustomer, createWebhook, eventually } from './webhooks/operations.js';
import { sleep, WebhookReceiver } from './webhooks/receiver.js';

// Two gateway instances on one PostgreSQL database, both running the delivery worker: every attempt is made by
// exactly one of them (row locks with SKIP LOCKED, leases), so each event reaches each endpoint once.
let pg: TestPostgres;
let second: Database;
const gateways: Gateway[] = [];
let receiver: WebhookReceiver;
let viaFirst: TestWorkspace;
let viaSecond: TestClient;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  pg = await createTestPostgres();
  second = await openDatabase({ kind: 'postgres', url: pg.url });
  const urls: string[] = [];
  for (const database of [pg.database, second]) {
    const gateway = createGateway({
      database,
      logger: silentLogger,
      rateLimit: { perMinute: 0 },
      webhooks: { allowPrivateTargets: true, retrySchedule: [100, 200], jitter: 0.2, pollIntervalMs: 50, concurrency: 4 },
    });
    gateways.push(gateway);
    urls.push(await gateway.listen(0));
  }
  const created = await createWorkspace(pg.database.prisma, { name: 'Two instances' });
  viaFirst = { ...created, client: new TestClient(urls[0]!, created.apiKey) };
  viaSecond = new TestClient(urls[1]!, created.apiKey);
});
afterAll(async () => {
  for (const gateway of gateways) await gateway.close(1000);
  await second?.close();
  await pg?.drop();
  await receiver?.close();
});

describe('webhooks with two gateway instances on one PostgreSQL', () => {
  it('delivers each event exactly once, first attempts and retries alike', async () => {
    // Slow answers keep attempts in flight on both instances at once.
    receiver.responders.set('/pg-once', async () => {
      await sleep(20);
      return 200;
    });
    // The first request for each event fails: its retry is up for grabs by either instance.
    receiver.responders.set('/pg-retry', (request, previous) => (previous.some((r) => r.json.id === request.json.id) ? 200 : 500));
    await createWebhook(viaFirst, { url: `${receiver.url}/pg-once`, eventTypes: ['customer.created'] });
    await createWebhook(viaFirst, { url: `${receiver.url}/pg-retry`, eventTypes: ['customer.created'] });

    const total = 40;
    const clients = [viaFirst.client, viaSecond];
    for (let batch = 0; batch < total; batch += 8) {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          createCustomer({ ...viaFirst, client: clients[(batch + i) % 2]! }, `Customer ${batch + i}`),
        ),
      );
    }
    const eventIds = (
      await pg.database.prisma.event.findMany({ where: { workspaceId: viaFirst.workspaceId, type: 'customer.created' }, select: { id: true } })
    ).map((e) => e.id);
    expect(eventIds).toHaveLength(total);

    await receiver.waitFor('/pg-once', total, 20_000);
    await receiver.waitFor('/pg-retry', 2 * total, 20_000);
    await sleep(1000); // anything delivered twice would show up now
    const once = receiver.at('/pg-once').map((r) => r.json.id);
    expect(once).toHaveLength(total);
    expect(new Set(once)).toEqual(new Set(eventIds));
    const retried = receiver.at('/pg-retry');
    expect(retried).toHaveLength(2 * total);
    for (const id of eventIds) {
      expect(retried.filter((r) => r.json.id === id).map((r) => r.answered), id).toEqual([500, 200]);
    }

    const deliveries = await eventually(async () => {
      const rows = await pg.database.prisma.webhookDelivery.findMany({ where: { workspaceId: viaFirst.workspaceId }, include: { webhook: true } });
      return rows.length === 2 * total && rows.every((row) => row.status === 'DELIVERED') ? rows : undefined;
    });
    // Both instances did part of the work, and between them made exactly the attempts the receiver saw.
    const [first, other] = gateways.map((gateway) => gateway.webhooks.stats);
    expect(first!.attempts).toBeGreaterThan(0);
    expect(other!.attempts).toBeGreaterThan(0);
    expect(first!.attempts + other!.attempts).toBe(3 * total);
    for (const row of deliveries) expect(row.attempts).toBe(row.webhook.url.endsWith('/pg-retry') ? 2 : 1);
  });
});
