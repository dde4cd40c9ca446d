import http from 'node:http';
import { type Database, withDeadline } from '@crm/db';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_UPLOAD_BYTES, type GraphQLApp, operationNames } from './graphql-app.js';
import { KeepAliveDrain } from './keep-alive-drain.js';
import { loggedPath } from './logged-path.js';
import type { Logger } from './logger.js';

export interface HttpServerOptions {
  app: GraphQLApp;
  database: Database;
  logger: Logger;
  /** Largest request body accepted. @default 1 MiB */
  maxBodyBytes?: number;
  /** Largest multipart request body (a CSV file for `importRecords`), refused up front by its Content-Length. @default 100 MiB */
  maxUploadBytes?: number;
  /** Each GraphQL request's deadline (request-deadline.ts). @default 10000 */
  requestTimeoutMs?: number;
  /** Extra routes tried before GraphQL (e.g. the dashboard's static files); return true when handled. */
  routes?: ((req: http.IncomingMessage, res: http.ServerResponse) => boolean | Promise<boolean>)[];
  /** Handles each request inside its trace span (tracing/tracing.ts). */
  traceRequest?: (req: http.IncomingMessage, res: http.ServerResponse, handle: () => Promise<void>) => Promise<void>;
  /** Told of every finished request, /health and /ready included (metrics). */
  onFinished?: (request: { path: string; operation: string | null; status: number; durationMs: number }) => void;
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function databaseAnswers(database: Database, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      database.sql.query('SELECT 1').then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** An HTTP server that knows how many requests are still being handled (a client may hang up mid-request). */
export interface CrmHttpServer extends http.Server {
  /** Resolves when no request is being handled, or after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void>;
  /** Closes each connection as soon as it has no request left (shutdown), instead of keeping it alive. */
  endKeepAlive(): void;
}

/** The HTTP front door: `/health`, `/ready`, the body limit, the access log, then GraphQL on `/graphql`. */
export function createHttpServer(options: HttpServerOptions): CrmHttpServer {
  const { app, database, logger } = options;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxUpload = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  let inFlight = 0;
  const waiters = new Set<() => void>();
  const server = http.createServer(async (req, res) => {
    drain.track(res);
    inFlight++;
    try {
      await (options.traceRequest ? options.traceRequest(req, res, () => handle(req, res)) : handle(req, res));
    } finally {
      if (--inFlight === 0) for (const wake of waiters) wake();
    }
  }) as CrmHttpServer;
  const drain = new KeepAliveDrain(server);
  server.endKeepAlive = () => drain.start();
  server.drained = (timeoutMs) =>
    new Promise<void>((resolve) => {
      if (inFlight === 0) return resolve();
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
      waiters.add(done);
    });
  return server;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0]!;
    res.on('finish', () => {
      const finished = { path: loggedPath(path), operation: operationNames.get(req) ?? null, status: res.statusCode, durationMs: performance.now() - started };
      options.onFinished?.(finished);
      if (path === '/health' || path === '/ready') return;
      logger.info('request', { method: req.method, ...finished, durationMs: Math.round(finished.durationMs * 10) / 10 });
    });
    try {
      if (path === '/health') return send(res, 200, { status: 'ok' });
      if (path === '/ready') {
        const ready = await databaseAnswers(database, 2000);
        return send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'database unavailable' });
      }
      if (req.method === 'POST') {
        const length = req.headers['content-length'];
        // An upload may stream without a length (chunked): its bytes are counted as they arrive (upload/multipart-upload.ts).
        const upload = req.headers['content-type']?.startsWith('multipart/form-data') ?? false;
        if (length === undefined && req.headers['transfer-encoding'] && !(upload && path === '/graphql')) {
          return send(res, 411, { errors: [{ message: 'Send a Content-Length header', extensions: { code: 'BAD_USER_INPUT' } }] });
        }
        const limit = upload ? maxUpload : maxBody;
        if (Number(length) > limit) {
          return send(res, 413, { errors: [{ message: `Request body over ${limit} bytes`, extensions: { code: 'BAD_USER_INPUT' } }] });
        }
      }
      for (const route of options.routes ?? []) if (await route(req, res)) return;
      if (path === '/graphql') return void (await withDeadline(options.requestTimeoutMs ?? 10_000, () => app.handle(req, res)));
      if (path === '/') {
        res.writeHead(302, { location: '/graphql' });
        return void res.end();
      }
      send(res, 404, { error: 'Not found. GraphQL is served on /graphql.' });
    } catch (error) {
      logger.error('unhandled request error', { error: String(error) });
      if (!res.headersSent) send(res, 500, { error: 'Internal error' });
      else res.end();
    }
  }
}
