// The webhook sender as plugins get it (`OutboundHttp` of the SDK): the same signature, SSRF policy, time limit and
// no-redirect rule as the gateway's own webhooks, so a plugin's outgoing requests are exactly as safe.
import type { OutboundHttp } from '@crm/plugin-sdk/host';
import { postWebhook } from './http-post.js';
import type { ResolvedWebhookDeliveryOptions } from './options.js';
import { SIGNATURE_HEADER, signatureHeader } from './signature.js';

export function outboundHttp(options: Pick<ResolvedWebhookDeliveryOptions, 'timeoutMs' | 'allowPrivateTargets'>): OutboundHttp {
  return {
    post: (url, body, { secret, headers = {} }) =>
      postWebhook(
        url,
        body,
        {
          'content-type': 'application/json',
          'user-agent': 'crm-webhooks/1',
          ...headers,
          [SIGNATURE_HEADER]: signatureHeader([secret], Math.floor(Date.now() / 1000), body),
        },
        { timeoutMs: options.timeoutMs, allowPrivateTargets: options.allowPrivateTargets },
      ),
  };
}
