// Live connections follow permission changes: a role changed, or a key moved to another role or given other scopes,
// applies to what an open graphql-ws connection (or SSE stream) runs next and to what its running subscriptions
// deliver next, without reconnecting; a role deleted together with its keys ends their sockets with 4403.
import type { GraphQLFormattedError } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openWsClient, startTestGateway, SubscriptionCollector, type TestClient, type TestGateway } from '../src/testing/index.js';

const EVENTS = `subscription { events(types: ["customer.created", "customer.updated"]) { type payload subject { id ... on Customer { name phone } } } }`;
type Delivered = { events: { type: string; payload: Record<string, any>; subject: { id: string; name: string; phone: string | null } | null } };

const CREATE_CUSTOMER = `mutation ($name: String!, $phone: String) { createCustomer(input: { name: $name, phone: $phone }) { customer { id } } }`;
const UPDATE_CUSTOMER = `mutation ($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } } }`;
const PHONE_OF = `query ($id: ID!) { customer(id: $id) { phone } }`;
const UPDATE_KEY = `mutation ($input: UpdateApiKeyInput!) { updateApiKey(input: $input) { apiKey { id role scopes customRole { name } } } }`;
const CUSTOMERS = { object: 'Customer', read: true, create: true, update: true };

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

async function createRole(name: string, permissions: object[]): Promise<string> {
  const { createRole } = await admin.query(`mutation ($n: String!, $p: [ObjectPermissionInput!]!) { createRole(input: { name: $n, permissions: $p }) { role { id } } }`, {
    n: name,
    p: permissions,
  });
  return createRole.role.id;
}

const updateRole = (id: string, permissions: object[]) =>
  admin.query(`mutation ($id: ID!, $p: [ObjectPermissionInput!]) { updateRole(input: { id: $id, permissions: $p }) { role { id } } }`, { id, p: permissions });

async function createKey(input: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const { createApiKey } = await admin.query(`mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`, { input: { name: 'live', ...input } });
  return { id: createApiKey.apiKey.id, secret: createApiKey.secret };
}

async function createCustomer(name: string, phone: string): Promise<string> {
  return (await admin.query(CREATE_CUSTOMER, { name, phone })).createCustomer.customer.id;
}

/** One query or mutation over an open graphql-ws connection: its result, errors included. */
function overSocket(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: any; errors?: readonly GraphQLFormattedError[] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: any; errors?: readonly GraphQLFormattedError[] } = {};
    client.subscribe({ query, variables }, { next: (value) => (result = value as typeof result), error: reject, complete: () => resolve(result) });
  });
}

/** A graphql-ws connection with a live `events` subscription, and the code its socket closed with. */
async function liveConnection(apiKey: string) {
  const closed: { code: number | null } = { code: null };
  const client = openWsClient(t.wsUrl, apiKey, (code) => (closed.code = code));
  const sub = await t.subscribed(() => new SubscriptionCollector<Delivered>(client, EVENTS));
  return { client, sub, closed };
}

/** The `next` payloads of an SSE response, read as they arrive (the stream stays open). */
function sseReader(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const received: Record<string, any>[] = [];
  let buffer = '';
  return {
    async take(count: number): Promise<Record<string, any>[]> {
      while (received.length < count) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended after ${received.length} results`);
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message.split('\n').find((line) => line.startsWith('data:'));
          if (message.includes('event: next') && data) received.push(JSON.parse(data.slice(5)));
        }
      }
      return received.slice(0, count);
    },
    cancel: () => reader.cancel(),
  };
}

describe('a role changed while its keys are connected', () => {
  it('hides a field from what the subscription delivers next and from the socket’s next operations, without reconnecting', async () => {
    const roleId = await createRole('Live reader', [CUSTOMERS]);
    const key = await createKey({ roleId });
    const live = await liveConnection(key.secret);

    const first = await createCustomer('Pia Before', '+1 555 1111');
    expect((await live.sub.take(1))[0]!.events.subject).toEqual({ id: first, name: 'Pia Before', phone: '+1 555 1111' });
    await admin.query(UPDATE_CUSTOMER, { input: { id: first, phone: '+1 555 1112' } });
    expect(Object.keys((await live.sub.take(2))[1]!.events.payload.changes)).toEqual(['phone']);

    await updateRole(roleId, [{ ...CUSTOMERS, hiddenFields: ['phone'] }]);
    // The guard applies the change to the connection and to its subscriptions in one pass: once the socket's next
    // operation reads the new role, the subscription delivers under it too.
    await waitFor(async () => (await overSocket(live.client, PHONE_OF, { id: first })).data?.customer?.phone === null);

    const second = await createCustomer('Quinn After', '+1 555 2222');
    expect((await live.sub.take(3))[2]!.events.subject).toEqual({ id: second, name: 'Quinn After', phone: null });
    await admin.query(UPDATE_CUSTOMER, { input: { id: second, name: 'Quinn Renamed', phone: '+1 555 2223' } });
    const updated = (await live.sub.take(4))[3]!.events;
    expect(updated.payload.changes).toEqual({ name: { from: 'Quinn After', to: 'Quinn Renamed' } });
    expect(updated.payload.changed).toEqual(['name']);
    expect(JSON.stringify(updated)).not.toContain('555 222');

    // Writes on the socket follow the role as well: a hidden field is not writable.
    const write = await overSocket(live.client, UPDATE_CUSTOMER, { input: { id: second, phone: '+1 555 0000' } });
    expect(write.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'phone' });

    // Shown again: the next delivery has it.
    await updateRole(roleId, [CUSTOMERS]);
    await waitFor(async () => (await overSocket(live.client, PHONE_OF, { id: first })).data?.customer?.phone === '+1 555 1112');
    const third = await createCustomer('Rae Again', '+1 555 3333');
    expect((await live.sub.take(5))[4]!.events.subject).toEqual({ id: third, name: 'Rae Again', phone: '+1 555 3333' });

    expect(live.closed.code).toBeNull();
    expect(live.sub.errors).toBeNull();
    live.sub.dispose();
    await live.client.dispose();
  });

  it('an SSE stream follows the change too', async () => {
    const roleId = await createRole('SSE reader', [CUSTOMERS]);
    const key = await createKey({ roleId });
    // A socket of the same key: the guard follows all sessions of a key in one pass, so it tells when the change is applied.
    const probe = openWsClient(t.wsUrl, key.secret);
    const abort = new AbortController();
    const response = await t.subscribed(() =>
      fetch(`${t.url}/graphql`, {
        method: 'POST',
        signal: abort.signal,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${key.secret}` },
        body: JSON.stringify({ query: EVENTS }),
      }),
    );
    const stream = sseReader(await response);
    const first = await createCustomer('Sam Shown', '+1 555 4444');
    expect((await stream.take(1))[0]!.data.events.subject).toEqual({ id: first, name: 'Sam Shown', phone: '+1 555 4444' });
    expect((await overSocket(probe, PHONE_OF, { id: first })).data.customer.phone).toBe('+1 555 4444');

    await updateRole(roleId, [{ ...CUSTOMERS, hiddenFields: ['phone'] }]);
    await waitFor(async () => (await overSocket(probe, PHONE_OF, { id: first })).data?.customer?.phone === null);
    const second = await createCustomer('Tia Hidden', '+1 555 5555');
    expect((await stream.take(2))[1]!.data.events.subject).toEqual({ id: second, name: 'Tia Hidden', phone: null });
    await stream.cancel();
    abort.abort();
    await probe.dispose();
  });
});

describe('a key moved to another role or given other scopes', () => {
  it('its live subscription delivers under the new role at once', async () => {
    const noCustomers = await createRole('No customers', [{ object: 'Deal', read: true }]);
    const key = await createKey({ role: 'MEMBER' });
    const live = await liveConnection(key.secret);
    const seen = await createCustomer('Uma Seen', '+1 555 6666');
    expect((await live.sub.take(1))[0]!.events.subject?.name).toBe('Uma Seen');

    const moved = await admin.query(UPDATE_KEY, { input: { id: key.id, roleId: noCustomers } });
    expect(moved.updateApiKey.apiKey).toMatchObject({ role: 'READ_ONLY', customRole: { name: 'No customers' }, scopes: [] });
    await waitFor(async () => (await overSocket(live.client, PHONE_OF, { id: seen })).data?.customer === null);
    await createCustomer('Vic Unseen', '+1 555 7777');

    // Back to a built-in role, narrowed by scopes to reading customers: delivered again, and nothing may be written.
    await admin.query(UPDATE_KEY, { input: { id: key.id, role: 'MEMBER', scopes: ['customers:read'] } });
    await waitFor(async () => (await overSocket(live.client, PHONE_OF, { id: seen })).data?.customer?.phone === '+1 555 6666');
    await createCustomer('Wes Seen', '+1 555 8888');
    // The customer created while the key read no customers was never delivered.
    expect((await live.sub.take(2)).map((r) => r.events.subject?.name)).toEqual(['Uma Seen', 'Wes Seen']);
    const write = await overSocket(live.client, UPDATE_CUSTOMER, { input: { id: seen, name: 'Nope' } });
    expect(write.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // HTTP agrees at once.
    expect(await t.client(key.secret).errorCode(CREATE_CUSTOMER, { name: 'Nope' })).toBe('FORBIDDEN');

    expect(live.closed.code).toBeNull();
    live.sub.dispose();
    await live.client.dispose();
  });

  it('refuses bad changes with a code naming the field; only ADMIN keys change keys, and only their workspace’s', async () => {
    const key = await createKey({ role: 'MEMBER' });
    const ownOnly = await createRole('Own only', [{ ...CUSTOMERS, ownRecordsOnly: true }]);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ id: key.id, role: 'ADMIN', roleId: ownOnly }, 'BAD_USER_INPUT', 'roleId'],
      [{ id: key.id, roleId: ownOnly }, 'BAD_USER_INPUT', 'roleId'], // an own-records role needs a key linked to a user
      [{ id: key.id, scopes: ['nothing:read'] }, 'BAD_USER_INPUT', 'scopes.0'],
      [{ id: key.id, roleId: Buffer.from('CustomRole:00000000-0000-7000-8000-000000000000').toString('base64') }, 'NOT_FOUND', 'roleId'],
    ];
    for (const [input, code, field] of cases) {
      const result = await admin.request(UPDATE_KEY, { input });
      expect(result.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code, field });
    }
    // A key cannot change itself (a workspace cannot lock itself out by accident).
    const { apiKeys } = await admin.query(`{ apiKeys(first: 100) { edges { node { id prefix } } } }`);
    const own = apiKeys.edges.find((e: { node: { prefix: string } }) => t.workspace.apiKey.startsWith(`crm_${e.node.prefix}_`)).node.id;
    const self = await admin.request(UPDATE_KEY, { input: { id: own, role: 'READ_ONLY' } });
    expect(self.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    const member = await t.issueKey(t.workspace.workspaceId, 'MEMBER');
    expect(await member.errorCode(UPDATE_KEY, { input: { id: key.id, role: 'ADMIN' } })).toBe('FORBIDDEN');
    const other = await t.createWorkspace('Workspace B');
    expect(await other.client.errorCode(UPDATE_KEY, { input: { id: key.id, role: 'ADMIN' } })).toBe('NOT_FOUND');
    expect(await other.client.errorCode(UPDATE_KEY, { input: { id: key.id, roleId: ownOnly } })).toBe('NOT_FOUND');
    // Nothing changed.
    expect(await t.client(key.secret).query(`{ viewer { role } }`)).toEqual({ viewer: { role: 'MEMBER' } });
  });
});

describe('a role deleted while its keys are connected', () => {
  it('is refused while keys have it; with revokeKeys, those keys are revoked and their sockets end with 4403', async () => {
    const roleId = await createRole('Temporary', [CUSTOMERS]);
    const key = await createKey({ roleId });
    const live = await liveConnection(key.secret);
    const bystander = await liveConnection(t.workspace.apiKey);

    const refused = await admin.request(`mutation ($id: ID!) { deleteRole(input: { id: $id }) { role { id } } }`, { id: roleId });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id' });

    await admin.query(`mutation ($id: ID!) { deleteRole(input: { id: $id, revokeKeys: true }) { role { id } } }`, { id: roleId });
    await waitFor(() => live.closed.code !== null);
    expect(live.closed.code).toBe(4403);
    expect(await t.client(key.secret).errorCode(`{ viewer { role } }`)).toBe('UNAUTHENTICATED');
    expect((await admin.query(`{ roles { name } }`)).roles.map((r: { name: string }) => r.name)).not.toContain('Temporary');

    // Another key's connection lives on.
    await createCustomer('Xena Still', '+1 555 9999');
    expect((await bystander.sub.take(1))[0]!.events.subject?.name).toBe('Xena Still');
    expect(bystander.closed.code).toBeNull();
    for (const connection of [live, bystander]) {
      connection.sub.dispose();
      await connection.client.dispose();
    }
  });
});
