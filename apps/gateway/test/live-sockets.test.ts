// The graphql-ws socket binding (live/graphql-ws-transport.ts): keep-alive ends a peer that went silent without a
// close frame, a burst of messages arrives whole and in order through the batched writes, and other paths than
// /graphql are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openWsClient, SubscriptionCollector, startTestGateway, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

describe('graphql-ws sockets', () => {
  it('terminates a socket that stops answering pings, and keeps one that answers', async () => {
    // Its own gateway: a keep-alive this short would also end busy sockets of the other tests.
    const quick = await startTestGateway({ webSocket: { keepAliveMs: 150 } });
    const open = (autoPong: boolean) =>
      new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(quick.wsUrl, 'graphql-transport-ws', { autoPong });
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });
    const silent = await open(false); // like a peer whose network vanished: no pong, no close frame
    const healthy = await open(true);
    let pings = 0;
    healthy.on('ping', () => pings++);
    const closed = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
    const code = await Promise.race([closed, new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 2000))]);
    expect(code).toBe(1006); // terminated: no close handshake
    // The answering socket is pinged on every sweep and stays (its ping of the terminating sweep may still be on its way).
    for (let i = 0; i < 100 && pings < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(healthy.readyState).toBe(WebSocket.OPEN);
    healthy.close();
    await quick.close();
  });

  it('delivers a burst of events whole and in order through the batched writes', async () => {
    const client = openWsClient(t.wsUrl, t.workspace.apiKey);
    const sub = new SubscriptionCollector<{ events: { payload: { name: string } } }>(
      client,
      `subscription { events(types: ["customer.created"]) { payload } }`,
    );
    for (let i = 0; i < 200 && t.gateway.liveSubscribers < 1; i++) await new Promise((r) => setTimeout(r, 10));
    const names = Array.from({ length: 30 }, (_, i) => `Burst ${i}`);
    await Promise.all(names.map((name) => t.workspace.client.query(`mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`, { name })));
    const results = await sub.take(30);
    // Commit order is not request order, but every one arrives exactly once.
    expect(results.map((r) => r.events.payload.name).sort()).toEqual([...names].sort());
    sub.dispose();
    await client.dispose();
  });

  it('refuses WebSocket upgrades on other paths', async () => {
    const socket = new WebSocket(t.wsUrl.replace('/graphql', '/elsewhere'), 'graphql-transport-ws');
    socket.on('error', () => {}); // the refused handshake, expected
    const status = await new Promise<number>((resolve) => socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(400);
    socket.terminate();
  });
});
