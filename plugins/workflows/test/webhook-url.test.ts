// The webhook trigger's secret URL: its token alone starts a run (a signature, when sent, must verify), it is not the
// signing secret of the workflow's outgoing requests, each of the two is rotated apart and the old value is refused at
// once, another workspace's path is refused, an idempotency key still holds, and the rate limit answers 429.
import { createHmac } from 'node:crypto';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { ENABLE, finishedRuns, publishedWorkflow, startReceiver, switchAllOff } from './support.js';

const WORKFLOW = `query ($id: ID!) { workflow(id: $id) { webhookPath signingSecret } }`;
const ROTATE_URL = `mutation ($id: ID!) { rotateWorkflowWebhookUrl(input: { id: $id }) { workflow { webhookPath signingSecret } } }`;
// The default: no grace period (the old secret stops signing at once); the grace is signing-secret-rotation.test.ts's.
const ROTATE_SECRET = `mutation ($id: ID!) { rotateWorkflowSigningSecret(input: { id: $id }) { workflow { webhookPath signingSecret } } }`;
const TASKS = `{ tasks(first: 50) { edges { node { title } } } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 })], webhooks: { allowPrivateTargets: true } });
  admin = kit.workspace.client;
});
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${kit.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
const rawId = (id: string) => Buffer.from(id, 'base64').toString().split(':')[1]!;
const hookOf = async (id: string): Promise<{ webhookPath: string; signingSecret: string }> => (await admin.query(WORKFLOW, { id })).workflow;
const tokenOf = (path: string) => path.split('/').at(-1)!;
const sign = (key: string, body: string, at = Math.floor(Date.now() / 1000)) => `t=${at},v1=${createHmac('sha256', key).update(`${at}.${body}`).digest('hex')}`;

describe('the webhook URL', () => {
  it('alone starts a run with the body as the payload (202 at once); an idempotency key starts no second run; 429 past the rate', async () => {
    const id = await publishedWorkflow(admin, 'Inbound lead', {
      trigger: { kind: 'webhook', ratePerMinute: 4 },
      steps: [{ id: 'task', kind: 'createTask', title: 'Lead from {{trigger.event.payload.source}}: {{trigger.event.payload.name}}' }],
    });
    const { webhookPath, signingSecret } = await hookOf(id);
    expect(webhookPath).toMatch(new RegExp(`^/plugins/workflows/hooks/${kit.workspace.workspaceId}/${rawId(id)}/[A-Za-z0-9_-]{43}$`));
    // 256 random bits, and not the signing secret.
    expect(Buffer.from(tokenOf(webhookPath), 'base64url')).toHaveLength(32);
    expect(tokenOf(webhookPath)).not.toBe(signingSecret);
    const body = JSON.stringify({ source: 'landing page', name: 'Ada' });

    // No header at all: the URL is the credential.
    const accepted = await post(webhookPath, body, { 'idempotency-key': 'lead-1' });
    expect(accepted.status).toBe(202);
    const { runId } = (await accepted.json()) as { runId: string };
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ id: runId, status: 'SUCCEEDED' });
    expect((await admin.query(TASKS)).tasks.edges.map((e: { node: { title: string } }) => e.node.title)).toContain('Lead from landing page: Ada');

    // The same delivery again (its idempotency key): the same run, no second one.
    const again = await post(webhookPath, body, { 'idempotency-key': 'lead-1' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ runId, duplicate: true });

    // A signature is optional; when sent it must verify with the URL token and be fresh (401 otherwise).
    expect((await post(webhookPath, body, { 'x-crm-signature': sign(tokenOf(webhookPath), body) })).status).toBe(202);
    expect((await post(webhookPath, body, { 'x-crm-signature': sign(tokenOf(webhookPath), body, Math.floor(Date.now() / 1000) - 3600) })).status).toBe(401);
    expect((await post(webhookPath, body, { 'x-crm-signature': sign(signingSecret, body) })).status).toBe(401);
    expect((await post(webhookPath, '{"name":"Eve"}', { 'x-crm-signature': sign(tokenOf(webhookPath), body) })).status).toBe(401);
    expect((await post(webhookPath, '{not json')).status).toBe(400);
    expect((await fetch(`${kit.url}${webhookPath}`)).status).toBe(405);

    // Four a minute (the idempotent repeat started none): the fourth accepted request is the last, then 429.
    expect((await post(webhookPath, body)).status).toBe(202);
    expect((await post(webhookPath, body)).status).toBe(202);
    const limited = await post(webhookPath, body);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    await finishedRuns(kit, admin, id, 4);
  });

  it('a wrong token, the path without it, or the signing secret as a credential: 404, nothing started', async () => {
    const id = await publishedWorkflow(admin, 'Guarded', { trigger: { kind: 'webhook' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 0 } }] });
    const { webhookPath, signingSecret } = await hookOf(id);
    const bare = `/plugins/workflows/hooks/${kit.workspace.workspaceId}/${rawId(id)}`;
    const wrong = `${bare}/${'A'.repeat(43)}`;
    // What the URL needed before it had a token of its own: the signing secret as a bearer token, or its signature.
    expect((await post(bare, '{}', { authorization: `Bearer ${signingSecret}` })).status).toBe(404);
    expect((await post(bare, '{}', { 'x-crm-signature': sign(signingSecret, '{}') })).status).toBe(404);
    expect((await post(`${bare}/${signingSecret}`, '{}')).status).toBe(404);
    expect((await post(wrong, '{}')).status).toBe(404);
    expect((await post(`${webhookPath}x`, '{}')).status).toBe(404);
    expect((await post(`${bare}/${tokenOf(webhookPath).slice(0, -1)}`, '{}')).status).toBe(404);
    await kit.settled();
    expect((await admin.query(`query ($id: ID!) { workflowRuns(workflowId: $id) { id } }`, { id })).workflowRuns).toEqual([]);
  });

  it('rotating the URL refuses the old one at once; rotating the signing secret changes the outgoing signature only', async () => {
    const receiver = await startReceiver();
    try {
      const id = await publishedWorkflow(admin, 'Rotated', {
        trigger: { kind: 'webhook' },
        steps: [{ id: 'call', kind: 'httpRequest', url: receiver.url, body: { n: '{{trigger.event.payload.n}}' } }],
      });
      const before = await hookOf(id);
      expect((await post(before.webhookPath, '{"n":1}')).status).toBe(202);
      await finishedRuns(kit, admin, id, 1);
      const verifies = (secret: string, at: number) => {
        const { headers, body } = receiver.received[at]!;
        const [t, v1] = String(headers['x-crm-signature']).split(',');
        return v1 === `v1=${createHmac('sha256', secret).update(`${t!.slice(2)}.${body}`).digest('hex')}`;
      };
      expect(verifies(before.signingSecret, 0)).toBe(true);

      const rotated = (await admin.query(ROTATE_URL, { id })).rotateWorkflowWebhookUrl.workflow;
      expect(rotated.signingSecret).toBe(before.signingSecret);
      expect(rotated.webhookPath).not.toBe(before.webhookPath);
      expect((await post(before.webhookPath, '{"n":2}')).status).toBe(404);
      expect((await post(rotated.webhookPath, '{"n":3}')).status).toBe(202);
      await finishedRuns(kit, admin, id, 2);
      expect(verifies(before.signingSecret, 1)).toBe(true);

      const resigned = (await admin.query(ROTATE_SECRET, { id })).rotateWorkflowSigningSecret.workflow;
      expect(resigned.webhookPath).toBe(rotated.webhookPath);
      expect(resigned.signingSecret).not.toBe(before.signingSecret);
      expect((await post(rotated.webhookPath, '{"n":4}')).status).toBe(202);
      await finishedRuns(kit, admin, id, 3);
      expect(receiver.received.map((r) => JSON.parse(r.body).data.n)).toEqual([1, 3, 4]);
      expect(verifies(resigned.signingSecret, 2)).toBe(true);
      expect(verifies(before.signingSecret, 2)).toBe(false);
    } finally {
      await receiver.close();
    }
  });

  it('rotation needs `manage` in the workflow’s workspace; another workspace’s path, a disabled plugin or workflow: refused', async () => {
    const id = await publishedWorkflow(admin, 'Hooked', { trigger: { kind: 'webhook' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 0 } }] });
    const { webhookPath } = await hookOf(id);
    const member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
    const other = await kit.createWorkspace('Hooks B');
    for (const mutation of [ROTATE_URL, ROTATE_SECRET]) {
      expect(await member.errorCode(mutation, { id })).toBe('FORBIDDEN');
      expect(await other.client.errorCode(mutation, { id })).toBe('NOT_FOUND');
    }
    expect((await hookOf(id)).webhookPath).toBe(webhookPath);

    // The same workflow id and token under another workspace's id: not found there.
    expect((await post(webhookPath.replace(kit.workspace.workspaceId, other.workspaceId), '{}')).status).toBe(404);
    await admin.query(ENABLE, { id, enabled: false });
    expect((await post(webhookPath, '{}')).status).toBe(409);
    await admin.query(ENABLE, { id, enabled: true });
    await admin.query(`mutation { setPluginEnabled(input: { pluginId: "workflows", enabled: false }) { plugin { enabled } } }`);
    try {
      expect((await post(webhookPath, '{}')).status).toBe(404);
    } finally {
      await admin.query(`mutation { setPluginEnabled(input: { pluginId: "workflows", enabled: true }) { plugin { enabled } } }`);
    }
    expect((await post(webhookPath, '{}')).status).toBe(202);
    await finishedRuns(kit, admin, id, 1);
  });
});
