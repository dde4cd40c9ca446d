import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { GatewayMetrics } from './gateway-metrics.js';

export interface MetricsOptions {
  /**
   * A bearer token Prometheus sends (`METRICS_TOKEN`). Without one, only loopback clients that did not come
   * through a proxy may read /metrics.
   */
  token?: string;
}

/** Reads `METRICS_TOKEN`, and `CRM_METRICS=0` (no metrics at all: nothing recorded, /metrics not served). */
export function metricsOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): MetricsOptions | false {
  if (['0', 'false', 'off', 'no'].includes((env.CRM_METRICS ?? '').trim().toLowerCase())) return false;
  const token = env.METRICS_TOKEN?.trim();
  return token ? { token } : {};
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Who may read the figures: see {@link MetricsOptions.token}. */
function allowed(req: http.IncomingMessage, options: MetricsOptions): boolean {
  if (options.token) {
    const header = req.headers.authorization ?? '';
    return header.startsWith('Bearer ') && sameSecret(header.slice(7).trim(), options.token);
  }
  // A reverse proxy on the same host would make the whole world look local: forwarded requests need the token.
  const proxied = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  return !proxied && LOOPBACK.has(req.socket.remoteAddress ?? '');
}

/** `GET /metrics` in the Prometheus text format, for the clients {@link allowed} lets in. */
export function metricsRoute(metrics: GatewayMetrics, options: MetricsOptions) {
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') return false;
    if (!allowed(req, options)) {
      const status = options.token ? 401 : 403;
      res.writeHead(status, { 'content-type': 'application/json', ...(options.token ? { 'www-authenticate': 'Bearer' } : {}) });
      res.end(JSON.stringify({ error: options.token ? 'Send the metrics token: Authorization: Bearer <METRICS_TOKEN>' : 'Metrics are served to loopback clients only; set METRICS_TOKEN to read them from elsewhere' }));
      return true;
    }
    const body = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType });
    res.end(body);
    return true;
  };
}
