// The webhook URL against strict signers: an optional signature verifies over the body's bytes as sent, not over its
// decoded text (the limit on refused requests: webhook-refusal-limit.test.ts).
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { finishedRuns, publishedWorkflow, switchAllOff } from './support.js';

const HOOK = `query ($id: ID!) { workflow(id: $id) { webhookPath } }`;
const PAYLOAD = `query ($id: ID!) { node(id: $id) { ... on WorkflowRun { trigger } } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 })] });
  admin = kit.workspace.client;
});
afterAll(async () => {
  if (kit) await switchAllOff(kit, admin);
  await kit?.close();
});

/** POSTs to the gateway. */
function post(path: string, body: Buffer | string, options: { headers?: Record<string, string> } = {}) {
  const url = new URL(`${kit.url}${path}`);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...options.headers } },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('the optional signature', () => {
  it('verifies over the body’s bytes as sent: a body that is not valid UTF-8 verifies as its sender signed it', async () => {
    const id = await publishedWorkflow(admin, 'Latin-1 sender', { trigger: { kind: 'webhook' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 0 } }] });
    const { webhookPath } = (await admin.query(HOOK, { id })).workflow as { webhookPath: string };
    const token = webhookPath.split('/').at(-1)!;
    // `{"name":"Zoë"}` in Latin-1: the ë is the byte 0xEB, not UTF-8. Decoded and encoded again it becomes EF BF BD.
    const bytes = Buffer.from('{"name":"Zoë"}', 'latin1');
    expect(Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)).toBe(false);
    const at = Math.floor(Date.now() / 1000);
    const sign = (body: Buffer) => `t=${at},v1=${createHmac('sha256', token).update(`${at}.`).update(body).digest('hex')}`;

    const accepted = await post(webhookPath, bytes, { headers: { 'x-crm-signature': sign(bytes) } });
    expect(accepted.status).toBe(202);
    // A signature of the decoded text (what the sender did not send) does not verify.
    const decoded = Buffer.from(bytes.toString('utf8'), 'utf8');
    expect((await post(webhookPath, bytes, { headers: { 'x-crm-signature': sign(decoded) } })).status).toBe(401);
    // Several v1= (a sender rolling its key): any one that verifies is enough.
    const two = `${sign(bytes)},v1=${'0'.repeat(64)}`.replace(`t=${at},`, `t=${at},v1=${'f'.repeat(64)},`);
    expect((await post(webhookPath, bytes, { headers: { 'x-crm-signature': two } })).status).toBe(202);

    const { runId } = JSON.parse(accepted.body) as { runId: string };
    await finishedRuns(kit, admin, id, 2);
    // The payload is the decoded text's JSON (the invalid byte as U+FFFD): parsing is not what the signature covers.
    expect((await admin.query(PAYLOAD, { id: runId })).node.trigger.event.payload).toEqual({ name: 'Zo\ufffd' });
  });
});
