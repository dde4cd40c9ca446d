import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shareKeyOf } from '../src/live/shared-subscriptions.js';
import { openWsClient, SubscriptionCollector, startTestGateway, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

const session = { workspaceId: 'w', role: 'ADMIN' as const, actor: 'apikey:1' };
const key = (query: string, variables: Record<string, unknown> = {}, s = session) => shareKeyOf(s, parse(query), query, undefined, variables);
const EVENTS = `subscription ($types: [String!], $after: String) { events(types: $types, after: $after) { cursor type payload } }`;

describe('shared subscription executions', () => {
  it('shares live events subscriptions of one key, document and variables; never replays or other operations', () => {
    expect(key(EVENTS, { types: ['a'] })).toBe(key(EVENTS, { types: ['a'] }));
    expect(key(EVENTS, { types: ['a'] })).not.toBe(key(EVENTS, { types: ['b'] }));
    expect(key(EVENTS, {})).not.toBe(key(EVENTS, {}, { ...session, actor: 'apikey:2' }));
    expect(key(EVENTS, { after: 'x' })).toBeNull();
    expect(key(`subscription { events(after: "x") { id } }`)).toBeNull();
    expect(key(`subscription { events(after: null) { id } }`)).not.toBeNull();
    expect(key(`subscription { dashboardMetrics { asOf } }`)).toBeNull();
    expect(key(`{ viewer { role } }`)).toBeNull();
  });

  it('delivers the same events to every subscriber, and keeps going for the others when one leaves', async () => {
    const subscribe = () => {
      const client = openWsClient(t.wsUrl, t.workspace.apiKey);
      return { client, sub: new SubscriptionCollector<{ events: { cursor: string; type: string } }>(client, EVENTS, { types: ['customer.created'] }) };
    };
    // One shared execution listens on the bus, however many subscribers there are: once the first is live, two more
    // add no bus listener (the workspace's other listeners, such as the session guard's, are there already).
    // The gateway's own listeners: a workspace whose schema is loaded follows its custom fields' definitions.
    await t.workspace.client.query('{ viewer { role } }');
    const idle = t.gateway.bus.subscriberCount;
    const subscribers = [await t.subscribed(subscribe)];
    const listeners = t.gateway.bus.subscriberCount;
    subscribers.push(...(await t.subscribed(() => [subscribe(), subscribe()], 2)));
    expect(t.gateway.liveSubscribers).toBe(3);
    expect(t.gateway.bus.subscriberCount).toBe(listeners);
    const create = (name: string) => t.workspace.client.query(`mutation ($n: String!) { createCustomer(input: { name: $n }) { customer { id } } }`, { n: name });

    await create('One');
    const firsts = await Promise.all(subscribers.map(({ sub }) => sub.take(1)));
    expect(new Set(firsts.map((got) => got[0]!.events.cursor)).size).toBe(1);

    // The first subscriber (whose context the shared execution uses) leaves; the others keep receiving.
    subscribers[0]!.sub.dispose();
    await subscribers[0]!.client.dispose();
    await create('Two');
    for (const { sub } of subscribers.slice(1)) expect((await sub.take(2)).map((e) => e.events.type)).toEqual(['customer.created', 'customer.created']);

    for (const { sub, client } of subscribers.slice(1)) {
      sub.dispose();
      await client.dispose();
    }
    // The last one gone, the shared execution stops listening.
    for (let i = 0; i < 200 && t.gateway.bus.subscriberCount > idle; i++) await new Promise((r) => setTimeout(r, 10));
    expect(t.gateway.bus.subscriberCount).toBe(idle);
  });

  it('gives every subscriber of a failing shared start the error, and keeps nothing of it', async () => {
    const client = openWsClient(t.wsUrl, t.workspace.apiKey);
    const bad = `subscription { events(subjectId: "%%%") { id } }`;
    const failures = await Promise.all([0, 1].map(() => new SubscriptionCollector(client, bad).failure()));
    for (const errors of failures) expect(errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const again = await new SubscriptionCollector(client, bad).failure();
    expect(again[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await client.dispose();
  });
});
