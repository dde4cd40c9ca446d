// Outgoing HTTP for plugins: the gateway's webhook sender, with its signature and SSRF policy.
import { webhookUrlProblem } from '@crm/core';

/**
 * Headers `request` sets itself and a caller may not: the framing (`host`, `content-length`, `transfer-encoding`,
 * `connection`) and `accept-encoding` (the answer's body is read as text: it is never decompressed). A request naming
 * one is answered `failure: 'refused'`, nothing sent. (`x-crm-signature` is always the request's own.)
 */
export const OUTBOUND_RESERVED_HEADERS: ReadonlySet<string> = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'accept-encoding']);

/**
 * A header value HTTP (and Node) can send: one line of Latin-1 text — tab, printable ASCII and U+0080–U+00FF; no
 * control character, no line break, nothing beyond U+00FF ("Łukasz", "山田"). Another value is answered
 * `failure: 'refused'`, nothing sent.
 */
export const HEADER_VALUE: RegExp = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Why `url` can never be sent by {@link OutboundHttp} on any server: not a URL, a scheme other than http and https,
 * credentials in it, no host — the parts of the SSRF policy that need neither DNS nor the operator's choice (whether
 * loopback and private targets are allowed); the sender checks the rest on every request. Null when it may be sent.
 * For a plugin that stores URLs to send to later (a workflow's HTTP step at publish).
 */
export function outboundUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Not a URL';
  }
  return webhookUrlProblem(parsed, { allowPrivateTargets: true });
}

/** Methods `request` sends. */
export type OutboundMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface OutboundRequest {
  method: OutboundMethod;
  url: string;
  /** Sent as is, and signed (GET: none; the signature is then of the empty body). */
  body?: string;
  /**
   * Signs the request (`x-crm-signature`): one `v1=` per secret, as webhooks are signed during a rotation's grace
   * period (the new secret and the old one, so a receiver verifying with either accepts it).
   */
  secret: string | readonly string[];
  /** More headers ({@link HEADER_VALUE}; none of {@link OUTBOUND_RESERVED_HEADERS}); the signature header cannot be overridden. */
  headers?: Record<string, string>;
  /** The answer's body is kept up to this many bytes (more: `truncated`). @default 65536 */
  maxResponseBytes?: number;
}

export interface OutboundAnswer {
  /** The answer's HTTP status; null when there was no answer. */
  status: number | null;
  /** Why it failed; null for a 2xx answer. */
  error: string | null;
  durationMs: number;
  /**
   * Why there was no answer: `refused` (the target is not allowed by the SSRF policy, or the request cannot be sent
   * as asked — a reserved header, a header value HTTP cannot carry: trying again cannot help),
   * `timeout` (no answer within the time limit) or `connection` (DNS, refused or broken connection); null when there
   * was an answer.
   */
  failure: 'refused' | 'timeout' | 'connection' | null;
  /** The answer's headers, names in lower case (empty without an answer). */
  headers: Record<string, string>;
  /** The answer's body as UTF-8, at most `maxResponseBytes` ('' without an answer; a character cut at the cap is left out). */
  body: string;
  /** The answer's body was longer than `maxResponseBytes` (`body` holds its start; the rest was not downloaded). */
  truncated: boolean;
}

/**
 * Outgoing HTTP as the gateway sends webhooks: signed (`x-crm-signature: t=…,v1=HMAC-SHA256(secret,
 * "<t>.<body>")`), the same SSRF policy (loopback, private and link-local targets refused unless the operator allows
 * them), redirects not followed, a time limit. Never throws: every outcome is a result.
 */
export interface OutboundHttp {
  /** A signed JSON POST, as webhooks are sent. */
  post(url: string, body: string, options: { secret: string | readonly string[]; headers?: Record<string, string> }): Promise<{ status: number | null; error: string | null; durationMs: number }>;
  /** Any method, with the answer's headers and (bounded) body, and why there was none. */
  request(request: OutboundRequest): Promise<OutboundAnswer>;
  /** The time limit of one request (connecting, sending, the answer), in ms, when the sender has one. */
  readonly timeoutMs?: number;
}
