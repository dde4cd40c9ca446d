import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
  writeFileSync(path.join(outer, 'secret.txt'), 'outside');
  [t, bare] = await Promise.all([startTestGateway({ dashboardDir: dir }), startTestGateway({ dashboardDir: path.join(dir, 'missing') })]);
});
afterAll(async () => {
  await Promise.all([t?.close(), bare?.close()]);
  rmSync(outer, { recursive: true, force: true });
});

const get = (base: string, url: string) => fetch(`${base}${url}`, { redirect: 'manual' });

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

  it('leaves GraphQL alone, and without a build / still leads to GraphiQL', async () => {
    expect((await t.workspace.client.request('{ viewer { role } }')).data).toEqual({ viewer: { role: 'ADMIN' } });
    const root = await get(bare.url, '/');
    expect(root.headers.get('location')).toBe('/graphql');
    expect((await get(bare.url, '/app/')).status).toBe(404);
  });
});
