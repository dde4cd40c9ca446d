// A socket that dies without a close frame (the network between client and gateway goes silent) is detected by the
// client's ping/pong timeout, and the resumable stream resumes after its last cursor: nothing lost, nothing twice.
// A TCP proxy between client and gateway plays the network: `silence()` stops forwarding on the connections open at
// that moment, in both directions, without closing them (no FIN, no RST, no close frame); new connections work.
import net from 'node:net';
import { startTestGateway, type TestGateway } from '@crm/gateway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, createCrmClient, disposeCrmClient, graphql, socketOf, subscribeToEvents } from '../src/node.js';

interface SilentableProxy {
  url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Stops forwarding on every open connection, keeping them open. */
  silence(): void;
  close(): Promise<void>;
}

async function startProxy(target: URL): Promise<SilentableProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; silent: boolean }>();
  let connections = 0;
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(Number(target.port), target.hostname);
    const pair = { client, upstream, silent: false };
    pairs.add(pair);
    // Forward by hand (not pipe) so that a silenced pair drops bytes and ends instead of passing them on.
    const forward = (from: net.Socket, to: net.Socket) => {
      from.on('data', (chunk) => void (pair.silent || to.write(chunk)));
      from.on('end', () => void (pair.silent || to.end()));
      from.on('error', () => void (pair.silent || to.destroy()));
    };
    forward(client, upstream);
    forward(upstream, client);
    const forget = () => void (!pair.silent && pairs.delete(pair));
    client.on('close', forget);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    get connections() {
      return connections;
    },
    silence() {
      for (const pair of pairs) pair.silent = true;
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const createCustomer = graphql(`
  mutation DeadSocketCustomer($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }
`);

let t: TestGateway;
let proxy: SilentableProxy;
/** Mutations go straight to the gateway (not through the proxy), as another user's would. */
let writer: Client;
beforeAll(async () => {
  t = await startTestGateway();
  proxy = await startProxy(new URL(t.url));
  writer = createCrmClient({ url: `${t.url}/graphql`, apiKey: t.workspace.apiKey, cache: 'none' });
});
afterAll(async () => {
  if (writer) await disposeCrmClient(writer);
  await proxy?.close();
  await t?.close();
});

async function create(name: string) {
  const result = await writer.mutation(createCustomer, { input: { name } }).toPromise();
  if (result.error) throw result.error;
}

/** Creates markers until the stream delivers one: it is then live (it starts at the present). */
async function untilLive(names: string[]) {
  let last = '';
  for (let i = 0; !names.some((name) => name.startsWith('Marker')); i++) {
    last = `Marker ${i}`;
    await create(last);
    await sleep(50);
  }
  // Every marker after the first one seen arrives too (a busy machine can deliver one late): wait for the last.
  await waitFor(() => names.includes(last), 10_000);
  names.length = 0;
}

describe('a socket that goes silent', () => {
  it('is detected by the pong timeout and reconnected; the stream resumes with nothing lost or duplicated', async () => {
    const client = createCrmClient({ url: proxy.url, apiKey: t.workspace.apiKey, keepAlive: { pingIntervalMs: 200, pongTimeoutMs: 300 } });
    const names: string[] = [];
    const stream = subscribeToEvents(client, { types: ['customer.created'] }, (event) => names.push((event.payload as { name: string }).name));
    const closes: number[] = [];
    let reconnectedAt = 0;
    socketOf(client).on('closed', (event) => void closes.push((event as { code: number }).code));
    socketOf(client).on('connected', (_s, _p, wasRetry) => void (wasRetry && (reconnectedAt = Date.now())));
    await untilLive(names);
    const connectionsBefore = proxy.connections;

    const expected = Array.from({ length: 20 }, (_, i) => `Silent ${String(i).padStart(2, '0')}`);
    let silencedAt = 0;
    for (const [i, name] of expected.entries()) {
      if (i === 5) {
        proxy.silence();
        silencedAt = Date.now();
      }
      await create(name);
      await sleep(40); // the 15 events after the silence arrive while the socket is dead, then on the new one
    }
    await waitFor(() => names.length >= expected.length, 10_000);
    await sleep(300); // anything late would be a duplicate
    stream.unsubscribe();
    await disposeCrmClient(client);

    expect(names).toEqual(expected);
    expect(closes[0]).toBe(4499); // graphql-ws' "Terminated": closed by the pong timeout, not by the network
    expect(proxy.connections).toBeGreaterThan(connectionsBefore); // a new connection through the proxy
    // Detected within a ping interval plus the pong timeout (and the first reconnect's backoff, ≤ 250 ms).
    expect(reconnectedAt - silencedAt).toBeLessThan(200 + 300 + 250 + 500);
  });

  it('goes unnoticed without keep-alive (what the pong timeout fixes)', async () => {
    const client = createCrmClient({ url: proxy.url, apiKey: t.workspace.apiKey, keepAlive: false });
    const names: string[] = [];
    const stream = subscribeToEvents(client, { types: ['customer.created'] }, (event) => names.push((event.payload as { name: string }).name));
    let closed = 0;
    socketOf(client).on('closed', () => void closed++);
    await untilLive(names);
    proxy.silence();
    await create('Never delivered');
    await sleep(1500); // three times what the test above needed to detect it
    expect(names).toEqual([]);
    expect(closed).toBe(0);
    stream.unsubscribe();
    socketOf(client).terminate(); // dispose() would wait for a closing handshake the silent socket never answers
    await disposeCrmClient(client);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}
