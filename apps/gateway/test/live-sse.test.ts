import { eventCursor } from '@crm/graph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

// CONTRACT.md: subscriptions are served over Server-Sent Events on /graphql too (GraphQL over SSE, "distinct
// connections" mode: one POST per subscription, answered with text/event-stream).
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

/** Reads `data:` payloads of `next` events from an SSE response until `count` arrived. */
async function readEvents(response: Response, count: number): Promise<unknown[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const received: unknown[] = [];
  let buffer = '';
  while (received.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = message.split('\n').find((line) => line.startsWith('data:'));
      if (message.includes('event: next') && data) received.push(JSON.parse(data.slice(5)));
    }
  }
  await reader.cancel();
  return received;
}

describe('events over Server-Sent Events', () => {
  it('streams the workspace’s events to an authenticated SSE client', async () => {
    // Subscribing after the workspace's current position makes delivery independent of timing: the event is
    // replayed if it commits before the stream attaches to the bus, and arrives live otherwise.
    const sequence = await t.database.prisma.eventSequence.findUnique({ where: { workspaceId: t.workspace.workspaceId } });
    const eventSeq = sequence?.lastSeq ?? 0n;
    const abort = new AbortController();
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${t.workspace.apiKey}` },
      body: JSON.stringify({
        query: `subscription ($after: String) { events(types: ["customer.created"], after: $after) { type subject { ... on Customer { name } } } }`,
        variables: { after: eventCursor(eventSeq) },
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = readEvents(response, 1);
    await t.workspace.client.query(`mutation { createCustomer(input: { name: "Sse Sam" }) { customer { id } } }`);
    expect(await events).toEqual([{ data: { events: { type: 'customer.created', subject: { name: 'Sse Sam' } } } }]);
    abort.abort();
  });

  it('refuses an SSE subscription without a key', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: `subscription { events { type } }` }),
    });
    const text = await response.text();
    expect(text).toMatch(/UNAUTHENTICATED/);
  });
});
