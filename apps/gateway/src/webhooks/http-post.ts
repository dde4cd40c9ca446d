import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isNonPublicAddress, webhookUrlProblem } from '@crm/core';

export interface PostResult {
  /** The answer's HTTP status; null when there was no answer (connection error, timeout, refused target). */
  status: number | null;
  /** Why it failed; null for a 2xx answer. */
  error: string | null;
  durationMs: number;
}

export interface PostOptions {
  timeoutMs: number;
  allowPrivateTargets: boolean;
}

/** Most of an answer's body kept for the delivery log. */
const MAX_SNIPPET = 200;
/** The answer's body kept by `sendRequest` unless told otherwise. */
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

/** A name that resolves to a non-public address (the SSRF policy), told apart from other connection errors. */
class NonPublicTarget extends Error {
  readonly code = 'EACCES';
}

/**
 * Resolves like `dns.lookup` but refuses names that resolve to a non-public address. Used as the socket's own
 * lookup, so the address checked is the address connected to (no window for DNS rebinding).
 */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 4);
    const list = addresses as dns.LookupAddress[];
    const refused = list.find((a) => isNonPublicAddress(a.address));
    if (refused || !list.length) {
      return callback(new NonPublicTarget(`${hostname} resolves to a non-public address (${refused?.address ?? 'none'})`), '', 4);
    }
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
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
  const transport = target.protocol === 'https:' ? https : http;

  return new Promise<SentAnswer>((resolve) => {
    let settled = false;
    let timedOut = false;
    const finish = (result: Omit<SentAnswer, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: elapsed() });
    };
    const outgoing = transport.request(
      target,
      {
        method: request.method,
        headers: { ...request.headers, ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }) },
        ...(options.allowPrivateTargets ? {} : { lookup: publicOnlyLookup }),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : String(v ?? '')]));
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        response.on('data', (chunk: Buffer) => {
          if (size >= maxBytes) {
            truncated = true;
            return;
          }
          const kept = chunk.subarray(0, maxBytes - size);
          if (kept.length < chunk.length) truncated = true;
          chunks.push(kept);
          size += kept.length;
        });
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (status >= 200 && status < 300) return finish({ status, error: null, failure: null, headers, body, truncated });
          const text = body.slice(0, MAX_SNIPPET).trim();
          const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
          finish({ status, error: `HTTP ${status}${redirect}${text ? `: ${text}` : ''}`, failure: null, headers, body, truncated });
        });
        response.on('error', (error) => finish({ status, error: error.message, failure: 'connection', ...none }));
      },
    );
    const timer = setTimeout(() => {
      timedOut = true;
      outgoing.destroy(new Error(`No answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    outgoing.on('error', (error) => {
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
