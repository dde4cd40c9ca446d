import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowId } from '@crm/graph';
import { startTestGateway, type TestGateway, type TestWorkspace } from '../src/testing/index.js';
import {
  createCustomer,
  createWebhook,
  eventually,
  REDELIVER,
  ROTATE_SECRET,
  UPDATE_CUSTOMER,
  UPDATE_WEBHOOK,
  webhookById,
} from './webhooks/operations.js';
import { sleep, verifySignature, WebhookReceiver } from './webhooks/receiver.js';

// Delivery end to end: a real gateway commits events, its dispatcher POSTs them to a real local HTTP receiver.
const RETRIES = [150, 300, 600];
let t: TestGateway;
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  t = await startTestGateway({
    webhooks: {
      allowPrivateTargets: true,
      retrySchedule: RETRIES,
      jitter: 0.1,
      pollIntervalMs: 100,
      // Delivery is at least once: an answer later than this is retried, and the receiver shares this process's
      // event loop, which a loaded CI machine stalled past 2 s (a second customer.created arrived).
      timeoutMs: 15_000,
      disableAfterFailures: 4,
      disableAfterFailingForMs: 0,
    },
  });
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

let counter = 0;
/** A workspace of its own per test, so that webhooks and their event streams do not mix. */
async function freshWorkspace(): Promise<TestWorkspace> {
  return t.createWorkspace(`Webhooks ${++counter}`);
}

describe('webhook delivery', () => {
  it('POSTs a committed mutation’s event with a signature the receiver can verify', async () => {
    const ws = await freshWorkspace();
    const hook = await createWebhook(ws, { url: `${receiver.url}/signed`, eventTypes: ['customer.created'], description: 'CRM sync' });
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const customerId = await createCustomer(ws, 'Ada Lovelace', 'ada@engine.test');
    const [request] = await receiver.waitFor('/signed', 1);
    const event = await t.database.prisma.event.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, type: 'customer.created' } });

    expect(request!.json).toEqual({
      id: event.id,
      type: 'customer.created',
      occurredAt: event.occurredAt.toISOString(),
      workspaceId: ws.workspaceId,
      actor: event.actor,
      subject: { type: 'Customer', id: customerId },
      payload: { name: 'Ada Lovelace', lifecycleStage: 'PROSPECT' },
    });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-crm-event-id']).toBe(event.id);
    expect(request!.headers['x-crm-event-type']).toBe('customer.created');
    expect(request!.headers['x-crm-delivery-attempt']).toBe('1');

    // Checked here with node:crypto alone: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>.
    const signature = String(request!.headers['x-crm-signature']);
    expect(signature).toMatch(/^t=\d{10},v1=[0-9a-f]{64}$/);
    const [, t0, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(signature)!;
    expect(v1).toBe(createHmac('sha256', hook.secret).update(`${t0}.${request!.body}`).digest('hex'));
    expect(Math.abs(Number(t0) - Date.now() / 1000)).toBeLessThan(60);
    expect(verifySignature(signature, request!.body, 'whsec_not-the-secret')).toBe(false);
    expect(verifySignature(signature, request!.body.replace('Ada', 'Eve'), hook.secret)).toBe(false);

    // The delivery log shows it.
    const webhook = await eventually(async () => {
      const found = await webhookById(ws, hook.id);
      return found.deliveries.edges[0]?.node.status === 'DELIVERED' ? found : undefined;
    });
    expect(webhook.deliveries.totalCount).toBe(1);
    expect(webhook.deliveries.edges[0]!.node).toMatchObject({
      eventId: event.id, eventType: 'customer.created', status: 'DELIVERED', attempts: 1, lastResponseStatus: 200, lastError: null,
      nextAttemptAt: null, webhook: { id: hook.id },
    });
    expect(webhook.deliveries.edges[0]!.node.deliveredAt).not.toBeNull();
    // customer.stage_changed (same mutation) did not match: one request only.
    await sleep(300);
    expect(receiver.at('/signed')).toHaveLength(1);
  });

  it('sends each webhook only the event types its patterns match', async () => {
    const ws = await freshWorkspace();
    await createWebhook(ws, { url: `${receiver.url}/f-customers`, eventTypes: ['customer.*'] });
    await createWebhook(ws, { url: `${receiver.url}/f-exact`, eventTypes: ['customer.updated', 'ticket.opened'] });
    // `*` also gets the event of its own creation (it starts right before it).
    await createWebhook(ws, { url: `${receiver.url}/f-all`, eventTypes: ['*'] });
    const id = await createCustomer(ws, 'Grace Hopper');
    await ws.client.query(UPDATE_CUSTOMER, { input: { id, name: 'Rear Admiral Grace Hopper' } });

    // Deliveries of one webhook go out concurrently: order is not guaranteed (docs/webhooks.md).
    const types = async (path: string, count: number) => (await receiver.waitFor(path, count)).map((r) => r.json.type).sort();
    expect(await types('/f-customers', 3)).toEqual(['customer.created', 'customer.stage_changed', 'customer.updated']);
    expect(await types('/f-exact', 1)).toEqual(['customer.updated']);
    expect(await types('/f-all', 4)).toEqual(['customer.created', 'customer.stage_changed', 'customer.updated', 'webhook.created']);
    await sleep(300);
    expect(receiver.at('/f-customers')).toHaveLength(3);
    expect(receiver.at('/f-exact')).toHaveLength(1);
    expect(receiver.at('/f-all')).toHaveLength(4);
  });

  it('retries after 500s with growing delays, then records the success', async () => {
    const ws = await freshWorkspace();
    receiver.responders.set('/flaky', (_request, previous) => (previous.length < 2 ? { status: 500, body: 'try later' } : 200));
    const hook = await createWebhook(ws, { url: `${receiver.url}/flaky`, eventTypes: ['customer.created'] });
    await createCustomer(ws, 'Retry Me');

    const attempts = await receiver.waitFor('/flaky', 3);
    expect(attempts.map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(attempts.map((r) => r.headers['x-crm-delivery-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(attempts.map((r) => r.json.id)).size).toBe(1); // the same event each time
    expect(new Set(attempts.map((r) => r.body)).size).toBe(1); // byte for byte
    // Backoff: each wait is at least its scheduled delay less the jitter (a busy machine can only add to it).
    const gaps = [attempts[1]!.receivedAt - attempts[0]!.receivedAt, attempts[2]!.receivedAt - attempts[1]!.receivedAt];
    expect(gaps[0]).toBeGreaterThanOrEqual(RETRIES[0]! * 0.9 - 10);
    expect(gaps[1]).toBeGreaterThanOrEqual(RETRIES[1]! * 0.9 - 10);

    const webhook = await eventually(async () => {
      const found = await webhookById(ws, hook.id);
      return found.deliveries.edges[0]?.node.status === 'DELIVERED' ? found : undefined;
    });
    expect(webhook.deliveries.edges[0]!.node).toMatchObject({ attempts: 3, lastResponseStatus: 200, lastError: null });
    expect(webhook.consecutiveFailures).toBe(0); // a success ends the streak
    expect(webhook.enabled).toBe(true);
  });

  it('gives up after the last retry, and disables a webhook that keeps failing (recording webhook.disabled)', async () => {
    const ws = await freshWorkspace();
    receiver.responders.set('/down', () => ({ status: 503, body: 'down for maintenance' }));
    const hook = await createWebhook(ws, { url: `${receiver.url}/down`, eventTypes: ['customer.created'] });
    await createCustomer(ws, 'Never Delivered');

    // 1 attempt + 3 retries = 4 failures in a row = the threshold.
    const attempts = await receiver.waitFor('/down', 4);
    expect(attempts.map((r) => r.answered)).toEqual([503, 503, 503, 503]);
    const disabled = await eventually(async () => {
      const found = await webhookById(ws, hook.id);
      return found.enabled ? undefined : found;
    });
    expect(disabled.disabledReason).toBe('4 failed attempts in a row');
    expect(disabled.consecutiveFailures).toBe(4);
    expect(disabled.deliveries.edges[0]!.node).toMatchObject({
      status: 'FAILED', attempts: 4, lastResponseStatus: 503, lastError: 'HTTP 503: down for maintenance', nextAttemptAt: null,
    });
    const recorded = await t.database.prisma.event.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, type: 'webhook.disabled' } });
    expect(recorded).toMatchObject({ subjectType: 'Webhook', actor: 'system', payload: { reason: '4 failed attempts in a row', consecutiveFailures: 4 } });

    // Disabled: new events are not sent.
    await createCustomer(ws, 'While disabled');
    await sleep(400);
    expect(receiver.at('/down')).toHaveLength(4);

    // Enabled again: it starts from the present, and a failed delivery can be sent again by hand.
    receiver.responders.set('/down', () => 200);
    await ws.client.query(UPDATE_WEBHOOK, { input: { id: hook.id, enabled: true } });
    await createCustomer(ws, 'After re-enabling');
    const [next] = (await receiver.waitFor('/down', 5)).slice(4);
    expect(next!.json.payload.name).toBe('After re-enabling');
    const failed = (await webhookById(ws, hook.id, 'FAILED')).deliveries.edges.map((e) => e.node);
    expect(failed).toHaveLength(1);
    const redelivered = await ws.client.query(REDELIVER, { id: failed[0]!.id });
    expect(redelivered.redeliverWebhookDelivery.delivery).toMatchObject({ status: 'PENDING', attempts: 0 });
    const [again] = (await receiver.waitFor('/down', 6)).slice(5);
    expect(again!.json.payload.name).toBe('Never Delivered');
    const log = await eventually(async () => {
      const found = await webhookById(ws, hook.id);
      return found.deliveries.edges.every((e) => e.node.status === 'DELIVERED') ? found : undefined;
    });
    expect(log.deliveries.totalCount).toBe(2);
    await sleep(300);
    expect(receiver.at('/down')).toHaveLength(6); // "While disabled" was never sent
  });

  it('delivers nothing for a mutation that rolled back', async () => {
    const ws = await freshWorkspace();
    await createCustomer(ws, 'Original', 'taken@dup.test');
    await createWebhook(ws, { url: `${receiver.url}/rollback`, eventTypes: ['customer.*'] });
    const failed = await ws.client.request(`mutation { createCustomer(input: { name: "Duplicate", email: "taken@dup.test" }) { customer { id } } }`);
    expect(failed.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await createCustomer(ws, 'Committed');
    const received = await receiver.waitFor('/rollback', 2);
    await sleep(300);
    expect(receiver.at('/rollback').map((r) => r.json.payload.name ?? r.json.type).sort()).toEqual(['Committed', 'customer.stage_changed']);
    expect(JSON.stringify(received)).not.toContain('Duplicate');
  });

  it('signs with both secrets during a rotation’s grace period, then with the new one only', async () => {
    const ws = await freshWorkspace();
    const hook = await createWebhook(ws, { url: `${receiver.url}/rotate`, eventTypes: ['customer.created'], secret: 'my-own-secret-0123456789' });
    const graceful = await ws.client.query(ROTATE_SECRET, { input: { id: hook.id, graceSeconds: 3600 } });
    const newSecret: string = graceful.rotateWebhookSecret.secret;
    expect(newSecret).toMatch(/^whsec_/);
    expect(graceful.rotateWebhookSecret.webhook.previousSecretExpiresAt).not.toBeNull();
    await createCustomer(ws, 'During grace');
    const [first] = await receiver.waitFor('/rotate', 1);
    const header = String(first!.headers['x-crm-signature']);
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(verifySignature(header, first!.body, newSecret)).toBe(true);
    expect(verifySignature(header, first!.body, 'my-own-secret-0123456789')).toBe(true);

    const hard = await ws.client.query(ROTATE_SECRET, { input: { id: hook.id, secret: 'another-secret-abcdefghij' } });
    expect(hard.rotateWebhookSecret).toMatchObject({ secret: 'another-secret-abcdefghij', webhook: { previousSecretExpiresAt: null } });
    await createCustomer(ws, 'After rotation');
    const [, second] = await receiver.waitFor('/rotate', 2);
    const header2 = String(second!.headers['x-crm-signature']);
    expect(header2.match(/v1=/g)).toHaveLength(1);
    expect(verifySignature(header2, second!.body, 'another-secret-abcdefghij')).toBe(true);
    expect(verifySignature(header2, second!.body, newSecret)).toBe(false);
  });

  it('follows url and event type changes, and stops at deletion', async () => {
    const ws = await freshWorkspace();
    const hook = await createWebhook(ws, { url: `${receiver.url}/before-move`, eventTypes: ['customer.created'] });
    await ws.client.query(UPDATE_WEBHOOK, { input: { id: hook.id, url: `${receiver.url}/after-move`, eventTypes: ['customer.updated'] } });
    const id = await createCustomer(ws, 'Moved');
    await ws.client.query(UPDATE_CUSTOMER, { input: { id, name: 'Moved again' } });
    const [got] = await receiver.waitFor('/after-move', 1);
    expect(got!.json.type).toBe('customer.updated');
    expect(receiver.at('/before-move')).toHaveLength(0);

    await ws.client.query(`mutation ($id: ID!) { deleteWebhook(input: { id: $id }) { deletedWebhookId } }`, { id: hook.id });
    await ws.client.query(UPDATE_CUSTOMER, { input: { id, name: 'After deletion' } });
    await sleep(300);
    expect(receiver.at('/after-move')).toHaveLength(1);
    expect(await t.database.prisma.webhookDelivery.count({ where: { webhookId: rowId(hook.id, 'Webhook', 'id') } })).toBe(0);
  });
});

describe('fairness between webhooks', () => {
  // Few slots (4, so 1 per webhook) make the point quickly: without a per-webhook share, five slow deliveries would
  // take all four slots and the other webhook would wait for the first of them to end.
  let small: TestGateway;
  beforeAll(async () => {
    small = await startTestGateway({ webhooks: { allowPrivateTargets: true, concurrency: 4, pollIntervalMs: 100, timeoutMs: 5000 } });
  });
  afterAll(async () => {
    await small?.close();
  });

  it('does not let a slow endpoint hold up another webhook’s deliveries', async () => {
    const ws = small.workspace;
    receiver.responders.set('/slow', async () => {
      await sleep(3000);
      return 200;
    });
    await createWebhook(ws, { url: `${receiver.url}/slow`, eventTypes: ['customer.created'] });
    await createWebhook(ws, { url: `${receiver.url}/fast`, eventTypes: ['customer.updated'] });
    for (let i = 0; i < 5; i++) await createCustomer(ws, `Slow ${i}`);
    const id = await createCustomer(ws, 'Fast');
    await ws.client.query(UPDATE_CUSTOMER, { input: { id, name: 'Fast again' } });
    const committed = Date.now();
    await receiver.waitFor('/fast', 1);
    expect(Date.now() - committed).toBeLessThan(2000);
    // The slow endpoint still gets everything, one at a time.
    const slow = await receiver.waitFor('/slow', 2, 10_000);
    expect(slow[1]!.receivedAt - slow[0]!.receivedAt).toBeGreaterThanOrEqual(2400);
  });
});
