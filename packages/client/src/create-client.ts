// createCrmClient: one urql Client for the CRM gateway, in browsers and in Node.
import { Client, type Exchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { retryExchange, type RetryExchangeOptions } from '@urql/exchange-retry';
import { type Client as SocketClient, createClient as createSocketClient } from 'graphql-ws';
import { crmCacheExchange } from './cache.js';
import { type KeepAliveOptions, watchPongs } from './keep-alive.js';

export interface CrmClientOptions {
  /** The GraphQL endpoint: `http://127.0.0.1:4000/graphql`, or `/graphql` in a page served by the gateway. */
  url: string;
  /** An API key (`crm_…`): sent as `Authorization: Bearer` on HTTP and in the socket's `connectionParams`. */
  apiKey: string;
  /**
   * The WebSocket class for subscriptions. Browsers and Node ≥ 22 have one; on Node 20 the package's `node`
   * entry passes `ws`. @default globalThis.WebSocket
   */
  webSocketImpl?: unknown;
  /**
   * `normalized`: graphcache with the schema (Relay pages merged, lists refreshed after mutations, optimistic deal
   * moves); `none`: no cache, every operation goes to the network. @default 'normalized'
   */
  cache?: 'normalized' | 'none';
  /** Retries of network errors (not GraphQL errors), with exponential backoff and jitter. */
  retry?: RetryExchangeOptions;
  /** Replaces `fetch` (tests, proxies). @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * Dead-socket detection: a ping every `pingIntervalMs`; no pong within `pongTimeoutMs` and the socket is dropped
   * and reconnected (a socket that died without a close frame, e.g. a laptop waking up or a NAT forgetting the
   * connection, otherwise looks open for minutes). `false` turns it off.
   * @default { pingIntervalMs: 10_000, pongTimeoutMs: 5_000 }
   */
  keepAlive?: KeepAliveOptions | false;
}

export type { KeepAliveOptions } from './keep-alive.js';

const sockets = new WeakMap<Client, SocketClient>();

/** The graphql-ws client behind a client made by `createCrmClient` (to watch reconnects). */
export function socketOf(client: Client): SocketClient {
  const socket = sockets.get(client);
  if (!socket) throw new Error('Not a client made by createCrmClient');
  return socket;
}

/** `/graphql` → `ws://<host>/graphql` in a browser; `http(s)://…` → `ws(s)://…`. */
function socketUrl(url: string): string {
  const base = typeof location === 'undefined' ? undefined : location.href;
  const absolute = new URL(url, base);
  absolute.protocol = absolute.protocol === 'https:' ? 'wss:' : 'ws:';
  return absolute.toString();
}

/**
 * Close codes that retrying will not fix: a bad key (4403 Forbidden), protocol errors (4400, 4401, 4406, 4409),
 * too many init requests (4429), server errors (4500) and the client's own fatal codes (4004, 4005). Everything else
 * (a dropped connection 1006, a restart 1001, an init timeout 4408) reconnects.
 */
const FATAL_CLOSE_CODES = new Set([4004, 4005, 4400, 4401, 4403, 4406, 4409, 4429, 4500]);
const retryable = (event: unknown) => !FATAL_CLOSE_CODES.has((event as { code?: number } | null)?.code ?? 0);

/** Exponential backoff with jitter between reconnects: 250 ms, 500 ms, 1 s … up to 10 s. */
const socketBackoff = (retries: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.min(10_000, 250 * 2 ** retries) * (0.5 + Math.random() / 2)));

/** A configured urql Client: fetch + retry of network errors + graphcache, subscriptions over graphql-ws. */
export function createCrmClient(options: CrmClientOptions): Client {
  const authorization = `Bearer ${options.apiKey}`;
  const webSocketImpl = options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
  if (!webSocketImpl) throw new Error('No WebSocket here: pass webSocketImpl (e.g. `ws`), or import @crm/client under Node');
  const keepAlive = options.keepAlive === false ? null : watchPongs(options.keepAlive);
  const socket = createSocketClient({
    url: socketUrl(options.url),
    webSocketImpl,
    connectionParams: { authorization },
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: retryable,
    retryWait: socketBackoff,
    ...(keepAlive ? { keepAlive: keepAlive.pingIntervalMs, on: keepAlive.listeners } : {}),
  });
  keepAlive?.attach(socket);

  const exchanges: Exchange[] = [];
  if (options.cache !== 'none') exchanges.push(crmCacheExchange());
  exchanges.push(
    retryExchange({
      initialDelayMs: 250,
      maxDelayMs: 5000,
      randomDelay: true,
      maxNumberAttempts: 5,
      // Subscriptions reconnect inside graphql-ws; a socket error that reaches here is final.
      retryIf: (error, operation) => !!error.networkError && operation.kind !== 'subscription',
      ...options.retry,
    }),
    fetchExchange,
    subscriptionExchange({
      forwardSubscription: (request) => ({
        subscribe: (sink) => ({ unsubscribe: socket.subscribe({ ...request, query: request.query ?? '' }, sink) }),
      }),
    }),
  );

  const client = new Client({
    url: options.url,
    exchanges,
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization } }),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  sockets.set(client, socket);
  return client;
}

/** Closes the client's socket (ends its subscriptions); a Node process can then exit. */
export async function disposeCrmClient(client: Client): Promise<void> {
  await sockets.get(client)?.dispose();
}
