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
      return callback(Object.assign(new Error(`${hostname} resolves to a non-public address (${refused?.address ?? 'none'})`), { code: 'EACCES' }), '', 4);
    }
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

/**
 * POSTs a webhook body. Redirects are not followed (a 3xx is a failure: following one could lead anywhere). Never
 * throws: every outcome is a {@link PostResult}.
 */
export function postWebhook(url: string, body: string, headers: Record<string, string>, options: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const target = new URL(url);
  const problem = webhookUrlProblem(target, { allowPrivateTargets: options.allowPrivateTargets });
  if (problem) return Promise.resolve({ status: null, error: problem, durationMs: 0 });
  const transport = target.protocol === 'https:' ? https : http;

  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<PostResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: elapsed() });
    };
    const request = transport.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ...(options.allowPrivateTargets ? {} : { lookup: publicOnlyLookup }),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        let snippet = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (snippet.length < MAX_SNIPPET) snippet += chunk;
        });
        response.on('end', () => {
          if (status >= 200 && status < 300) return finish({ status, error: null });
          const text = snippet.slice(0, MAX_SNIPPET).trim();
          const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
          finish({ status, error: `HTTP ${status}${redirect}${text ? `: ${text}` : ''}` });
        });
        response.on('error', (error) => finish({ status, error: error.message }));
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`No answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    request.on('error', (error) => finish({ status: null, error: error.message || String(error) }));
    request.end(body);
  });
}
