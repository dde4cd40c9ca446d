// The address a request came from. Behind reverse proxies every request's socket is a proxy's, so with
// `trustProxyHops` n the address is the n-th entry from the right of X-Forwarded-For (each trusted proxy appends the
// address it was reached from; entries further left are the client's to write, so they are never believed). A
// request with fewer entries than that came around the proxies: its socket address is used.
import type http from 'node:http';
import { isIP } from 'node:net';

export function clientAddress(req: http.IncomingMessage, trustProxyHops: number): string {
  const socket = req.socket.remoteAddress ?? '';
  if (trustProxyHops <= 0) return socket;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((a) => a.trim()).filter(Boolean);
  const address = hops[hops.length - trustProxyHops];
  return address && isIP(address) ? address : socket;
}

/** `TRUST_PROXY_HOPS`: reverse proxies in front of the gateway (0, the default: clients connect directly). */
export function trustProxyHopsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TRUST_PROXY_HOPS?.trim();
  if (!raw) return 0;
  const hops = Number(raw);
  if (!Number.isInteger(hops) || hops < 0) throw new Error(`TRUST_PROXY_HOPS must be a whole number ≥ 0, not "${raw}"`);
  return hops;
}
