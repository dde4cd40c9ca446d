// Outgoing HTTP for plugins: the gateway's webhook sender, with its signature and SSRF policy.

/** Methods `request` sends. */
export type OutboundMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface OutboundRequest {
  method: OutboundMethod;
  url: string;
  /** Sent as is, and signed (GET: none; the signature is then of the empty body). */
  body?: string;
  /** Signs the request (`x-crm-signature`). */
  secret: string;
  /** More headers; the signature header cannot be overridden. */
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
   * Why there was no answer: `refused` (the target is not allowed by the SSRF policy: trying again cannot help),
   * `timeout` (no answer within the time limit) or `connection` (DNS, refused or broken connection); null when there
   * was an answer.
   */
  failure: 'refused' | 'timeout' | 'connection' | null;
  /** The answer's headers, names in lower case (empty without an answer). */
  headers: Record<string, string>;
  /** The answer's body as UTF-8, at most `maxResponseBytes` ('' without an answer). */
  body: string;
  /** The answer's body was longer than `maxResponseBytes` (`body` holds its start). */
  truncated: boolean;
}

/**
 * Outgoing HTTP as the gateway sends webhooks: signed (`x-crm-signature: t=…,v1=HMAC-SHA256(secret,
 * "<t>.<body>")`), the same SSRF policy (loopback, private and link-local targets refused unless the operator allows
 * them), redirects not followed, a time limit. Never throws: every outcome is a result.
 */
export interface OutboundHttp {
  /** A signed JSON POST, as webhooks are sent. */
  post(url: string, body: string, options: { secret: string; headers?: Record<string, string> }): Promise<{ status: number | null; error: string | null; durationMs: number }>;
  /** Any method, with the answer's headers and (bounded) body, and why there was none. */
  request(request: OutboundRequest): Promise<OutboundAnswer>;
}
