// Outgoing HTTP for plugins: the gateway's webhook sender, with its signature and SSRF policy.

/**
 * Outgoing HTTP as the gateway sends webhooks: POST only, signed (`x-crm-signature: t=…,v1=HMAC-SHA256(secret,
 * "<t>.<body>")`), the same SSRF policy (loopback, private and link-local targets refused unless the operator allows
 * them), redirects not followed, a time limit. Never throws: every outcome is a result.
 */
export interface OutboundHttp {
  post(url: string, body: string, options: { secret: string; headers?: Record<string, string> }): Promise<{ status: number | null; error: string | null; durationMs: number }>;
}
