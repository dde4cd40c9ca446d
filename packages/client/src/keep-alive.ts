// Dead-socket detection for graphql-ws: a ping every interval, and when its pong does not come back in time the
// socket is terminated, so graphql-ws reconnects (and subscribeToEvents resumes after its last cursor). graphql-ws'
// own `keepAlive` only sends pings; a socket that died without a close frame (the peer vanished, a NAT or proxy
// dropped the connection) would otherwise look open until the operating system gives up on it, minutes later.
import type { Client as SocketClient, EventListener } from 'graphql-ws';

export interface KeepAliveOptions {
  /** Milliseconds between pings (graphql-ws `keepAlive`). @default 10_000 */
  pingIntervalMs?: number;
  /** Milliseconds to wait for the pong before the socket counts as dead. @default 5_000 */
  pongTimeoutMs?: number;
}

export const DEFAULT_PING_INTERVAL_MS = 10_000;
export const DEFAULT_PONG_TIMEOUT_MS = 5_000;

/** A socket of any WebSocket implementation; `ws` (Node) also has `terminate()`, which drops it at once. */
interface AnySocket {
  terminate?: () => void;
}

/**
 * The graphql-ws listeners that time pongs, and `attach` to hand them the client to terminate. Timers belong to one
 * socket: a pong timer of a socket that has already closed never terminates its successor.
 */
export function watchPongs(options: KeepAliveOptions = {}) {
  const pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
  const pongTimeoutMs = options.pongTimeoutMs ?? DEFAULT_PONG_TIMEOUT_MS;
  if (!(pingIntervalMs > 0) || !(pongTimeoutMs > 0)) throw new Error('keepAlive: pingIntervalMs and pongTimeoutMs must be positive');
  let client: SocketClient | null = null;
  let current: unknown = null;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  const stopTimer = () => clearTimeout(pongTimer);

  const listeners: { opened: EventListener<'opened'>; ping: EventListener<'ping'>; pong: EventListener<'pong'>; closed: EventListener<'closed'> } = {
    opened: (socket) => {
      stopTimer();
      current = socket;
    },
    // `received` is false for the pings this client sends (graphql-ws emits the event after sending).
    ping: (received) => {
      if (received) return;
      const pinged = current;
      stopTimer();
      pongTimer = setTimeout(() => {
        if (pinged !== current || !client) return;
        current = null;
        // graphql-ws reports a synthetic close (4499 Terminated) at once and retries; `ws` also frees the TCP socket,
        // where a browser's close() would wait for a closing handshake that never comes.
        client.terminate();
        (pinged as AnySocket).terminate?.();
      }, pongTimeoutMs);
    },
    pong: (received) => {
      if (received) stopTimer();
    },
    closed: () => {
      stopTimer();
      current = null;
    },
  };

  return {
    pingIntervalMs,
    listeners,
    attach(socketClient: SocketClient) {
      client = socketClient;
    },
  };
}
