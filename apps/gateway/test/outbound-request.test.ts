// The SDK's `request()` as the gateway serves it (webhooks/outbound-http.ts over http-post.ts), against a real local
// server: it never throws (a header value Node cannot send is answered `refused`, nothing sent), the framing headers and
// Accept-Encoding are the sender's own, and the body cap stops the download (an endless answer ends at the cap with
// `truncated`, no timeout) without turning a character cut at the cap into U+FFFD.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ResolveAll, sendRequest } from '../src/webhooks/http-post.js';
import { outboundHttp } from '../src/webhooks/outbound-http.js';

/** Well past anything these requests need: a test that ran into it would fail on `failure: 'timeout'`, not on time. */
const sender = outboundHttp({ timeoutMs: 60_000, allowPrivateTargets: true });
const hits: { path: string; headers: http.IncomingHttpHeaders }[] = [];
let closedEndless = 0;
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    hits.push({ path: request.url!, headers: request.headers });
    request.resume();
    if (request.url === '/endless') {
      // A 2xx answer that never ends: a chunk whenever the socket takes one.
      response.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const more = () => {
        while (!response.destroyed && response.write(chunk));
      };
      response.on('drain', more);
      response.on('close', () => closedEndless++);
      return more();
    }
    if (request.url === '/accented') {
      // 'a' then two-byte characters: a 16-byte cap cuts the eighth in two.
      return response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`a${'é'.repeat(100)}`);
    }
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('request()', () => {
  it('answers a header value Node cannot send (beyond Latin-1, a control character) with refused; nothing is sent', async () => {
    for (const value of ['Łukasz', '山田', 'a\0b', 'a\x7fb', 'a\r\nX-Evil: 1']) {
      const answer = await sender.request({ method: 'GET', url: `${base}/named`, secret: 's', headers: { 'x-name': value } });
      expect(answer).toMatchObject({ status: null, failure: 'refused' });
      expect(answer.error).toMatch(/x-name header's value is not one line of Latin-1 text/);
    }
    // A name Node refuses is answered too, not thrown.
    const badName = await sender.request({ method: 'GET', url: `${base}/named`, secret: 's', headers: { 'bad name': 'x' } });
    expect(badName).toMatchObject({ status: null, failure: 'refused' });
    expect(hits.filter((h) => h.path === '/named')).toHaveLength(0);
    // Latin-1 is sent as is.
    expect(await sender.request({ method: 'GET', url: `${base}/named`, secret: 's', headers: { 'x-name': 'José' } })).toMatchObject({ status: 200, failure: null });
    expect(hits.filter((h) => h.path === '/named')).toHaveLength(1);
  });

  it('refuses the headers the sender sets itself (framing, Accept-Encoding), whoever the caller', async () => {
    for (const name of ['Host', 'Content-Length', 'transfer-encoding', 'Connection', 'Accept-Encoding']) {
      const answer = await sender.request({ method: 'GET', url: `${base}/framed`, secret: 's', headers: { [name]: name === 'Content-Length' ? '10' : 'x' } });
      expect(answer).toMatchObject({ status: null, failure: 'refused', error: `The ${name} header is set by the sender itself` });
    }
    expect(hits.filter((h) => h.path === '/framed')).toHaveLength(0);
  });

  it('stops downloading an endless answer at the cap: truncated, not a timeout', async () => {
    const answer = await sender.request({ method: 'GET', url: `${base}/endless`, secret: 's', maxResponseBytes: 64 * 1024 });
    expect(answer).toMatchObject({ status: 200, error: null, failure: null, truncated: true });
    expect(answer.body).toBe('x'.repeat(64 * 1024));
    // The connection is closed from our side: the server sees its answer end.
    await expect.poll(() => closedEndless, { timeout: 30_000 }).toBe(1);
  });

  it('leaves out a multi-byte character cut at the cap (no U+FFFD)', async () => {
    const answer = await sender.request({ method: 'GET', url: `${base}/accented`, secret: 's', maxResponseBytes: 16 });
    expect(answer).toMatchObject({ status: 200, truncated: true, body: `a${'é'.repeat(7)}` });
    const whole = await sender.request({ method: 'GET', url: `${base}/accented`, secret: 's' });
    expect(whole).toMatchObject({ truncated: false, body: `a${'é'.repeat(100)}` });
  });

  it('refuses, at connect time, a name that resolves to a non-public address (the socket\'s own lookup): nothing sent, and the address only in the log', async () => {
    // A name that is not local by its look, resolved (as a DNS server could) to loopback; or to a public and a private address.
    const port = new URL(base).port;
    for (const addresses of [['127.0.0.1'], ['93.184.216.34', '10.1.2.3']]) {
      const resolve: ResolveAll = (_name, callback) => callback(null, addresses.map((address) => ({ address, family: 4 })));
      const logged: Record<string, unknown>[] = [];
      const logger = { warn: (_message: string, fields: Record<string, unknown> = {}) => void logged.push(fields) };
      const origin = { workspaceId: 'w-1', plugin: 'workflows' };
      const answer = await sendRequest({ method: 'GET', url: `http://intranet.example.com:${port}/by-name`, headers: {} }, { timeoutMs: 60_000, allowPrivateTargets: false, resolve, logger, origin });
      // The answer (a delivery log's or a run history's error, read by the tenant) names the host, not its address.
      expect(answer).toMatchObject({ status: null, failure: 'refused', error: 'intranet.example.com resolves to a loopback, private or link-local address (the SSRF policy)' });
      expect(answer.error).not.toContain(addresses.at(-1));
      // The log names who sent it, so an operator can tell who probes.
      expect(logged).toEqual([{ workspaceId: 'w-1', plugin: 'workflows', hostname: 'intranet.example.com', address: addresses.at(-1) }]);
    }
    expect(hits.filter((h) => h.path === '/by-name')).toHaveLength(0);
    // A name with no address at all is not called private: it has none (a connection failure, nothing logged).
    const logged: unknown[] = [];
    const none = await sendRequest(
      { method: 'GET', url: `http://empty.example.com:${port}/by-name`, headers: {} },
      { timeoutMs: 60_000, allowPrivateTargets: false, resolve: (_name, callback) => callback(null, []), logger: { warn: () => void logged.push(1) } },
    );
    expect(none).toMatchObject({ status: null, failure: 'connection', error: 'empty.example.com has no address' });
    expect(logged).toEqual([]);
  });
});
