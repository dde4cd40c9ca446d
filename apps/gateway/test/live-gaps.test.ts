import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitUnpublishedEvent } from './flows/unpublished-event.js';
import { openWsClient, SubscriptionCollector, startTestGateway, type TestGateway } from '../src/testing/index.js';

// Live delivery is gap-free even when an event is never published (here: the relay is too slow to help): the
// subscribers read it from the table, and many subscribers of one workspace share one read.
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ relay: { staleAfterMs: 60_000, intervalMs: 60_000 } });
});
afterAll(async () => {
  await t?.close();
});

const EVENTS = `subscription { events { cursor type payload } }`;
interface EventData {
  events: { cursor: string; type: string; payload: Record<string, unknown> };
}

describe('gaps in live positions', () => {
  it('fills a missing position from the table, once for all subscribers, in order', async () => {
    const created = await t.workspace.client.query(`mutation { createCustomer(input: { name: "Gap" }) { customer { id } } }`);
    const subscribers = Array.from({ length: 20 }, () => {
      const client = openWsClient(t.wsUrl, t.workspace.apiKey);
      return { client, sub: new SubscriptionCollector<EventData>(client, EVENTS) };
    });
    for (let i = 0; i < 200 && t.gateway.liveSubscribers < subscribers.length; i++) await new Promise((r) => setTimeout(r, 10));

    // Committed but never published (as if its process died before publishing), then a normal mutation after it.
    await commitUnpublishedEvent(t, t.workspace.workspaceId, created.createCustomer.customer.id, ['unpublished']);
    const statements = await t.sql.during(async () => {
      await t.workspace.client.query(`mutation ($id: ID!) { updateCustomer(input: { id: $id, name: "Gap 2" }) { customer { id } } }`, {
        id: created.createCustomer.customer.id,
      });
      for (const { sub } of subscribers) await sub.take(2);
    });

    for (const { sub, client } of subscribers) {
      expect(sub.results.map((r) => r.events.payload.changed)).toEqual([['unpublished'], ['name']]);
      sub.dispose();
      await client.dispose();
    }
    // The subscribers' catch-up reads: one shared read of the Event table, not one per subscriber (besides it, the
    // mutation reads back the positions its events got at commit, by id).
    const reads = statements.filter((sql) => /FROM ("public"\.)?"Event"/.test(sql) && sql.startsWith('SELECT'));
    expect(reads.filter((sql) => !/"id" (IN|= ANY)/.test(sql))).toHaveLength(1);
    expect(reads).toHaveLength(2);
  });
});
