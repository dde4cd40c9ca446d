import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress, trustProxyHopsFromEnv } from '../src/client-address.js';

const request = (socket: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress: socket }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as http.IncomingMessage;

describe('clientAddress', () => {
  it('is the socket’s address unless proxies are trusted, then the n-th X-Forwarded-For entry from the right', () => {
    expect(clientAddress(request('10.0.0.2', '203.0.113.9'), 0)).toBe('10.0.0.2');
    expect(clientAddress(request('10.0.0.2', '198.51.100.1, 203.0.113.9'), 1)).toBe('203.0.113.9');
    expect(clientAddress(request('10.0.0.2', '198.51.100.1, 203.0.113.9, 10.0.0.1'), 2)).toBe('203.0.113.9');
    // Fewer entries than trusted hops, or a forged non-address: the socket's.
    expect(clientAddress(request('10.0.0.2', '203.0.113.9'), 2)).toBe('10.0.0.2');
    expect(clientAddress(request('10.0.0.2'), 1)).toBe('10.0.0.2');
    expect(clientAddress(request('10.0.0.2', 'evil'), 1)).toBe('10.0.0.2');
  });

  it('reads TRUST_PROXY_HOPS', () => {
    expect(trustProxyHopsFromEnv({})).toBe(0);
    expect(trustProxyHopsFromEnv({ TRUST_PROXY_HOPS: '2' })).toBe(2);
    expect(() => trustProxyHopsFromEnv({ TRUST_PROXY_HOPS: '-1' })).toThrow(/TRUST_PROXY_HOPS/);
  });
});
