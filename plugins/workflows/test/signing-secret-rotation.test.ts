// Rolling a workflow's signing secret with a grace period, as core's rotateWebhookSecret (the same `graceSeconds`,
// default 0, bounds and header): during it the HTTP step's requests carry two signatures (the new secret's first,
// then the old one's), so a receiver still verifying with the old secret accepts them; after it, or with no grace,
// only the new one signs. The argument's bounds, and that neither secret is shown beyond `signingSecret` (manage only).
import { createHmac } from 'node:crypto';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SECRET_GRACE_SECONDS } from '@crm/core';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { finishedRuns, publishedWorkflow, type Received, startReceiver, switchAllOff } from './support.js';

const HOOK = `query ($id: ID!) { workflow(id: $id) { webhookPath signingSecret } }`;
const ROTATE = `mutation ($id: ID!, $grace: Int) {
  rotateWorkflowSigningSecret(input: { id: $id, graceSeconds: $grace }) { previousSecretExpiresAt workflow { signingSecret } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 })], webhooks: { allowPrivateTargets: true } });
  admin = kit.workspace.client;
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  if (kit) await switchAllOff(kit, admin);
  await kit?.close();
});

/** What a receiver that knows one secret does: accept the request when any `v1=` is that secret's HMAC of "<t>.<body>". */
function accepts(secret: string, { headers, body }: Received): boolean {
  const parts = String(headers['x-crm-signature']).split(',');
  const t = parts.find((p) => p.startsWith('t='))!.slice(2);
  const expected = `v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
  return parts.includes(expected);
}
const v1s = ({ headers }: Received) => String(headers['x-crm-signature']).split(',').filter((p) => p.startsWith('v1='));
const signatures = (received: Received) => v1s(received).length;

describe('rotateWorkflowSigningSecret with a grace period', () => {
  it('signs with the old secret too (after the new one’s v1=) until its expiry, then with the new one only; by default it stops at once', async () => {
    const id = await publishedWorkflow(admin, 'Rolled', { trigger: { kind: 'webhook' }, steps: [{ id: 'call', kind: 'httpRequest', url: receiver.url }] });
    const { webhookPath, signingSecret: first } = (await admin.query(HOOK, { id })).workflow;
    let runs = 0;
    /** Starts a run and answers what the receiver got from its HTTP step. */
    const call = async (): Promise<Received> => {
      const seen = receiver.received.length;
      expect((await fetch(`${kit.url}${webhookPath}`, { method: 'POST', body: '{}' })).status).toBe(202);
      await finishedRuns(kit, admin, id, ++runs);
      expect(receiver.received).toHaveLength(seen + 1);
      return receiver.received[seen]!;
    };

    // A day's grace: a receiver not yet given the new secret keeps accepting.
    const DAY = 24 * 3600;
    const before = Date.now();
    const rolled = (await admin.query(ROTATE, { id, grace: DAY })).rotateWorkflowSigningSecret;
    const second = rolled.workflow.signingSecret as string;
    expect(second).not.toBe(first);
    const expiresAt = Date.parse(rolled.previousSecretExpiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + DAY * 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + DAY * 1000);
    const during = await call();
    expect(signatures(during)).toBe(2);
    expect(accepts(first, during)).toBe(true);
    expect(accepts(second, during)).toBe(true);
    // Core's webhooks' order (apps/gateway/src/webhooks/request.ts): the new secret's v1= first, the old one's last.
    const t = String(during.headers['x-crm-signature']).split(',').find((p) => p.startsWith('t='))!.slice(2);
    const v1Of = (secret: string) => `v1=${createHmac('sha256', secret).update(`${t}.${during.body}`).digest('hex')}`;
    expect(v1s(during)).toEqual([v1Of(second), v1Of(first)]);

    // After the expiry (the row's instant moved to the past, as time would): the old secret signs no more.
    await kit.database.prisma.workflow.update({ where: { id: Buffer.from(id, 'base64').toString().split(':')[1]! }, data: { previousSecretExpiresAt: new Date(Date.now() - 1000) } });
    const after = await call();
    expect(signatures(after)).toBe(1);
    expect(accepts(first, after)).toBe(false);
    expect(accepts(second, after)).toBe(true);

    // By default (as rotateWebhookSecret), at once: the secret it replaced does not sign, nor does the one before.
    const cut = (await admin.query(ROTATE, { id })).rotateWorkflowSigningSecret;
    expect(cut.previousSecretExpiresAt).toBeNull();
    const third = cut.workflow.signingSecret as string;
    const now = await call();
    expect(signatures(now)).toBe(1);
    expect(accepts(third, now)).toBe(true);
    expect(accepts(second, now)).toBe(false);

    // A second rotation during a grace keeps only the secret it replaces (the newest old one).
    await admin.query(ROTATE, { id, grace: 60 });
    const fourth = (await admin.query(ROTATE, { id, grace: MAX_SECRET_GRACE_SECONDS })).rotateWorkflowSigningSecret.workflow.signingSecret as string;
    const overlapping = await call();
    expect(signatures(overlapping)).toBe(2);
    expect(accepts(fourth, overlapping)).toBe(true);
    expect(accepts(third, overlapping)).toBe(false);
  });

  it('refuses a grace below 0, over 7 days or not whole (BAD_USER_INPUT, nothing changed); needs manage; the old secret is never shown', async () => {
    const id = await publishedWorkflow(admin, 'Bounded', { trigger: { kind: 'webhook' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 0 } }] });
    const { signingSecret } = (await admin.query(HOOK, { id })).workflow;
    for (const grace of [-1, MAX_SECRET_GRACE_SECONDS + 1]) {
      const { errors } = await admin.request(ROTATE, { id, grace });
      expect(errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'graceSeconds' } });
    }
    expect(await admin.errorCode(ROTATE, { id, grace: 1.5 })).toBe('BAD_USER_INPUT'); // not an Int: GraphQL's own refusal
    expect((await admin.query(HOOK, { id })).workflow.signingSecret).toBe(signingSecret);
    const member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
    expect(await member.errorCode(ROTATE, { id })).toBe('FORBIDDEN');
    // No field of the schema reads the replaced secret.
    expect(kit.schema).not.toMatch(/previousSecret\b|previousSigningSecret/);
  });
});
