import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { isNonPublicAddress, webhookUrlProblem } from '@crm/core';
import { HEADER_VALUE, OUTBOUND_RESERVED_HEADERS } from '@crm/plugin-sdk/host';
import type { Logger } from '../logger.js';

export interface PostResult {
  /** The answer's HTTP status; null when there was no answer (connection error, timeout, refused target). */
  status: number | null;
  /** Why it failed; null for a 2xx answer. */
  error: string | null;
  durationMs: number;
}

/** Resolves a host name to all its addresses, as `dns.lookup(name, { all: true })` does. */
export type ResolveAll = (hostname: string, callback: (error: Error | null, addresses: dns.LookupAddress[]) => void) => void;

export interface PostOptions {
  timeoutMs: number;
  allowPrivateTargets: boolean;
  /** How host names resolve (the addresses the SSRF policy checks and connects to). @default dns.lookup */
  resolve?: ResolveAll;
  /** Where a refused name's address is told (the operator's log: never the answer, which the sender's tenant reads). */
  logger?: Pick<Logger, 'warn'>;
  /** Who sends (workspace, and plugin or webhook): named in that log line, so an operator can tell who probes. */
  origin?: Record<string, string>;
}

const systemResolve: ResolveAll = (hostname, callback) => dns.lookup(hostname, { all: true }, (error, addresses) => callback(error, addresses ?? []));

/** Most of an answer's body kept for the delivery log. */
const MAX_SNIPPET = 200;
/** The answer's body kept by `sendRequest` unless told otherwise. */
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * A name that resolves to a non-public address (the SSRF policy), told apart from other connection errors. Its
 * message does not hold the address: it reaches whoever made the request (a webhook's delivery log, an HTTP step's
 * run history), and the addresses of internal names are what a tenant probing the network would want to learn.
 */
class NonPublicTarget extends Error {
  readonly code = 'EACCES';
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(`${hostname} resolves to a loopback, private or link-local address (the SSRF policy)`);
  }
}

/**
 * Resolves like `dns.lookup` but refuses names that resolve to a non-public address. Used as the socket's own
 * lookup, so the address checked is the address connected to (no window for DNS rebinding).
 */
const publicOnlyLookup = (resolve: ResolveAll): LookupFunction => (hostname, options, callback) => {
  resolve(hostname, (error, list) => {
    if (error) return callback(error, '', 4);
    const wanted = options.family === 4 || options.family === 6 ? list.filter((a) => a.family === options.family) : list;
    const refused = list.find((a) => isNonPublicAddress(a.address));
    if (refused) return callback(new NonPublicTarget(hostname, refused.address), '', 4);
    if (!wanted.length) {
      const family = options.family === 4 || options.family === 6 ? `IPv${options.family} ` : '';
      return callback(Object.assign(new Error(`${hostname} has no ${family}address`), { code: 'ENOTFOUND' }), '', 4);
    }
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, wanted);
    callback(null, wanted[0]!.address, wanted[0]!.family);
  });
};

export interface SentRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  /** None: no body (and no content-length). */
  body?: string;
  headers: Record<string, string>;
}

/** What `sendRequest` answers (the SDK's `OutboundAnswer`). */
export interface SentAnswer extends PostResult {
  failure: 'refused' | 'timeout' | 'connection' | null;
  headers: Record<string, string>;
  body: string;
  truncated: boolean;
}

/** Why `headers` cannot be sent as asked (a reserved name, a value HTTP cannot carry), or null. */
function headersProblem(headers: Record<string, string>): string | null {
  for (const [name, value] of Object.entries(headers)) {
    if (OUTBOUND_RESERVED_HEADERS.has(name.toLowerCase())) return `The ${name} header is set by the sender itself`;
    if (!HEADER_VALUE.test(value)) return `The ${name} header's value is not one line of Latin-1 text (no control characters, nothing beyond U+00FF)`;
  }
  return null;
}

/**
 * Keep-alive off: every request opens its own connection, so the address it connects to always goes through the
 * socket's lookup (the SSRF check). A pooled socket — which other code in the process may have opened to an internal
 * host — would skip it.
 */
const agents = { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) };

/** A body cut at `maxBytes`: a multi-byte character cut in two is left out (not decoded as U+FFFD). */
const decodedStart = (bytes: Buffer) => new StringDecoder('utf8').write(bytes);

/**
 * Sends one request under the SSRF policy. Redirects are not followed (a 3xx is a failure: following one could lead
 * anywhere). The answer's body is kept up to `maxResponseBytes`. Never throws: every outcome is a {@link SentAnswer}.
 */
export function sendRequest(request: SentRequest, options: PostOptions & { maxResponseBytes?: number }): Promise<SentAnswer> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const none = { headers: {}, body: '', truncated: false };
  let target: URL;
  try {
    target = new URL(request.url);
  } catch {
    return Promise.resolve({ status: null, error: `Not a URL: ${request.url}`, durationMs: 0, failure: 'refused', ...none });
  }
  const problem = webhookUrlProblem(target, { allowPrivateTargets: options.allowPrivateTargets });
  if (problem) return Promise.resolve({ status: null, error: problem, durationMs: 0, failure: 'refused', ...none });
  const refusedHeaders = headersProblem(request.headers);
  if (refusedHeaders) return Promise.resolve({ status: null, error: refusedHeaders, durationMs: 0, failure: 'refused', ...none });
  const transport = target.protocol === 'https:' ? https : http;
  const agent = target.protocol === 'https:' ? agents.https : agents.http;

  return new Promise<SentAnswer>((resolve) => {
    let settled = false;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: Omit<SentAnswer, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: elapsed() });
    };
    const answered = (response: http.IncomingMessage) => {
      const status = response.statusCode ?? 0;
      const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : String(v ?? '')]));
      const chunks: Buffer[] = [];
      let size = 0;
      const complete = (truncated: boolean) => {
        const bytes = Buffer.concat(chunks);
        const body = truncated ? decodedStart(bytes) : bytes.toString('utf8');
        if (status >= 200 && status < 300) return finish({ status, error: null, failure: null, headers, body, truncated });
        const text = body.slice(0, MAX_SNIPPET).trim();
        const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
        finish({ status, error: `HTTP ${status}${redirect}${text ? `: ${text}` : ''}`, failure: null, headers, body, truncated });
      };
      response.on('data', (chunk: Buffer) => {
        const kept = chunk.subarray(0, maxBytes - size);
        chunks.push(kept);
        size += kept.length;
        if (kept.length === chunk.length) return;
        // Past the cap: the answer is what was kept; the rest is not downloaded.
        complete(true);
        response.destroy();
      });
      response.on('end', () => complete(false));
      response.on('error', (error) => finish({ status, error: error.message, failure: 'connection', ...none }));
    };
    let outgoing: http.ClientRequest;
    try {
      outgoing = transport.request(
        target,
        {
          method: request.method,
          agent,
          headers: { ...request.headers, ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }) },
          ...(options.allowPrivateTargets ? {} : { lookup: publicOnlyLookup(options.resolve ?? systemResolve) }),
        },
        answered,
      );
    } catch (error) {
      // Node refuses what it cannot send (a header name or value it does not accept) by throwing: an answer, not a throw.
      return finish({ status: null, error: `The request cannot be sent: ${error instanceof Error ? error.message : String(error)}`, failure: 'refused', ...none });
    }
    timer = setTimeout(() => {
      timedOut = true;
      outgoing.destroy(new Error(`No answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    outgoing.on('error', (error) => {
      if (error instanceof NonPublicTarget) options.logger?.warn('outgoing request refused: the name resolves to a non-public address', { ...options.origin, hostname: error.hostname, address: error.address });
      const failure = error instanceof NonPublicTarget ? 'refused' : timedOut ? 'timeout' : 'connection';
      finish({ status: null, error: error.message || String(error), failure, ...none });
    });
    outgoing.end(request.body);
  });
}

/** POSTs a webhook body ({@link sendRequest}, keeping only what the delivery log needs). */
export async function postWebhook(url: string, body: string, headers: Record<string, string>, options: PostOptions): Promise<PostResult> {
  const { status, error, durationMs } = await sendRequest({ method: 'POST', url, body, headers }, { ...options, maxResponseBytes: MAX_SNIPPET });
  return { status, error, durationMs };
}
