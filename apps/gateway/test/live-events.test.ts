import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitUnpublishedEvent } from './flows/unpublished-event.js';
import { openWsClient, SubscriptionCollector, startTestGateway, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

let t: TestGateway;
let b: TestWorkspace;
beforeAll(async () => {
  t = await startTestGateway({ relay: { staleAfterMs: 200, intervalMs: 100 } });
  b = await t.createWorkspace('Workspace B');
});
afterAll(async () => {
  await t?.close();
});

interface EventData {
  events: { id: string; cursor: string; type: string; actor: string; subjectType: string; payload: Record<string, unknown> };
}
const EVENTS = /* GraphQL */ `
  subscription ($types: [String!], $subjectId: ID, $after: String) {
    events(types: $types, subjectId: $subjectId, after: $after) { id cursor type actor subjectType payload }
  }
`;
const CREATE = `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`;

async function createCustomer(ws: TestWorkspace, name: string, email?: string): Promise<string> {
  const data = await ws.client.query(CREATE, { input: { name, email } });
  return data.createCustomer.customer.id;
}

/** Subscribes and waits until the server runs the subscription (a first event proves it; here, a marker). */
async function subscribe(ws: TestWorkspace, variables: Record<string, unknown> = {}) {
  const client = openWsClient(t.wsUrl, ws.apiKey);
  const before = t.gateway.liveSubscribers;
  const sub = new SubscriptionCollector<EventData>(client, EVENTS, variables);
  // The subscription is live once it listens on the bus.
  for (let i = 0; i < 100 && t.gateway.liveSubscribers <= before; i++) await new Promise((r) => setTimeout(r, 10));
  return { client, sub };
}

/** The close code the server answers a connection with `apiKey` with. */
async function closeCode(apiKey: string | null): Promise<number> {
  let code = 0;
  const client = openWsClient(t.wsUrl, apiKey, (closed) => (code = closed));
  const sub = new SubscriptionCollector<EventData>(client, EVENTS);
  await sub.failure();
  await client.dispose();
  return code;
}

describe('events subscription over graphql-ws', () => {
  it('delivers a workspace its own events only, in commit order', async () => {
    const { client, sub } = await subscribe(t.workspace);
    await createCustomer(b, 'Not for A');
    const names = ['First', 'Second', 'Third'];
    for (const name of names) await createCustomer(t.workspace, name);
    await createCustomer(b, 'Not for A either');
    // Each creation commits customer.created then customer.stage_changed (first stage), in one transaction.
    const got = await sub.take(6);
    expect(got.map((e) => e.events.type)).toEqual(names.flatMap(() => ['customer.created', 'customer.stage_changed']));
    expect(got.filter((e) => e.events.type === 'customer.created').map((e) => e.events.payload.name)).toEqual(names);
    expect(got[0]!.events.actor).toMatch(/^apikey:/);
    // Cursors follow commit order without gaps.
    const seqs = got.map((e) => Number(Buffer.from(e.events.cursor, 'base64url').toString().split(':')[1]));
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    await new Promise((r) => setTimeout(r, 100));
    expect(sub.results).toHaveLength(6); // nothing of workspace B arrived
    sub.dispose();
    await client.dispose();
  });

  it('sends nothing for a mutation that rolled back', async () => {
    await createCustomer(t.workspace, 'Grace', 'grace@navy.mil');
    const { client, sub } = await subscribe(t.workspace, { types: ['customer.created'] });
    const failed = await t.workspace.client.request(CREATE, { input: { name: 'Grace again', email: 'grace@navy.mil' } });
    expect(failed.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await createCustomer(t.workspace, 'After the conflict');
    const got = await sub.take(1);
    expect(got[0]!.events.payload.name).toBe('After the conflict');
    await new Promise((r) => setTimeout(r, 100));
    expect(sub.results).toHaveLength(1);
    sub.dispose();
    await client.dispose();
  });

  it('filters by types and by subjectId, and resolves the subject', async () => {
    const id = await createCustomer(t.workspace, 'Filtered');
    const { client, sub: byType } = await subscribe(t.workspace, { types: ['customer.updated'] });
    const before = t.gateway.liveSubscribers;
    const bySubject = new SubscriptionCollector<{ events: { type: string; subject: { id: string; name?: string } | null } }>(
      client,
      `subscription ($id: ID!) { events(subjectId: $id) { type subject { id ... on Customer { name } } } }`,
      { id },
    );
    for (let i = 0; i < 100 && t.gateway.liveSubscribers <= before; i++) await new Promise((r) => setTimeout(r, 10));
    await createCustomer(t.workspace, 'Someone else');
    await t.workspace.client.query(`mutation ($id: ID!) { updateCustomer(input: { id: $id, name: "Filtered Renamed" }) { customer { id } } }`, { id });
    const updated = await byType.take(1);
    expect(updated[0]!.events).toMatchObject({ type: 'customer.updated', subjectType: 'Customer' });
    const about = await bySubject.take(1);
    expect(about[0]!.events).toEqual({ type: 'customer.updated', subject: { id, name: 'Filtered Renamed' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(byType.results).toHaveLength(1);
    expect(bySubject.results).toHaveLength(1);
    byType.dispose();
    bySubject.dispose();
    await client.dispose();
  });

  it('replays exactly the missed events after a disconnect, then continues live', async () => {
    const created = { types: ['customer.created'] };
    const first = await subscribe(t.workspace, created);
    await createCustomer(t.workspace, 'Seen');
    const [seen] = await first.sub.take(1);
    first.sub.dispose();
    await first.client.dispose();

    await createCustomer(t.workspace, 'Missed 1');
    await createCustomer(b, 'Other workspace');
    await createCustomer(t.workspace, 'Missed 2');

    const again = await subscribe(t.workspace, { ...created, after: seen!.events.cursor });
    const replayed = await again.sub.take(2);
    expect(replayed.map((e) => e.events.payload.name)).toEqual(['Missed 1', 'Missed 2']);
    await createCustomer(t.workspace, 'Live');
    const all = await again.sub.take(3);
    expect(all.map((e) => e.events.payload.name)).toEqual(['Missed 1', 'Missed 2', 'Live']);
    expect(new Set(all.map((e) => e.events.id)).size).toBe(3);
    again.sub.dispose();
    await again.client.dispose();
  });

  it('rejects a bad cursor with BAD_USER_INPUT', async () => {
    const client = openWsClient(t.wsUrl, t.workspace.apiKey);
    const sub = new SubscriptionCollector<EventData>(client, EVENTS, { after: 'bm9wZQ' });
    const errors = await sub.failure();
    expect(errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await client.dispose();
  });

  it('runs queries over the socket too, with the connection key', async () => {
    const client = openWsClient(t.wsUrl, t.workspace.apiKey);
    const sub = new SubscriptionCollector<{ viewer: { role: string } }>(client, '{ viewer { role } }');
    expect(await sub.take(1)).toEqual([{ viewer: { role: 'ADMIN' } }]);
    await client.dispose();
  });

  it('closes the socket with 4403 for a bad or missing key', async () => {
    expect(await closeCode('not-a-key')).toBe(4403);
    expect(await closeCode(null)).toBe(4403);
  });

  it('re-publishes an event that committed but was never published (outbox relay)', async () => {
    const customerId = await createCustomer(t.workspace, 'Relayed');
    const { client, sub } = await subscribe(t.workspace);
    await commitUnpublishedEvent(t, t.workspace.workspaceId, customerId, ['name']);
    const [got] = await sub.take(1, 5000);
    expect(got!.events).toMatchObject({ type: 'customer.updated', actor: 'system', payload: { changed: ['name'] } });
    const [row] = await t.database.sql.query<{ published: boolean }>(
      `SELECT NOT EXISTS (SELECT 1 FROM "EventOutbox" WHERE "eventId" = $1) AS published`,
      [got!.events.id],
    );
    expect(row?.published).toBe(true);
    sub.dispose();
    await client.dispose();
  });

  it('allows 50 operations per socket and refuses the 51st', async () => {
    // Earlier tests' subscriptions end asynchronously (the server hears the client's complete later).
    for (let i = 0; i < 200 && t.gateway.liveSubscribers > 0; i++) await new Promise((r) => setTimeout(r, 10));
    const before = t.gateway.liveSubscribers;
    const client = openWsClient(t.wsUrl, t.workspace.apiKey);
    const subs = Array.from({ length: 50 }, () => new SubscriptionCollector<EventData>(client, EVENTS));
    for (let i = 0; i < 200 && t.gateway.liveSubscribers < before + 50; i++) await new Promise((r) => setTimeout(r, 10));
    expect(t.gateway.liveSubscribers).toBe(before + 50);
    const extra = new SubscriptionCollector<EventData>(client, EVENTS);
    const errors = await extra.failure();
    expect(errors[0]?.extensions?.code).toBe('RATE_LIMITED');
    for (const sub of subs) sub.dispose();
    for (let i = 0; i < 200 && t.gateway.liveSubscribers > before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(t.gateway.liveSubscribers).toBe(before); // completing a subscription unsubscribes from the bus
    await client.dispose();
  });

  it('closes sockets with 1001 when the gateway shuts down', async () => {
    const other = await startTestGateway();
    let code = 0;
    const client = openWsClient(other.wsUrl, other.workspace.apiKey, (closed) => (code = closed));
    const sub = new SubscriptionCollector<EventData>(client, EVENTS);
    for (let i = 0; i < 100 && other.gateway.liveSubscribers === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000); // not held up by the open socket
    await sub.failure();
    expect(code).toBe(1001);
    await client.dispose();
  });
});
