// Core's administration events (`apikey.*`, `role.*`, `webhook.*`: key names and roles, custom roles and their grants,
// webhook hosts, event types and failure streaks) are ADMIN's, like the lists they come from: a READ_ONLY or MEMBER
// key sees none of them in the `events` query or the events subscription (a real WebSocket), ADMIN sees them. A
// customer created after them is the marker that the subscription passed them over, not that they were late.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWsClient, SubscriptionCollector, startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
let reader: TestClient;
let member: TestClient;
beforeAll(async () => {
  t = await startTestGateway();
  reader = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
  member = await t.issueKey(t.workspace.workspaceId, 'MEMBER');
});
afterAll(async () => {
  await t?.close();
});

type Live = { events: { type: string; payload: Record<string, unknown> } };
const SUBSCRIBE = `subscription { events { type payload } }`;
const EVENTS = `{ events(first: 100) { totalCount edges { node { type } } } }`;
const ADMIN_TYPES = /^(apikey|role|webhook)\./;

describe('core administration events are ADMIN-only', () => {
  it('READ_ONLY and MEMBER keys see no apikey.*, role.*, webhook.* events, live or in the events query', async () => {
    const clients = [t.workspace.client, member, reader];
    const subs = await t.subscribed(() => clients.map((client) => new SubscriptionCollector<Live>(openWsClient(t.wsUrl, client.apiKey!), SUBSCRIBE)), 3);
    const admin = t.workspace.client;
    await admin.query(`mutation { createApiKey(input: { name: "ops-robot", role: ADMIN }) { secret } }`);
    await admin.query(`mutation { createCustomer(input: { name: "Marker" }) { customer { id } } }`);

    const [asAdmin, asMember, asReader] = subs;
    for (const [name, sub] of [['ADMIN', asAdmin!], ['MEMBER', asMember!], ['READ_ONLY', asReader!]] as const) {
      const deadline = Date.now() + 60_000;
      while (!sub.results.some((r) => r.events.type === 'customer.created') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(sub.errors, name).toBeNull();
      const types = sub.results.map((r) => r.events.type);
      expect(types, name).toContain('customer.created');
      if (name === 'ADMIN') expect(types).toContain('apikey.created');
      else expect(types.filter((type) => ADMIN_TYPES.test(type)), name).toEqual([]);
      sub.dispose();
    }

    const adminPage = (await admin.query(EVENTS)).events;
    const adminOnly = adminPage.edges.filter((e: { node: { type: string } }) => ADMIN_TYPES.test(e.node.type));
    expect(adminOnly.map((e: { node: { type: string } }) => e.node.type)).toContain('apikey.created');
    for (const client of [member, reader]) {
      const page = (await client.query(EVENTS)).events;
      expect(page.edges.filter((e: { node: { type: string } }) => ADMIN_TYPES.test(e.node.type))).toEqual([]);
      expect(page.totalCount).toBe(adminPage.totalCount - adminOnly.length);
      expect((await client.query(`{ events(first: 10, types: ["apikey.created"]) { totalCount } }`)).events.totalCount).toBe(0);
    }
  }, 120_000);
});
