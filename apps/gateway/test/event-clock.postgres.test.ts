// An event's `occurredAt` is the time the database recorded it (the column's default, `statement_timestamp()` of the
// INSERT sent with the COMMIT, read back with the events' numbers after it), never the gateway's clock. The gateway
// runs in this process on PostgreSQL (a server with its own clock): faking this process's `Date` alone (running on;
// timers stay real) skews the gateway's clock 30 minutes each way, as plugins/workflows/test/clock-skew.ts does. Before,
// the live event, the webhook's payload and the stored row all carried the gateway's clock, 30 minutes off.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openWsClient, startTestGateway, SubscriptionCollector, type TestGateway } from '../src/testing/index.js';
import { createCustomer, createWebhook } from './webhooks/operations.js';
import { WebhookReceiver } from './webhooks/receiver.js';

const SKEW_MS = 30 * 60_000;
let t: TestGateway;
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  // No rate limit: its windows count by the skewed clock.
  t = await startTestGateway({ database: 'postgres', rateLimit: { perMinute: 0 }, webhooks: { allowPrivateTargets: true, pollIntervalMs: 50 } });
}, 120_000);
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  vi.useRealTimers();
  await t?.close();
  await receiver?.close();
});

const databaseNow = async () => new Date((await t.database.sql.query<{ now: Date }>('SELECT clock_timestamp() AS now'))[0]!.now).getTime();
const EVENTS = `subscription { events(types: ["customer.created"]) { id occurredAt } }`;
const LOGGED = `query ($subjectId: ID) { events(first: 5, subjectId: $subjectId, types: ["customer.created"]) { edges { node { id occurredAt } } } }`;

describe.each([
  ['ahead of', SKEW_MS],
  ['behind', -SKEW_MS],
])('with the gateway’s clock 30 minutes %s the database’s', (way, skew) => {
  it('an event’s occurredAt is the database’s time of its commit: stored, live, in the log and in the webhook’s payload', async () => {
    const ws = await t.createWorkspace(`Clock ${way}`);
    const path = `/clock-${skew > 0 ? 'ahead' : 'behind'}`;
    await createWebhook(ws, { url: `${receiver.url}${path}`, eventTypes: ['customer.created'] });
    const client = openWsClient(t.wsUrl, ws.apiKey);
    const live = await t.subscribed(() => new SubscriptionCollector<{ events: { id: string; occurredAt: string } }>(client, EVENTS));
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date(Date.now() + skew));

    const before = await databaseNow();
    const customerId = await createCustomer(ws, `Clocky ${way}`);
    const after = await databaseNow();
    const [stored] = await t.database.sql.query<{ id: string; occurredAt: Date }>(
      `SELECT id::text AS id, "occurredAt" FROM "Event" WHERE "workspaceId" = $1::uuid AND type = 'customer.created'`,
      [ws.workspaceId],
    );
    const at = new Date(stored!.occurredAt).toISOString();
    expect(new Date(at).getTime()).toBeGreaterThanOrEqual(before);
    expect(new Date(at).getTime()).toBeLessThanOrEqual(after);

    const [event] = await live.take(1);
    expect(event!.events).toEqual({ id: stored!.id, occurredAt: at });
    const logged = await ws.client.query(LOGGED, { subjectId: customerId });
    expect(logged.events.edges.map((edge: { node: unknown }) => edge.node)).toEqual([{ id: stored!.id, occurredAt: at }]);
    const [delivered] = await receiver.waitFor(path, 1, 60_000);
    expect(delivered!.json).toMatchObject({ id: stored!.id, occurredAt: at });
    await client.dispose();
  });
});
