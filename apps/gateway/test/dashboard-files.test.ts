import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

let outer: string;
let dir: string;
let t: TestGateway;
let bare: TestGateway;
beforeAll(async () => {
  outer = mkdtempSync(path.join(tmpdir(), 'crm-dashboard-'));
  dir = path.join(outer, 'dist');
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>CRM dashboard</title>');
  writeFileSync(path.join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  // As the dashboard's build writes them (scripts/precompress.mjs): only gzip for the stylesheet.
  writeFileSync(path.join(dir, 'assets', 'big-1234.js'), BIG);
  writeFileSync(path.join(dir, 'assets', 'big-1234.js.br'), brotliCompressSync(BIG));
  writeFileSync(path.join(dir, 'assets', 'big-1234.js.gz'), gzipSync(BIG));
  writeFileSync(path.join(dir, 'assets', 'style-1234.css'), CSS);
  writeFileSync(path.join(dir, 'assets', 'style-1234.css.gz'), gzipSync(CSS));
  writeFileSync(path.join(outer, 'secret.txt'), 'outside');
  [t, bare] = await Promise.all([startTestGateway({ dashboardDir: dir }), startTestGateway({ dashboardDir: path.join(dir, 'missing') })]);
});
afterAll(async () => {
  await Promise.all([t?.close(), bare?.close()]);
  rmSync(outer, { recursive: true, force: true });
});

const get = (base: string, url: string) => fetch(`${base}${url}`, { redirect: 'manual' });
const BIG = `export const rows = [${Array.from({ length: 2000 }, (_, i) => `'row ${i}'`).join(', ')}];`;
const CSS = `body { margin: 0 }\n`.repeat(200);

/** A raw GET (fetch would decode the body itself): status, headers and the bytes as sent. */
function rawGet(base: string, url: string, acceptEncoding?: string) {
  return new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const request = http.get(`${base}${url}`, { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
  });
}

describe('the dashboard served by the gateway', () => {
  it('redirects / to /app/ and serves index.html there, not cached', async () => {
    const root = await get(t.url, '/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/app/');
    const index = await get(t.url, '/app/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('CRM dashboard');
  });

  it('serves hashed assets for a year, client routes as index.html, and nothing outside the folder', async () => {
    const asset = await get(t.url, '/app/assets/app-1234.js');
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await asset.text()).toBe('console.log(1)');
    expect(await (await get(t.url, '/app/customers/abc')).text()).toContain('CRM dashboard');
    expect((await get(t.url, '/app/assets/missing.js')).status).toBe(404);
    expect((await get(t.url, '/app/..%2Fsecret.txt')).status).toBe(404);
    expect((await get(t.url, '/app/%2e%2e/secret.txt')).status).toBe(404);
  });

  it('sends the precompressed copy the browser accepts: Brotli, else gzip, else the file as it is', async () => {
    const br = await rawGet(t.url, '/app/assets/big-1234.js', 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(BIG.length / 4);
    expect(brotliDecompressSync(br.body).toString()).toBe(BIG);
    const gz = await rawGet(t.url, '/app/assets/big-1234.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(BIG);
    const refused = await rawGet(t.url, '/app/assets/big-1234.js', 'br;q=0, gzip;q=0');
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body.toString()).toBe(BIG);
    const none = await rawGet(t.url, '/app/assets/big-1234.js');
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.headers.vary).toBe('Accept-Encoding');
    // Only a gzip copy was built for the stylesheet; a file without copies is sent as it is, with no Vary.
    const css = await rawGet(t.url, '/app/assets/style-1234.css', 'br, gzip');
    expect(css.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(css.body).toString()).toBe(CSS);
    const plain = await rawGet(t.url, '/app/assets/app-1234.js', 'br, gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBeUndefined();
    expect(plain.body.toString()).toBe('console.log(1)');
  });

  it('leaves GraphQL alone, and without a build / still leads to GraphiQL', async () => {
    expect((await t.workspace.client.request('{ viewer { role } }')).data).toEqual({ viewer: { role: 'ADMIN' } });
    const root = await get(bare.url, '/');
    expect(root.headers.get('location')).toBe('/graphql');
    expect((await get(bare.url, '/app/')).status).toBe(404);
  });
});
