// The HTTP step's header values: HTTP carries one line of Latin-1 text. A static value beyond that is refused at
// publish; a template that fills one in ("Łukasz", "山田") fails the step at once with a clear error (one try, nothing
// sent) instead of a thrown TypeError tried again. Accept-Encoding is the sender's (the body is never decompressed).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, finishedRuns, PUBLISH, publishedWorkflow, switchAllOff } from './support.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;
const HOOK = `query ($id: ID!) { workflow(id: $id) { webhookPath } }`;
const PROBLEM = 'A header value is one line of Latin-1 text (no control characters, nothing beyond U+00FF)';

const hits: { path: string; headers: http.IncomingHttpHeaders }[] = [];
const server = http.createServer((request, response) => {
  hits.push({ path: request.url!, headers: request.headers });
  request.resume();
  response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
});
let url: string;
let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 30_000 })], webhooks: { allowPrivateTargets: true } });
  admin = kit.workspace.client;
  // Two tries, the second at once: a failure tried again would show as attempts: 2.
  await admin.query(SETTINGS, { settings: { stepAttempts: 2, retryBackoffMs: 0 } });
});
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('HTTP step header values', () => {
  it('a name beyond Latin-1 filled in by a template fails the step at once, with a clear error; nothing is sent', async () => {
    const id = await publishedWorkflow(admin, 'Named caller', {
      trigger: { kind: 'webhook' },
      steps: [{ id: 'call', kind: 'httpRequest', method: 'GET', url: `${url}/named`, headers: { 'X-Customer': '{{trigger.event.payload.name}}' } }],
    });
    const { webhookPath } = (await admin.query(HOOK, { id })).workflow;
    for (const name of ['Łukasz', '山田']) expect((await fetch(`${kit.url}${webhookPath}`, { method: 'POST', body: JSON.stringify({ name }) })).status).toBe(202);
    const runs = await finishedRuns(kit, admin, id, 2, undefined, 30_000);
    for (const run of runs) {
      expect(run.status).toBe('FAILED');
      expect(run.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1, error: `headers.X-Customer: ${PROBLEM}` });
    }
    expect(hits.filter((h) => h.path === '/named')).toHaveLength(0);

    // Latin-1 goes through.
    expect((await fetch(`${kit.url}${webhookPath}`, { method: 'POST', body: JSON.stringify({ name: 'José' }) })).status).toBe(202);
    const all = await finishedRuns(kit, admin, id, 3, undefined, 30_000);
    expect(all.filter((run) => run.status === 'SUCCEEDED')).toHaveLength(1);
    expect(hits.filter((h) => h.path === '/named').map((h) => Buffer.from(h.headers['x-customer'] as string, 'latin1').toString('latin1'))).toEqual(['José']);
  });

  it('publish refuses a static value beyond Latin-1 or with a control character, and Accept-Encoding', async () => {
    const id = (await admin.query(CREATE, { name: 'Checked headers', definition: null })).createWorkflow.workflow.id;
    const refusal = async (headers: Record<string, string>) => {
      await admin.query(`mutation ($id: ID!, $definition: JSON) { updateWorkflowDraft(input: { id: $id, definition: $definition }) { workflow { id } } }`, {
        id,
        definition: { trigger: { kind: 'webhook' }, steps: [{ id: 'h', kind: 'httpRequest', url: `${url}/checked`, headers }] },
      });
      return (await admin.request(PUBLISH, { id })).errors?.[0];
    };
    for (const value of ['Łukasz', '山田 {{trigger.event.payload.x}}', 'a\u0001b', 'a\u007fb']) {
      const error = await refusal({ 'X-Name': value });
      expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.headers.X-Name' });
      expect(error?.message).toContain(PROBLEM);
    }
    expect((await refusal({ 'Accept-Encoding': 'gzip' }))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.headers.Accept-Encoding' });
    expect(await refusal({ 'X-Name': 'José {{trigger.event.payload.x}}' })).toBeUndefined();
  });
});
