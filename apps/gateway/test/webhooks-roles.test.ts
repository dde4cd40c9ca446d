// Webhooks deliver as a role: payloads scrubbed by the same function as subscriptions and the audit log (fields the
// role does not read are null, and left out of `changes`/`changed`); events about objects it does not read, or under
// "own records only" (a webhook is no team member), are not delivered. Through a real HTTP receiver.
import { rowId } from '@crm/graph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, type TestWorkspace } from '../src/testing/index.js';
import { CREATE_CUSTOMER, CREATE_WEBHOOK, eventually, UPDATE_CUSTOMER } from './webhooks/operations.js';
import { WebhookReceiver } from './webhooks/receiver.js';

let t: TestGateway;
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  // Delivery is at least once: an answer later than `timeoutMs` is retried, and the receiver shares this process's event
  // loop, which a loaded machine stalls past 2 s (seen: events delivered twice at load 22–33). The test counts deliveries.
  t = await startTestGateway({ webhooks: { allowPrivateTargets: true, retrySchedule: [150, 300], jitter: 0.1, pollIntervalMs: 100, timeoutMs: 15_000 } });
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

const PARTNER = [
  { object: 'Customer', read: true, hiddenFields: ['phone'] },
  { object: 'Deal', read: true, ownRecordsOnly: true },
  { object: 'User', read: true },
];
const WEBHOOK_ROLE = `query ($id: ID!) { node(id: $id) { ... on Webhook { role customRole { name } } } }`;
const UPDATE_WEBHOOK_ROLE = `mutation ($input: UpdateWebhookInput!) { updateWebhook(input: $input) { webhook { id role customRole { name } } } }`;
const UPDATE_ROLE = `mutation ($id: ID!, $p: [ObjectPermissionInput!]) { updateRole(input: { id: $id, permissions: $p }) { role { id } } }`;

async function createRole(ws: TestWorkspace, name: string, permissions: object[]): Promise<string> {
  const { createRole } = await ws.client.query(`mutation ($n: String!, $p: [ObjectPermissionInput!]!) { createRole(input: { name: $n, permissions: $p }) { role { id } } }`, { n: name, p: permissions });
  return createRole.role.id;
}

async function hook(ws: TestWorkspace, path: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { createWebhook } = await ws.client.query(CREATE_WEBHOOK, {
    input: { url: `${receiver.url}${path}`, eventTypes: ['customer.*', 'ticket.opened', 'deal.created'], ...extra },
  });
  return createWebhook.webhook.id;
}

/** Waits until the webhook has at least `expected` deliveries and nothing pending; their event types, in order. */
async function settled(webhookId: string, expected: number): Promise<string[]> {
  return eventually(async () => {
    const rows = await t.database.prisma.webhookDelivery.findMany({ where: { webhookId: rowId(webhookId, 'Webhook', 'id') }, orderBy: { eventSeq: 'asc' } });
    return rows.length >= expected && rows.every((row) => row.status === 'DELIVERED') ? rows.map((row) => row.eventType) : undefined;
  }, 15_000, `${expected} delivered`);
}

const bodiesAt = (path: string) => receiver.at(path).map((request) => request.json as { type: string; payload: Record<string, any> });

describe('a webhook delivers as its role', () => {
  it('defaults to ADMIN (full payloads); a custom role scrubs hidden fields and drops events it does not see', async () => {
    const ws = await t.createWorkspace('Webhook roles');
    const roleId = await createRole(ws, 'Partner feed', PARTNER);
    const full = await hook(ws, '/roles/full');
    const partner = await hook(ws, '/roles/partner', { roleId });
    expect((await ws.client.query(WEBHOOK_ROLE, { id: full })).node).toEqual({ role: 'ADMIN', customRole: null });
    expect((await ws.client.query(WEBHOOK_ROLE, { id: partner })).node).toEqual({ role: 'READ_ONLY', customRole: { name: 'Partner feed' } });

    const customer = (await ws.client.query(CREATE_CUSTOMER, { input: { name: 'Ada', phone: '+1 555 0110' } })).createCustomer.customer.id;
    await ws.client.query(UPDATE_CUSTOMER, { input: { id: customer, name: 'Ada L', phone: '+1 555 0111' } });
    await ws.client.query(`mutation ($c: ID!) { createTicket(input: { customerId: $c, subject: "Partner must not see", priority: LOW }) { ticket { id } } }`, { c: customer });
    await ws.client.query(`mutation ($c: ID!) { createDeal(input: { customerId: $c, title: "Own-records deal", amount: "10.00" }) { deal { id } } }`, { c: customer });

    const fullTypes = await eventually(async () => {
      const types = await settled(full, 4);
      return types.includes('deal.created') ? types : undefined;
    });
    expect(fullTypes).toEqual(expect.arrayContaining(['customer.created', 'customer.updated', 'ticket.opened', 'deal.created']));
    // The ticket (an object the role does not read) and the deal (own records only: a webhook owns none) are not
    // deliveries; every customer event is (the hook's cursor passed them all: nothing of it is left pending).
    const customerTypes = fullTypes.filter((type) => type.startsWith('customer.'));
    expect(await settled(partner, customerTypes.length)).toEqual(customerTypes);
    await eventually(async () => ((await t.database.prisma.webhook.findUniqueOrThrow({ where: { id: rowId(partner, 'Webhook', 'id') } })).cursorSeq >=
      (await t.database.prisma.webhook.findUniqueOrThrow({ where: { id: rowId(full, 'Webhook', 'id') } })).cursorSeq ? true : undefined));
    expect(await settled(partner, customerTypes.length)).toEqual(customerTypes);

    const fullUpdate = bodiesAt('/roles/full').find((body) => body.type === 'customer.updated')!;
    expect(fullUpdate.payload.changes).toMatchObject({ name: { from: 'Ada', to: 'Ada L' }, phone: { from: '+1 555 0110', to: '+1 555 0111' } });
    const partnerBodies = bodiesAt('/roles/partner');
    expect(partnerBodies.map((body) => body.type).sort()).toEqual([...customerTypes].sort());
    const partnerUpdate = partnerBodies.find((body) => body.type === 'customer.updated')!;
    expect(partnerUpdate.payload.changes).toMatchObject({ name: { from: 'Ada', to: 'Ada L' } });
    expect(partnerUpdate.payload.changes).not.toHaveProperty('phone');
    expect(partnerUpdate.payload.changed).toContain('name');
    expect(partnerUpdate.payload.changed).not.toContain('phone');
    expect(JSON.stringify(partnerBodies)).not.toContain('555 011');

    // The role's change applies to what is delivered next.
    await ws.client.query(UPDATE_ROLE, { id: roleId, p: PARTNER.map((p) => (p.object === 'Customer' ? { ...p, hiddenFields: [] } : p)) });
    await ws.client.query(UPDATE_CUSTOMER, { input: { id: customer, phone: '+1 555 0112' } });
    await eventually(async () => (receiver.at('/roles/partner').length > partnerBodies.length ? true : undefined));
    expect(bodiesAt('/roles/partner').at(-1)!.payload.changes).toMatchObject({ phone: { from: '+1 555 0111', to: '+1 555 0112' } });
  });

  it('a built-in role applies its declared field roles: READ_ONLY deliveries leave out MEMBER-only fields', async () => {
    const ws = await t.createWorkspace('Webhook read-only');
    const readOnly = await hook(ws, '/roles/read-only', { role: 'READ_ONLY', eventTypes: ['customer.updated'] });
    const customer = (await ws.client.query(CREATE_CUSTOMER, { input: { name: 'Bea' } })).createCustomer.customer.id;
    await ws.client.query(UPDATE_CUSTOMER, { input: { id: customer, name: 'Bea B', annualWallet: '5000.00' } });
    await settled(readOnly, 1);
    const [body] = bodiesAt('/roles/read-only');
    expect(body!.payload.changes).toMatchObject({ name: { from: 'Bea', to: 'Bea B' } });
    expect(body!.payload.changes).not.toHaveProperty('annualWallet');
    expect(body!.payload.changed).not.toContain('annualWallet');
  });

  it('validates the role; a role webhooks deliver as cannot be deleted; another workspace’s role is not found', async () => {
    const ws = await t.createWorkspace('Webhook role checks');
    const roleId = await createRole(ws, 'Feed', PARTNER);
    const url = `${receiver.url}/roles/checks`;
    const refused = async (input: Record<string, unknown>, mutation = CREATE_WEBHOOK) => (await ws.client.request(mutation, { input })).errors?.[0]?.extensions;
    expect(await refused({ url, eventTypes: ['*'], role: 'MEMBER', roleId })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'roleId' });
    const unknownRole = Buffer.from('CustomRole:00000000-0000-7000-8000-000000000000').toString('base64');
    expect(await refused({ url, eventTypes: ['*'], roleId: unknownRole })).toMatchObject({ code: 'NOT_FOUND', field: 'roleId' });

    const webhookId = await hook(ws, '/roles/checks', { roleId });
    expect(await refused({ id: webhookId, role: null }, UPDATE_WEBHOOK_ROLE)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'role' });
    const deleting = await ws.client.request(`mutation ($id: ID!) { deleteRole(input: { id: $id, revokeKeys: true }) { role { id } } }`, { id: roleId });
    expect(deleting.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id' });
    const moved = await ws.client.query(UPDATE_WEBHOOK_ROLE, { input: { id: webhookId, role: 'MEMBER' } });
    expect(moved.updateWebhook.webhook).toMatchObject({ role: 'MEMBER', customRole: null });
    await ws.client.query(`mutation ($id: ID!) { deleteRole(input: { id: $id }) { role { id } } }`, { id: roleId });

    // Tenancy: workspace B can neither use A's role nor touch A's webhook; MEMBER keys manage no webhooks.
    const other = await t.createWorkspace('Webhook role checks B');
    const foreignRole = await createRole(ws, 'Feed again', PARTNER);
    const foreign = await other.client.request(CREATE_WEBHOOK, { input: { url, eventTypes: ['*'], roleId: foreignRole } });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'roleId' });
    expect(await other.client.errorCode(UPDATE_WEBHOOK_ROLE, { input: { id: webhookId, role: 'READ_ONLY' } })).toBe('NOT_FOUND');
    const member = await t.issueKey(ws.workspaceId, 'MEMBER');
    expect(await member.errorCode(UPDATE_WEBHOOK_ROLE, { input: { id: webhookId, roleId: foreignRole } })).toBe('FORBIDDEN');
    expect((await ws.client.query(WEBHOOK_ROLE, { id: webhookId })).node).toEqual({ role: 'MEMBER', customRole: null });
  });
});
