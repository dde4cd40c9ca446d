import type http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ApiKeyVerifier, type CrmErrorCode, CrmError, isCrmError, type ObjectCatalog } from '@crm/core';
import { DeadlineExceededError, type SqlSession, withDeadline } from '@crm/db';
import { exportContentType, type ExportFormat, exportFormats, EXPORT_PAGE_SIZE, exportRequestFromText, exportText, planExport } from '@crm/graph';
import { bearerToken } from './authenticate.js';
import { describeError, type Logger } from './logger.js';
import type { RateLimiter } from './rate-limit/plugin.js';

export interface ExportRouteOptions {
  /** A workspace's declared objects: core's, the enabled plugins', and the workspace's custom fields. */
  catalogFor(workspaceId: string): Promise<ObjectCatalog>;
  verifier: ApiKeyVerifier;
  sql: SqlSession;
  logger: Logger;
  /** An export counts as one operation of the key. */
  rateLimiter: RateLimiter | null;
  /** How long each page's statement may take (`REQUEST_TIMEOUT_MS`: per page, not for the whole stream). @default 10000 */
  pageTimeoutMs?: number;
  /** Rows per page statement. @default EXPORT_PAGE_SIZE (2,000) */
  pageSize?: number;
}

/** The trailer (and last line) of an export that stopped early. */
const ERROR_TRAILER = 'X-Export-Error';

/**
 * The last line of an export that stopped after its status was sent: NDJSON gets an `{"error": …}` object, CSV one
 * cell starting `#ERROR` (a row no data row looks like: it has one column). The same text goes in the trailer.
 */
function stopLine(format: ExportFormat, code: string, message: string, rows: number): string {
  if (format === 'ndjson') return `${JSON.stringify({ error: { code, message, rowsExported: rows } })}\n`;
  return `"#ERROR ${code}: ${message.replace(/"/g, '""')} (${rows} rows exported before it)"\r\n`;
}

const statusOf: Partial<Record<CrmErrorCode | 'TIMEOUT', number>> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400, RATE_LIMITED: 429, TIMEOUT: 503 };

/** An error as the API writes them (`errors[].extensions.code` and `field`), with its HTTP status. */
function sendError(res: http.ServerResponse, error: { code: CrmErrorCode | 'TIMEOUT'; message: string; field?: string | null }, headers: Record<string, string> = {}) {
  res.writeHead(statusOf[error.code] ?? 400, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code, ...(error.field ? { field: error.field } : {}) } }] }));
}

const pageTimedOut = (timeoutMs: number) =>
  `a page of the export took longer than the server allows for one statement (REQUEST_TIMEOUT_MS, ${timeoutMs} ms); narrow the filter, or export the rest with a filter after the last row received`;

function formatOf(raw: string | null): ExportFormat {
  const format = (raw ?? 'csv').toLowerCase();
  if (!(exportFormats as readonly string[]).includes(format)) throw new CrmError('BAD_USER_INPUT', `format: one of ${exportFormats.join(', ')}`, 'format');
  return format as ExportFormat;
}

/**
 * `GET /export/<object>?filter=…&orderBy=…&fields=…&format=csv|ndjson`: a filtered list as CSV or NDJSON, streamed
 * page by page (keyset pages of the list's order; docs/data.md, "Export"). Authenticated by the API key; every check
 * (object, filter, order, columns, field permissions) runs before the first byte, so a bad request is a JSON error with
 * its status. Each page's statement has its own deadline (`pageTimeoutMs`); a page that fails or times out after the
 * status was sent ends the body with a last line saying so, and the `X-Export-Error` trailer.
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
      const catalog = await options.catalogFor(session.workspaceId);
      const plan = planExport(catalog, session, exportRequestFromText(object, { filter: params.get('filter'), orderBy: params.get('orderBy'), fields: params.get('fields') }));
      // Each page's statement runs under its own deadline: a long export is fine, one stuck statement is not.
      const timeoutMs = options.pageTimeoutMs ?? 10_000;
      const run = (text: string, values: readonly unknown[]) => withDeadline(timeoutMs, () => options.sql.query<Record<string, unknown>>(text, values));
      let rowsRead = 0;
      async function* counted() {
        for await (const page of plan.pages(run, options.pageSize ?? EXPORT_PAGE_SIZE)) {
          yield page;
          rowsRead += page.length;
        }
      }
      const chunks = exportText(plan.columns, counted(), format);
      // The first page is read before the status is sent (for CSV, after the header): a failing or timed-out first
      // statement is still an error response.
      const head: string[] = [];
      for (let i = 0; i < (format === 'csv' ? 2 : 1); i++) {
        const next = await chunks.next();
        if (next.done) break;
        head.push(next.value);
      }
      const day = new Date().toISOString().slice(0, 10);
      res.writeHead(200, {
        'content-type': exportContentType[format],
        'content-disposition': `attachment; filename="${plan.object.plural}-${day}.${format}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        trailer: ERROR_TRAILER,
      });
      started = true;
      if (req.method === 'HEAD') {
        await chunks.return(undefined);
        res.end();
        return true;
      }
      const logger = options.logger;
      async function* body() {
        yield* head;
        try {
          yield* { [Symbol.asyncIterator]: () => chunks };
        } catch (error) {
          // After the status: the stream ends with a line saying why it stopped, and the same in the trailer.
          const timedOut = error instanceof DeadlineExceededError;
          const code = timedOut ? 'TIMEOUT' : isCrmError(error) ? error.code : 'INTERNAL_SERVER_ERROR';
          const message = timedOut ? pageTimedOut(timeoutMs) : isCrmError(error) ? error.message : 'Unexpected error.';
          if (!timedOut && !isCrmError(error)) logger.error('export failed', describeError(error));
          res.addTrailers({ [ERROR_TRAILER]: `${code}: ${message}` });
          yield stopLine(format, code, message, rowsRead);
        }
      }
      // Backpressure: the next page is read only when the client has taken the previous one (one page buffered); a
      // client that hangs up stops the export.
      await pipeline(Readable.from(body(), { highWaterMark: 1 }), res);
    } catch (error) {
      if (res.destroyed && (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return true;
      if (!started && isCrmError(error)) sendError(res, error);
      else if (!started && error instanceof DeadlineExceededError) sendError(res, { code: 'TIMEOUT', message: pageTimedOut(options.pageTimeoutMs ?? 10_000) }, { 'retry-after': '5' });
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
