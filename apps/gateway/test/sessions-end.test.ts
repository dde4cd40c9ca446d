import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openWsClient, startTestGateway, SubscriptionCollector, type TestClient, type TestGateway } from '../src/testing/index.js';

// Sessions that end: a revoked key, an expired key and a key whose user was deactivated stop working over HTTP,
// and their live graphql-ws connections (close code 4403) and SSE streams end too.

const EVENTS = `subscription { events(types: ["customer.created"]) { type actor } }`;
const CREATE = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id expiresAt } } }`;

let t: TestGateway;
let admin: TestClient;
beforeAll(async () => {
  t = await startTestGateway();
  admin = t.workspace.client;
});
afterAll(async () => {
  await t?.close();
});
// Each test counts live subscribers from zero: the previous test's connections must be gone.
afterEach(async () => {
  await waitFor(() => t.gateway.liveSubscribers === 0);
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A new key: its global id, its row id and its secret. */
async function newKey(input: Record<string, unknown>): Promise<{ id: string; rowId: string; secret: string }> {
  const { createApiKey } = await admin.query(CREATE_KEY, { input: { name: 'live', role: 'MEMBER', ...input } });
  const rowId = Buffer.from(createApiKey.apiKey.id, 'base64').toString().replace(/^ApiKey:/, '');
  return { id: createApiKey.apiKey.id, rowId, secret: createApiKey.secret };
}

/** A graphql-ws connection with a live `events` subscription, and the code its socket closed with. */
async function liveConnection(apiKey: string) {
  const closed: { code: number | null } = { code: null };
  const client = openWsClient(t.wsUrl, apiKey, (code) => (closed.code = code));
  const before = t.gateway.liveSubscribers;
  const sub = new SubscriptionCollector(client, EVENTS);
  await waitFor(() => t.gateway.liveSubscribers > before);
  return { client, sub, closed };
}

describe('a revoked key', () => {
  it('closes its graphql-ws connections with 4403 and fails over HTTP', async () => {
    const key = await newKey({});
    const live = await liveConnection(key.secret);
    const other = await liveConnection(t.workspace.apiKey);

    await admin.query(`mutation ($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`, { id: key.id });
    await waitFor(() => live.closed.code !== null);
    expect(live.closed.code).toBe(4403);
    expect(await t.client(key.secret).errorCode(CREATE, { name: 'After revoke' })).toBe('UNAUTHENTICATED');

    // The socket is gone: an operation sent through the client reconnects and is refused at connect, nothing is written.
    await expect(
      new Promise((resolve, reject) => live.client.subscribe({ query: CREATE, variables: { name: 'Sent on the socket' } }, { next: resolve, error: reject, complete: () => {} })),
    ).rejects.toBeDefined();
    expect(await t.database.prisma.customer.count({ where: { name: 'Sent on the socket' } })).toBe(0);

    // Another key's connection of the same workspace lives on.
    await admin.query(CREATE, { name: 'Still delivered' });
    expect((await other.sub.take(1))[0]).toMatchObject({ events: { type: 'customer.created' } });
    expect(other.closed.code).toBeNull();
    other.client.dispose();
    live.client.dispose();
  });

  it('refuses an operation sent on an open socket once the key no longer verifies', async () => {
    const key = await newKey({});
    const live = await liveConnection(key.secret);
    // Revoked behind the gateway's back (no event: as if by a process whose notice never arrived), and the
    // verification cache has lapsed: the next operation on the socket is refused and the socket closed.
    await t.database.prisma.apiKey.update({ where: { id: key.rowId }, data: { revokedAt: new Date() } });
    t.gateway.verifier.forget(key.rowId);
    const result = await new Promise<unknown>((resolve) =>
      live.client.subscribe({ query: CREATE, variables: { name: 'Refused on the socket' } }, { next: resolve, error: resolve, complete: () => {} }),
    );
    expect(JSON.stringify(result)).toMatch(/UNAUTHENTICATED|4403/);
    await waitFor(() => live.closed.code !== null);
    expect(live.closed.code).toBe(4403);
    expect(await t.database.prisma.customer.count({ where: { name: 'Refused on the socket' } })).toBe(0);
    live.client.dispose();
  });

  it('ends its SSE streams with an UNAUTHENTICATED error', async () => {
    const key = await newKey({});
    const before = t.gateway.liveSubscribers;
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${key.secret}` },
      body: JSON.stringify({ query: EVENTS }),
    });
    expect(response.status).toBe(200);
    await waitFor(() => t.gateway.liveSubscribers > before);
    await admin.query(`mutation ($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`, { id: key.id });
    // The stream ends by itself: reading it to its end terminates.
    const text = await response.text();
    expect(text).toMatch(/UNAUTHENTICATED/);
    expect(text).toMatch(/event: complete/);
  });
});

describe('key expiry', () => {
  it('refuses an expiry in the past', async () => {
    const result = await admin.request(CREATE_KEY, { input: { name: 'old', role: 'MEMBER', expiresAt: '2020-01-01T00:00:00Z' } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresAt' });
  });

  it('stops an expiring key over HTTP and closes its connections when it expires', async () => {
    const expiresAt = new Date(Date.now() + 3000).toISOString();
    const key = await newKey({ expiresAt });
    const live = await liveConnection(key.secret);
    expect(await t.client(key.secret).query(`{ viewer { role } }`)).toEqual({ viewer: { role: 'MEMBER' } });
    await waitFor(() => live.closed.code !== null);
    expect(live.closed.code).toBe(4403);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    expect(await t.client(key.secret).errorCode(`{ viewer { role } }`)).toBe('UNAUTHENTICATED');
    live.client.dispose();
  });
});

describe('a key linked to a user', () => {
  it('acts as the user, and stops working (live connections too) when the user is deactivated', async () => {
    const { createUser } = await admin.query(`mutation { createUser(input: { name: "Dee", email: "dee@example.com" }) { user { id } } }`);
    const userId: string = createUser.user.id;
    const key = await newKey({ userId });
    const member = t.client(key.secret);
    const { viewer } = await member.query(`{ viewer { actor } }`);
    const { id: userRowId } = await t.database.prisma.user.findFirstOrThrow({ where: { email: 'dee@example.com' } });
    expect(viewer.actor).toBe(`user:${userRowId}`);
    await member.query(CREATE, { name: 'Made by Dee' });
    const customer = await t.database.prisma.customer.findFirstOrThrow({ where: { name: 'Made by Dee' } });
    const event = await t.database.prisma.event.findFirstOrThrow({ where: { type: 'customer.created', subjectId: customer.id } });
    expect(event.actor).toBe(`user:${userRowId}`);

    const live = await liveConnection(key.secret);
    await admin.query(`mutation ($id: ID!) { updateUser(input: { id: $id, active: false }) { user { active } } }`, { id: userId });
    await waitFor(() => live.closed.code !== null);
    expect(live.closed.code).toBe(4403);
    expect(await member.errorCode(`{ viewer { role } }`)).toBe('UNAUTHENTICATED');

    // Reactivated, the key works again (deactivation is not revocation).
    await admin.query(`mutation ($id: ID!) { updateUser(input: { id: $id, active: true }) { user { active } } }`, { id: userId });
    expect(await member.query(`{ viewer { role } }`)).toEqual({ viewer: { role: 'MEMBER' } });
    live.client.dispose();
  });

  it('cannot be linked to another workspace’s user', async () => {
    const other = await t.createWorkspace('Other');
    const { createUser } = await other.client.query(`mutation { createUser(input: { name: "Eve", email: "eve@example.com" }) { user { id } } }`);
    const result = await admin.request(CREATE_KEY, { input: { name: 'x', role: 'ADMIN', userId: createUser.user.id } });
    expect(result.errors?.[0]?.extensions?.code).toMatch(/NOT_FOUND|BAD_USER_INPUT/);
  });

  it('keeps a foreign workspace’s deactivation from touching this workspace’s sessions', async () => {
    const other = await t.createWorkspace('Third');
    const { createUser } = await other.client.query(`mutation { createUser(input: { name: "Fay", email: "fay@example.com" }) { user { id } } }`);
    const live = await liveConnection(t.workspace.apiKey);
    await other.client.query(`mutation ($id: ID!) { updateUser(input: { id: $id, active: false }) { user { active } } }`, { id: createUser.user.id });
    await admin.query(CREATE, { name: 'Unaffected' });
    expect((await live.sub.take(1))[0]).toMatchObject({ events: { type: 'customer.created' } });
    expect(live.closed.code).toBeNull();
    live.client.dispose();
  });
});
