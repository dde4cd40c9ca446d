import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { WriteBatcher } from './write-batcher.js';

/** What graphql-ws hands our callbacks as `ctx.extra`. */
export interface SocketExtra {
  readonly socket: WebSocket;
  readonly request: http.IncomingMessage;
}

export interface GraphQLWsTransportOptions {
  server: http.Server;
  path: string;
  /** Largest message a client may send, in bytes. */
  maxPayload: number;
  /** Ping every socket this often; a socket that has not answered the previous ping by then is terminated. */
  keepAliveMs: number;
  /** Write batching window (see write-batcher.ts). */
  flushWindowMs: number;
  /**
   * Past this many unsent bytes on a socket, a send waits until its bytes are written: a slow client slows its own
   * subscriptions (whose queues end it when they overflow) instead of growing the gateway's memory.
   */
  highWaterBytes: number;
}

export interface GraphQLWsTransport {
  /** Closes every socket (1001 Going away) and stops accepting new ones. */
  close(): Promise<void>;
}

/**
 * graphql-ws's protocol core (`makeServer`) on `ws` sockets. graphql-ws/use/ws does the same, but it awaits every
 * message's write and writes each message on its own; here messages are written through a WriteBatcher and a send
 * resolves once its message is queued, unless the socket is backed up.
 */
export function serveGraphQLWs(
  serverOptions: ServerOptions<Record<string, unknown> | undefined, SocketExtra>,
  options: GraphQLWsTransportOptions,
): GraphQLWsTransport {
  const protocol = makeServer(serverOptions);
  const batcher = new WriteBatcher(options.flushWindowMs);
  const wss = new WebSocketServer({
    noServer: true,
    path: options.path,
    maxPayload: options.maxPayload,
    handleProtocols: (protocols) => handleProtocols(protocols),
  });
  const isProd = process.env.NODE_ENV === 'production';
  const alive = new WeakSet<WebSocket>();

  const onUpgrade = (request: http.IncomingMessage, raw: Duplex, head: Buffer) => {
    // ws answers 400 itself when the path is not ours.
    wss.handleUpgrade(request, raw, head, (socket) => accept(socket, request, raw));
  };
  options.server.on('upgrade', onUpgrade);

  const accept = (socket: WebSocket, request: http.IncomingMessage, raw: Duplex) => {
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
    socket.once('error', (error) => {
      console.error('WebSocket error', error);
      socket.close(CloseCode.InternalServerError, isProd ? 'Internal server error' : reasonOf(error));
    });
    const closed = protocol.opened(
      {
        protocol: socket.protocol,
        send: (data) => {
          if (socket.readyState !== socket.OPEN) return;
          batcher.hold(raw);
          if (socket.bufferedAmount < options.highWaterBytes) {
            socket.send(data, noop); // a failed write closes the socket; `close` below cleans up
            return;
          }
          return new Promise<void>((resolve, reject) => socket.send(data, (error) => (error ? reject(error) : resolve())));
        },
        close: (code, reason) => {
          batcher.release(raw);
          socket.close(code, reason);
        },
        onMessage: (callback) =>
          socket.on('message', async (data) => {
            try {
              await callback(String(data));
            } catch (error) {
              console.error('graphql-ws message handling failed', error);
              socket.close(CloseCode.InternalServerError, isProd ? 'Internal server error' : reasonOf(error));
            }
          }),
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => {
      batcher.release(raw);
      void closed(code, String(reason));
    });
  };

  // One sweep for all sockets (not a timer per socket): ping the live, terminate those that missed the last ping.
  const keepAlive = setInterval(() => {
    for (const socket of wss.clients) {
      if (socket.readyState !== socket.OPEN) continue;
      if (!alive.delete(socket)) {
        socket.terminate();
        continue;
      }
      socket.ping();
    }
  }, options.keepAliveMs);
  keepAlive.unref();

  let closing: Promise<void> | null = null;
  return {
    close: () =>
      (closing ??= (async () => {
        clearInterval(keepAlive);
        options.server.off('upgrade', onUpgrade);
        for (const socket of wss.clients) socket.close(1001, 'Going away');
        batcher.close();
        await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
      })()),
  };
}

function noop(): void {}

/** A close reason must fit in a control frame (123 bytes). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return Buffer.byteLength(message) > 123 ? 'Internal server error' : message;
}
