// The webhook sender as plugins get it (`OutboundHttp` of the SDK): the same signature, SSRF policy, time limit and
// no-redirect rule as the gateway's own webhooks, so a plugin's outgoing requests are exactly as safe.
import type { HostOutboundHttp, OutboundHttp } from '@crm/plugin-sdk/host';
import type { Logger } from '../logger.js';
import { postWebhook, sendRequest } from './http-post.js';
import type { ResolvedWebhookDeliveryOptions } from './options.js';
import { SIGNATURE_HEADER, signatureHeader } from './signature.js';

const signed = (secret: string | readonly string[], body: string, headers: Record<string, string>) => ({
  'user-agent': 'crm-webhooks/1',
  ...headers,
  [SIGNATURE_HEADER]: signatureHeader(typeof secret === 'string' ? [secret] : secret, Math.floor(Date.now() / 1000), body),
});

type Options = Pick<ResolvedWebhookDeliveryOptions, 'timeoutMs' | 'allowPrivateTargets'> & { logger?: Logger };

/** `for(origin)`: the same sender, its SSRF refusals logged naming the plugin and workspace that sent. */
export function outboundHttp(options: Options): HostOutboundHttp {
  return { ...sender(options), for: (origin) => sender(options, origin) };
}

function sender(options: Options, origin?: Record<string, string>): OutboundHttp {
  const policy = { timeoutMs: options.timeoutMs, allowPrivateTargets: options.allowPrivateTargets, ...(options.logger ? { logger: options.logger } : {}), ...(origin ? { origin } : {}) };
  return {
    timeoutMs: options.timeoutMs,
    post: (url, body, { secret, headers = {} }) => postWebhook(url, body, signed(secret, body, { 'content-type': 'application/json', ...headers }), policy),
    request: ({ method, url, body, secret, headers = {}, maxResponseBytes }) =>
      sendRequest({ method, url, ...(body === undefined ? {} : { body }), headers: signed(secret, body ?? '', headers) }, { ...policy, ...(maxResponseBytes ? { maxResponseBytes } : {}) }),
  };
}
