import type { Socket } from 'node:net';
import { startTestGateway, type TestGateway } from '@crm/gateway/testing';
import { pipe, subscribe } from 'wonka';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type Client,
  createCrmClient,
  disposeCrmClient,
  eventsSubscription,
  graphql,
  type ResultOf,
  socketOf,
  subscribeToEvents,
} from '../src/node.js';

let t: TestGateway;
let client: Client;
beforeAll(async () => {
  t = await startTestGateway();
  client = createCrmClient({ url: `${t.url}/graphql`, apiKey: t.workspace.apiKey });
});
afterAll(async () => {
  if (client) await disposeCrmClient(client);
  await t?.close();
});

const createCustomer = graphql(`
  mutation CreateCustomer($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id name lifecycleStage } } }
`);
const customersPage = graphql(`
  query CustomersPage($first: Int!, $after: String, $search: String) {
    customers(first: $first, after: $after, search: $search, orderBy: [{ field: NAME, direction: ASC }]) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name lifecycleStage } }
    }
  }
`);

async function create(name: string) {
  const result = await client.mutation(createCustomer, { input: { name, lifecycleStage: 'LEAD' } }).toPromise();
  if (result.error) throw result.error;
  return result.data!.createCustomer.customer;
}

describe('createCrmClient against a real gateway', () => {
  it('runs typed queries: results and variables are inferred from schema.graphql', async () => {
    const whoAmI = graphql(`query WhoAmI { viewer { role } workspace { name } }`);
    expectTypeOf<ResultOf<typeof whoAmI>['viewer']['role']>().toEqualTypeOf<'ADMIN' | 'MEMBER' | 'READ_ONLY'>();
    const result = await client.query(whoAmI, {}).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data).toEqual({ viewer: { role: 'ADMIN' }, workspace: { name: 'Workspace A' } });
  });

  it('creates with a mutation, and the cached list refetches after it', async () => {
    const before = await client.query(customersPage, { first: 10, search: 'Mutated' }).toPromise();
    expect(before.data?.customers.totalCount).toBe(0);
    const created = await create('Mutated Marta');
    expect(created).toMatchObject({ name: 'Mutated Marta', lifecycleStage: 'LEAD' });
    // cache-first: only an invalidated list goes back to the network and sees the new customer.
    const after = await client.query(customersPage, { first: 10, search: 'Mutated' }).toPromise();
    expect(after.data?.customers.totalCount).toBe(1);
    expect(after.data?.customers.edges[0]?.node.id).toBe(created.id);
  });

  it('merges Relay pages into one list (infinite scroll)', async () => {
    for (const name of ['Paged A', 'Paged B', 'Paged C', 'Paged D', 'Paged E']) await create(name);
    let page = await client.query(customersPage, { first: 2, search: 'Paged' }).toPromise();
    expect(page.data?.customers.edges.map((e) => e.node.name)).toEqual(['Paged A', 'Paged B']);
    while (page.data?.customers.pageInfo.hasNextPage) {
      page = await client.query(customersPage, { first: 2, search: 'Paged', after: page.data.customers.pageInfo.endCursor }).toPromise();
    }
    expect(page.data?.customers.edges.map((e) => e.node.name)).toEqual(['Paged A', 'Paged B', 'Paged C', 'Paged D', 'Paged E']);
    expect(page.data?.customers.totalCount).toBe(5);
  });

  it('moves a deal optimistically and rolls the move back when the server refuses it', async () => {
    const customer = await create('Deal Dora');
    const setup = await client
      .query(graphql(`query Stages { pipelines { id isDefault stages { id name isWon isLost } } }`), {})
      .toPromise();
    const stages = setup.data!.pipelines.find((p) => p.isDefault)!.stages;
    const lost = stages.find((s) => s.isLost)!;
    const deal = await client
      .mutation(graphql(`mutation NewDeal($input: CreateDealInput!) { createDeal(input: $input) { deal { id stage { id } } } }`), {
        input: { title: 'Licence', customerId: customer.id, amount: '100.00' },
      })
      .toPromise();
    const dealId = deal.data!.createDeal.deal.id;
    const dealStage = graphql(`query DealStage($id: ID!) { deal(id: $id) { id status stage { id } } }`);
    const seen: string[] = [];
    const watching = pipe(
      client.query(dealStage, { id: dealId }),
      subscribe((result) => {
        if (result.data?.deal) seen.push(result.data.deal.stage.id);
      }),
    );
    await client.query(dealStage, { id: dealId }).toPromise();
    const move = graphql(`
      mutation Move($input: MoveDealInput!) { moveDeal(input: $input) { deal { id status lostReason stage { id } } } }
    `);
    // A lost stage needs a reason: the server refuses, the optimistic move is undone.
    const refused = await client.mutation(move, { input: { id: dealId, stageId: lost.id } }).toPromise();
    expect(refused.error?.graphQLErrors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    await new Promise((resolve) => setTimeout(resolve, 50));
    watching.unsubscribe();
    expect(seen).toContain(lost.id); // shown at once
    expect(seen.at(-1)).toBe(stages[0]!.id); // and back where it was
    const accepted = await client.mutation(move, { input: { id: dealId, stageId: lost.id, lostReason: 'Price' } }).toPromise();
    expect(accepted.data?.moveDeal.deal).toMatchObject({ status: 'LOST', lostReason: 'Price', stage: { id: lost.id } });
  });

  it('retries network errors with backoff', async () => {
    let attempts = 0;
    const flaky = createCrmClient({
      url: `${t.url}/graphql`,
      apiKey: t.workspace.apiKey,
      cache: 'none',
      retry: { initialDelayMs: 10, maxDelayMs: 50 },
      fetch: (input, init) => (++attempts <= 2 ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init)),
    });
    const result = await flaky.query(graphql(`query Role { viewer { role } }`), {}).toPromise();
    expect(result.data?.viewer.role).toBe('ADMIN');
    expect(attempts).toBe(3);
    await disposeCrmClient(flaky);
  });
});

describe('subscriptions', () => {
  it('streams events over graphql-ws with the same key', async () => {
    const got: string[] = [];
    const sub = pipe(
      client.subscription(eventsSubscription, { types: ['customer.created'] }),
      subscribe((result) => {
        if (result.data) got.push((result.data.events.subject as { name?: string } | null)?.name ?? '');
      }),
    );
    // A stream starts at the workspace's position when the server reads it, a moment after the socket subscribed:
    // create until one arrives, then every later one arrives too, in order.
    const created: string[] = [];
    for (let i = 0; !got.length; i++) {
      created.push(`Live Lena ${i}`);
      await create(created.at(-1)!);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const first = created.indexOf(got[0]!);
    expect(first).toBeGreaterThanOrEqual(0);
    await create('Live Lena last');
    await waitFor(() => got.includes('Live Lena last'));
    sub.unsubscribe();
    expect(got).toEqual([...created.slice(first), 'Live Lena last']);
  });

  it('ends a stream with an error, without reconnecting, when the key is refused (4403)', async () => {
    const refused = createCrmClient({ url: `${t.url}/graphql`, apiKey: 'crm_not_a_key' });
    let connecting = 0;
    socketOf(refused).on('connecting', () => connecting++);
    const failure = await new Promise<Error>((resolve) => {
      subscribeToEvents(refused, { onError: resolve }, () => {});
    });
    await new Promise((resolve) => setTimeout(resolve, 600)); // longer than the first reconnect delay
    expect(failure.message).toBe("The event stream's socket was closed: 4403 Forbidden");
    expect(connecting).toBe(1);
    await disposeCrmClient(refused);
  });

  it('resumes after a socket cut server-side: every event once, in order', async () => {
    const sockets = new Set<Socket>();
    t.gateway.server.on('upgrade', (_req, socket: Socket) => sockets.add(socket));
    const names: string[] = [];
    const types: string[] = [];
    const stream = subscribeToEvents(client, { types: ['customer.created', 'customer.stage_changed'] }, (event) => {
      types.push(event.type);
      if (event.type === 'customer.created') names.push((event.payload as { name: string }).name);
    });
    let reconnects = 0;
    let connections = 0;
    const stopCounting = socketOf(client).on('connected', (_s, _p, wasRetry) => {
      connections++;
      if (wasRetry) reconnects++;
    });
    // The stream is live once it delivers a first event (it starts at the present: earlier markers are missed).
    let lastMarker = '';
    for (let i = 0; !names.some((name) => name.startsWith('Marker')); i++) {
      lastMarker = `Marker ${i}`;
      await create(lastMarker);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // A late marker (and its stage change) must not count as streamed.
    await waitFor(() => names.includes(lastMarker) && types.at(-1) === 'customer.stage_changed', 10_000);
    names.length = 0;
    types.length = 0;

    const expected = Array.from({ length: 30 }, (_, i) => `Streamed ${String(i).padStart(2, '0')}`);
    let cuts = 0;
    const connectionsBefore = connections;
    for (const [i, name] of expected.entries()) {
      await create(name);
      if (i === 8 || i === 19) {
        // Cut an acknowledged connection (a cut during the handshake would only prolong the first reconnect).
        await waitFor(() => sockets.size > 0 && connections - connectionsBefore >= cuts);
        // Cut every socket of this gateway from the server side, while mutations keep coming.
        for (const socket of sockets) socket.destroy();
        sockets.clear();
        cuts++;
      }
    }
    await waitFor(() => names.length >= expected.length, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // anything late would be a duplicate
    stream.unsubscribe();
    stopCounting();
    expect(cuts).toBe(2);
    expect(reconnects).toBeGreaterThanOrEqual(2);
    expect(names).toEqual(expected);
    expect(types).toEqual(expected.flatMap(() => ['customer.created', 'customer.stage_changed']));
    expect(stream.lastCursor).toBeTruthy();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
