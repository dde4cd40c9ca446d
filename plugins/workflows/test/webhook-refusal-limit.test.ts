// The limit on refused webhook requests (a wrong token, an unknown workflow or workspace): counted per route,
// workspace and client address (behind a trusted proxy: the X-Forwarded-For entry the proxy wrote), charged only
// when the route refuses, so the sender with the right URL always gets through, even from a limited address; a
// third-party route that does not opt in answers its 404s as ordinary business; concurrent refusals all count.
import http from 'node:http';
import { definePlugin } from '@crm/plugin-sdk';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { finishedRuns, publishedWorkflow, switchAllOff } from './support.js';

const HOOK = `query ($id: ID!) { workflow(id: $id) { webhookPath } }`;
/** Refused requests a client may make at once (this file's limit: the default is larger). */
const BURST = 5;

/** A third-party route whose 404 is ordinary business (an unknown order number), not a guessed credential. */
const orders = definePlugin({
  id: 'order-lookup',
  version: '1.0.0',
  routes: { orders: { handle: async (request) => (request.path === 'known' ? { status: 200, body: { ok: true } } : { status: 404, body: { error: 'No such order' } }) } },
});

let kit: PluginTestGateway;
let admin: TestClient;
let webhookPath: string;
let workflowId: string;

beforeAll(async () => {
  // Behind one proxy: every request comes from 127.0.0.1, the client is the last X-Forwarded-For entry.
  kit = await startPluginTestGateway({
    plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 }), orders],
    routeFailures: { perMinute: 1, burst: BURST },
    trustProxyHops: 1,
  });
  admin = kit.workspace.client;
  workflowId = await publishedWorkflow(admin, 'Guarded', { trigger: { kind: 'webhook' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 0 } }] });
  webhookPath = ((await admin.query(HOOK, { id: workflowId })).workflow as { webhookPath: string }).webhookPath;
});
afterAll(async () => {
  if (kit) await switchAllOff(kit, admin);
  await kit?.close();
});

/** POSTs through "the proxy" on behalf of `client`. */
function send(path: string, client: string) {
  const url = new URL(`${kit.url}${path}`);
  return new Promise<{ status: number; retryAfter: number | null }>((resolve, reject) => {
    http
      .request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.250, ${client}` } }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode!, retryAfter: response.headers['retry-after'] ? Number(response.headers['retry-after']) : null }));
      })
      .on('error', reject)
      .end('{}');
  });
}
const wrongToken = () => `${webhookPath.slice(0, -4)}${webhookPath.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;

describe('refused webhook requests', () => {
  it('limit the guesser (429, Retry-After), never a request the route accepts: the right URL passes from any client, the guesser’s included', async () => {
    for (let i = 0; i < BURST; i++) expect((await send(wrongToken(), '203.0.113.1')).status).toBe(404);
    const limited = await send(wrongToken(), '203.0.113.1');
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toBeGreaterThanOrEqual(1);
    // Another client behind the same proxy, and the guesser itself, with the right URL: accepted.
    expect((await send(webhookPath, '203.0.113.2')).status).toBe(202);
    expect((await send(webhookPath, '203.0.113.1')).status).toBe(202);
    // Another client's refusals are its own.
    expect((await send(wrongToken(), '203.0.113.2')).status).toBe(404);
    await finishedRuns(kit, admin, workflowId, 2);
  });

  it('are counted per workspace: a client limited on one workspace’s hooks is refused as usual on another’s', async () => {
    for (let i = 0; i < BURST + 1; i++) await send(wrongToken(), '203.0.113.3');
    expect((await send(wrongToken(), '203.0.113.3')).status).toBe(429);
    const other = await kit.createWorkspace('Other');
    expect((await send(wrongToken().replace(kit.workspace.workspaceId, other.workspaceId), '203.0.113.3')).status).toBe(404);
  });

  it('are not limited on a route that does not opt in (a third party’s 404 is its business)', async () => {
    const route = `/plugins/order-lookup/orders/${kit.workspace.workspaceId}`;
    for (let i = 0; i < BURST * 3; i++) expect((await send(`${route}/unknown-${i}`, '203.0.113.4')).status).toBe(404);
    expect((await send(`${route}/known`, '203.0.113.4')).status).toBe(200);
  });

  it('all count when they arrive at once: 50 concurrent past a burst of 5, Retry-After reflects the overdraft', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => send(wrongToken(), '203.0.113.5')));
    expect(answers.filter((a) => a.status === 404)).toHaveLength(BURST);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(50 - BURST);
    // One token a minute, overdrawn down to -BURST: the last answers wait about BURST + 1 minutes, not one.
    const longest = Math.max(...answers.map((a) => a.retryAfter ?? 0));
    expect(longest).toBeGreaterThan(BURST * 60);
    expect(longest).toBeLessThanOrEqual((BURST + 1) * 60);
  });
});
