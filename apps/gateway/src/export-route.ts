import type http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ApiKeyVerifier, type CrmErrorCode, CrmError, isCrmError, type ObjectCatalog } from '@crm/core';
import type { SqlSession } from '@crm/db';
import { exportContentType, type ExportFormat, exportFormats, exportRequestFromText, exportText, planExport } from '@crm/graph';
import { bearerToken } from './authenticate.js';
import { describeError, type Logger } from './logger.js';
import type { RateLimiter } from './rate-limit/plugin.js';

export interface ExportRouteOptions {
  /** The composed schema's declared objects (core's and the enabled plugins'). */
  catalog: ObjectCatalog;
  verifier: ApiKeyVerifier;
  sql: SqlSession;
  logger: Logger;
  /** An export counts as one operation of the key. */
  rateLimiter: RateLimiter | null;
}

const statusOf: Partial<Record<CrmErrorCode, number>> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400, RATE_LIMITED: 429 };

/** An error as the API writes them (`errors[].extensions.code` and `field`), with its HTTP status. */
function sendError(res: http.ServerResponse, error: CrmError, headers: Record<string, string> = {}) {
  res.writeHead(statusOf[error.code] ?? 400, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code, ...(error.field ? { field: error.field } : {}) } }] }));
}

function formatOf(raw: string | null): ExportFormat {
  const format = (raw ?? 'csv').toLowerCase();
  if (!(exportFormats as readonly string[]).includes(format)) throw new CrmError('BAD_USER_INPUT', `format: one of ${exportFormats.join(', ')}`, 'format');
  return format as ExportFormat;
}

/**
 * `GET /export/<object>?filter=…&orderBy=…&fields=…&format=csv|ndjson`: a filtered list as CSV or NDJSON, streamed
 * page by page (keyset pages of the list's order; docs/data.md, "Export"). Authenticated by the API key; every check
 * (object, filter, order, columns, field permissions) runs before the first byte, so a bad request is a JSON error with
 * its status; a failure after the first byte ends the response early (the client sees an incomplete transfer).
 */
export function exportRoute(options: ExportRouteOptions) {
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const match = /^\/export\/([^/]+)\/?$/.exec(url.pathname);
    if (!match) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'Exports are read with GET', extensions: { code: 'BAD_USER_INPUT' } }] }));
      return true;
    }
    let started = false;
    try {
      const token = bearerToken(req.headers.authorization);
      const session = token ? await options.verifier.verify(token) : null;
      if (!session) throw new CrmError('UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <apiKey>');
      if (options.rateLimiter && session.apiKeyId) {
        const verdict = await options.rateLimiter.buckets.take(session.apiKeyId);
        if (!verdict.allowed) {
          sendError(res, new CrmError('RATE_LIMITED', `Rate limit exceeded. Retry in ${verdict.retryAfterSeconds} s.`), { 'retry-after': String(verdict.retryAfterSeconds) });
          return true;
        }
      }
      const params = url.searchParams;
      const format = formatOf(params.get('format'));
      let object: string;
      try {
        object = decodeURIComponent(match[1]!);
      } catch {
        throw new CrmError('NOT_FOUND', 'An exportable object named so not found', 'object');
      }
      const plan = planExport(options.catalog, session, exportRequestFromText(object, { filter: params.get('filter'), orderBy: params.get('orderBy'), fields: params.get('fields') }));
      const run = (text: string, values: readonly unknown[]) => options.sql.query<Record<string, unknown>>(text, values);
      const chunks = exportText(plan.columns, plan.pages(run), format);
      // The first page is read before the status is sent: a failing statement is still an error response.
      const first = await chunks.next();
      const day = new Date().toISOString().slice(0, 10);
      res.writeHead(200, {
        'content-type': exportContentType[format],
        'content-disposition': `attachment; filename="${plan.object.plural}-${day}.${format}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      started = true;
      if (req.method === 'HEAD') {
        await chunks.return(undefined);
        res.end();
        return true;
      }
      async function* body() {
        if (!first.done) yield first.value;
        yield* { [Symbol.asyncIterator]: () => chunks };
      }
      // Backpressure: the next page is read only when the client has taken the previous one; a client that hangs up
      // stops the export.
      await pipeline(Readable.from(body()), res);
    } catch (error) {
      if (res.destroyed && (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return true;
      if (!started && isCrmError(error)) sendError(res, error);
      else {
        options.logger.error('export failed', describeError(error));
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }));
        } else res.destroy();
      }
    }
    return true;
  };
}
