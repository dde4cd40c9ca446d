// The webhook URL against guessers and strict signers: refused requests (a wrong token, an unknown workflow) are
// limited per client address (429 with Retry-After) while the right URL from another address still starts runs; and
// an optional signature verifies over the body's bytes as sent, not over its decoded text.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { finishedRuns, publishedWorkflow, switchAllOff } from './support.js';

const HOOK = `query ($id: ID!) { workflow(id: $id) { webhookPath } }`;
const PAYLOAD = `query ($id: ID!) { node(id: $id) { ... on WorkflowRun { trigger } } }`;
/** Refused requests an address may make at once (the limit of this file's gateway). */
const BURST = 5;

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

/** POSTs from a given local address (the whole of 127/8 is this machine's loopback): another client to the gateway. */
function post(path: string, body: Buffer | string, options: { from?: string; headers?: Record<string, string> } = {}) {
  const url = new URL(`${kit.url}${path}`);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: options.from ?? '127.0.0.1', headers: { 'content-type': 'application/json', ...options.headers } },
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

describe('refused webhook requests', () => {
  it('are limited per client address (429, Retry-After) once past the limit; the right URL from another address still starts a run', async () => {
    // This file's gateway limits refusals to BURST at once (the default is larger; the shape is the gateway's option).
    const limited = await startPluginTestGateway({
      plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 })],
      routeFailures: { perMinute: 1, burst: BURST },
    });
    try {
      const client = limited.workspace.client;
      const id = await publishedWorkflow(client, 'Guarded', { trigger: { kind: 'webhook' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 0 } }] });
      const { webhookPath } = (await client.query(HOOK, { id })).workflow as { webhookPath: string };
      const wrong = `${webhookPath.slice(0, -4)}AAAA`;
      const send = (path: string, from: string) =>
        new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
          const url = new URL(`${limited.url}${path}`);
          http
            .request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: from }, (response) => {
              response.resume();
              response.on('end', () => resolve({ status: response.statusCode!, retryAfter: response.headers['retry-after'] }));
            })
            .on('error', reject)
            .end('{}');
        });

      // A success takes nothing: the right URL any number of times, and the guesser's refusals still start at BURST.
      for (let i = 0; i < BURST + 2; i++) expect((await send(webhookPath, '127.0.0.3')).status).toBe(202);
      // The guesser: BURST wrong tokens answered 404 as usual, then 429 with Retry-After, whatever it sends (even the right URL).
      for (let i = 0; i < BURST; i++) expect((await send(wrong, '127.0.0.2')).status).toBe(404);
      const refused = await send(wrong, '127.0.0.2');
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect((await send(webhookPath, '127.0.0.2')).status).toBe(429);
      // An unknown workflow or workspace counts as a refusal too (guessing ids).
      expect((await send(webhookPath.replace(limited.workspace.workspaceId, '00000000-0000-4000-8000-000000000000'), '127.0.0.4')).status).toBe(404);

      // The real sender, at its own address, is not locked out by the guesser.
      expect((await send(webhookPath, '127.0.0.3')).status).toBe(202);
      await finishedRuns(limited, client, id, BURST + 3);
      await switchAllOff(limited, client);
    } finally {
      await limited.close();
    }
  });
});

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
