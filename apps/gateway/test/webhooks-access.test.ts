import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../src/logger.js';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';
import {
  CREATE_WEBHOOK,
  createCustomer,
  createWebhook,
  DELETE_WEBHOOK,
  eventually,
  listWebhooks,
  REDELIVER,
  ROTATE_SECRET,
  UPDATE_WEBHOOK,
  webhookById,
} from './webhooks/operations.js';
import { sleep, WebhookReceiver } from './webhooks/receiver.js';

// Who may manage webhooks, what they may point at, what input is refused, what events they record, workspace
// isolation, and the statement count of the delivery log.
const logLines: string[] = [];
const capture = (level: string) => (message: string, fields?: Record<string, unknown>) => void logLines.push(JSON.stringify({ level, message, ...fields }));
const logger: Logger = { info: capture('info'), warn: capture('warn'), error: capture('error') };

let t: TestGateway;
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  t = await startTestGateway({
    logger,
    webhooks: { allowPrivateTargets: true, retrySchedule: [100], jitter: 0, pollIntervalMs: 100, timeoutMs: 2000 },
  });
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

describe('webhook management', () => {
  it('is for ADMIN keys only: MEMBER and READ_ONLY keys get FORBIDDEN', async () => {
    const hook = await createWebhook(t.workspace, { url: `${receiver.url}/roles`, eventTypes: ['deal.won'] });
    for (const role of ['MEMBER', 'READ_ONLY'] as const) {
      const client = await t.issueKey(t.workspace.workspaceId, role);
      const id = hook.id;
      expect(await client.errorCode(`{ webhooks(first: 5) { totalCount } }`), role).toBe('FORBIDDEN');
      expect(await client.errorCode(`query ($id: ID!) { node(id: $id) { ... on Webhook { url } } }`, { id }), role).toBe('FORBIDDEN');
      expect(await client.errorCode(CREATE_WEBHOOK, { input: { url: `${receiver.url}/x`, eventTypes: ['*'] } }), role).toBe('FORBIDDEN');
      expect(await client.errorCode(UPDATE_WEBHOOK, { input: { id, enabled: false } }), role).toBe('FORBIDDEN');
      expect(await client.errorCode(ROTATE_SECRET, { input: { id } }), role).toBe('FORBIDDEN');
      expect(await client.errorCode(DELETE_WEBHOOK, { id }), role).toBe('FORBIDDEN');
      expect(await client.errorCode(REDELIVER, { id }), role).toBe('FORBIDDEN');
    }
    // Nothing changed.
    expect((await webhookById(t.workspace, hook.id)).enabled).toBe(true);
  });

  it('refuses bad input with the field at fault', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ url: 'ftp://example.com/hook', eventTypes: ['*'] }, 'url'],
      [{ url: 'not a url', eventTypes: ['*'] }, 'url'],
      [{ url: `https://example.com/${'x'.repeat(2100)}`, eventTypes: ['*'] }, 'url'],
      [{ url: 'https://user:pass@example.com/hook', eventTypes: ['*'] }, 'url'],
      [{ url: 'https://example.com/hook', eventTypes: [] }, 'eventTypes'],
      [{ url: 'https://example.com/hook', eventTypes: ['customer.created', 'Customer.Created'] }, 'eventTypes.1'],
      [{ url: 'https://example.com/hook', eventTypes: ['customer*'] }, 'eventTypes.0'],
      [{ url: 'https://example.com/hook', eventTypes: ['*.created'] }, 'eventTypes.0'],
      [{ url: 'https://example.com/hook', eventTypes: ['*'], secret: 'short' }, 'secret'],
    ];
    for (const [input, field] of cases) {
      const result = await t.workspace.client.request(CREATE_WEBHOOK, { input });
      expect(result.errors?.[0]?.extensions, JSON.stringify(input).slice(0, 80)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const hook = await createWebhook(t.workspace, { url: 'https://example.com/ok', eventTypes: ['customer.*', 'customer.*', 'loyalty.tier_changed'] });
    expect((await webhookById(t.workspace, hook.id)).eventTypes).toEqual(['customer.*', 'loyalty.tier_changed']);
    const removal = await t.workspace.client.request(UPDATE_WEBHOOK, { input: { id: hook.id, url: null } });
    expect(removal.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    const grace = await t.workspace.client.request(ROTATE_SECRET, { input: { id: hook.id, graceSeconds: 8 * 24 * 3600 } });
    expect(grace.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'graceSeconds' });
    await t.workspace.client.query(DELETE_WEBHOOK, { id: hook.id });
  });

  it('records webhook.created|updated|deleted events without secrets or URL paths', async () => {
    const ws = await t.createWorkspace('Audited');
    const hook = await createWebhook(ws, { url: 'https://hooks.example.com/services/T0K3N', eventTypes: ['deal.*'], secret: 'whsec_audited-secret-value' });
    await ws.client.query(UPDATE_WEBHOOK, { input: { id: hook.id, eventTypes: ['deal.won'], description: 'Sales channel' } });
    const rotated = await ws.client.query(ROTATE_SECRET, { input: { id: hook.id } });
    await ws.client.query(DELETE_WEBHOOK, { id: hook.id });
    const events = await t.database.prisma.event.findMany({ where: { workspaceId: ws.workspaceId }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.type, e.payload])).toEqual([
      ['webhook.created', { host: 'hooks.example.com', eventTypes: ['deal.*'] }],
      ['webhook.updated', { changed: ['eventTypes', 'description'] }],
      ['webhook.updated', { changed: ['secret'] }],
      ['webhook.deleted', { host: 'hooks.example.com' }],
    ]);
    const stored = JSON.stringify(events.map((event) => ({ ...event, seq: String(event.seq) })));
    for (const secret of ['whsec_audited-secret-value', rotated.rotateWebhookSecret.secret, 'T0K3N']) expect(stored).not.toContain(secret);
  });

  it('keeps signing secrets and URL paths out of the logs', async () => {
    receiver.responders.set('/logged/s3cr3t-path', () => 500);
    const ws = await t.createWorkspace('Logged');
    const hook = await createWebhook(ws, { url: `${receiver.url}/logged/s3cr3t-path`, eventTypes: ['customer.created'] });
    await createCustomer(ws, 'Logged');
    await receiver.waitFor('/logged/s3cr3t-path', 2);
    await eventually(async () => (logLines.filter((line) => line.includes('webhook attempt failed')).length >= 2 ? true : undefined));
    const logs = logLines.join('\n');
    expect(logs).toContain('HTTP 500');
    expect(logs).not.toContain(hook.secret);
    expect(logs).not.toContain('s3cr3t-path');
  });

  it('keeps each workspace’s webhooks, deliveries and events to itself', async () => {
    const a = await t.createWorkspace('Tenant A');
    const b = await t.createWorkspace('Tenant B');
    const hookA = await createWebhook(a, { url: `${receiver.url}/tenant-a`, eventTypes: ['*'] });
    const hookB = await createWebhook(b, { url: `${receiver.url}/tenant-b`, eventTypes: ['*'] });
    await createCustomer(a, 'Only for A');
    await receiver.waitFor('/tenant-a', 3); // webhook.created, customer.created, customer.stage_changed
    await sleep(300);
    // B's endpoint got its own webhook.created only.
    expect(receiver.at('/tenant-b').map((r) => [r.json.type, r.json.workspaceId])).toEqual([['webhook.created', b.workspaceId]]);
    expect(receiver.at('/tenant-a').every((r) => r.json.workspaceId === a.workspaceId)).toBe(true);

    const deliveryA = (await eventually(async () => {
      const found = await webhookById(a, hookA.id);
      return found.deliveries.totalCount === 3 ? found : undefined;
    })).deliveries.edges[0]!.node.id;
    expect((await listWebhooks(b)).map((w) => w.id)).toEqual([hookB.id]);
    const node = `query ($id: ID!) { node(id: $id) { id } }`;
    expect((await b.client.query(node, { id: hookA.id })).node).toBeNull();
    expect((await b.client.query(node, { id: deliveryA })).node).toBeNull();
    expect(await b.client.errorCode(UPDATE_WEBHOOK, { input: { id: hookA.id, url: `${receiver.url}/stolen` } })).toBe('NOT_FOUND');
    expect(await b.client.errorCode(ROTATE_SECRET, { input: { id: hookA.id } })).toBe('NOT_FOUND');
    expect(await b.client.errorCode(DELETE_WEBHOOK, { id: hookA.id })).toBe('NOT_FOUND');
    expect(await b.client.errorCode(REDELIVER, { id: deliveryA })).toBe('NOT_FOUND');
    expect((await webhookById(a, hookA.id)).url).toBe(`${receiver.url}/tenant-a`);
  });

  it('loads a page of webhooks with their delivery logs in a constant number of statements', async () => {
    const ws = await t.createWorkspace('Statements');
    const { prisma } = t.database;
    // Disabled webhooks with delivered rows: the dispatcher leaves them alone while statements are counted.
    const seed = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const hook = await prisma.webhook.create({
          data: { workspaceId: ws.workspaceId, url: `https://example.com/${i}`, eventTypes: ['*'], secret: 'whsec_statement-count', enabled: false },
        });
        await prisma.webhookDelivery.createMany({
          data: Array.from({ length: 7 }, (_, n) => ({
            workspaceId: ws.workspaceId, webhookId: hook.id, eventId: crypto.randomUUID(), eventSeq: BigInt(n + 1), eventType: 'customer.created',
            event: {}, status: 'DELIVERED' as const, attempts: 1, nextAttemptAt: null,
          })),
        });
      }
    };
    await seed(2);
    await listWebhooks(ws); // warm caches
    const two = await t.sql.during(() => listWebhooks(ws));
    await seed(6);
    const many = await t.sql.during(() => listWebhooks(ws));
    expect((await listWebhooks(ws)).length).toBe(8);
    expect(many.length).toBe(two.length);
    expect(many.length).toBeLessThanOrEqual(3);
  });
});

describe('the delivery log', () => {
  it('forgets finished deliveries after the retention time, never pending ones', async () => {
    const ws = await t.createWorkspace('Retention');
    const { prisma } = t.database;
    const hook = await prisma.webhook.create({
      data: { workspaceId: ws.workspaceId, url: 'https://example.com/old', eventTypes: ['*'], secret: 'whsec_retention-test', enabled: false },
    });
    const old = new Date(Date.now() - 31 * 24 * 3600_000);
    const row = (status: 'DELIVERED' | 'FAILED' | 'PENDING', createdAt: Date, n: number) => ({
      workspaceId: ws.workspaceId, webhookId: hook.id, eventId: crypto.randomUUID(), eventSeq: BigInt(n), eventType: 'customer.created',
      event: {}, status, createdAt,
    });
    await prisma.webhookDelivery.createMany({
      data: [row('DELIVERED', old, 1), row('FAILED', old, 2), row('PENDING', old, 3), row('DELIVERED', new Date(), 4)],
    });
    expect(await t.gateway.webhooks.prune()).toBe(2);
    const left = await prisma.webhookDelivery.findMany({ where: { webhookId: hook.id }, orderBy: { eventSeq: 'asc' } });
    expect(left.map((d) => Number(d.eventSeq))).toEqual([3, 4]);
  });
});

describe('webhook targets on a server with the default policy', () => {
  let strict: TestGateway;
  beforeAll(async () => {
    strict = await startTestGateway();
  });
  afterAll(async () => {
    await strict?.close();
  });

  it('refuses loopback, private and link-local targets (SSRF)', async () => {
    for (const url of ['http://127.0.0.1:9/hook', 'http://localhost:8080/', 'http://[::1]/', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.5/', 'http://2130706433/']) {
      const result = await strict.workspace.client.request(CREATE_WEBHOOK, { input: { url, eventTypes: ['*'] } });
      expect(result.errors?.[0]?.extensions, url).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    }
    const ok = await createWebhook(strict.workspace, { url: 'https://example.com/hooks', eventTypes: ['*'] });
    const moved = await strict.workspace.client.request(UPDATE_WEBHOOK, { input: { id: ok.id, url: 'http://192.168.1.1/' } });
    expect(moved.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
  });
});
