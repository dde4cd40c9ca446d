// Who reads the workflows plugin's events (declared `read: 'manage'`, docs/plugins/api-reference.md, "events"): their
// payloads name workflows, their filters and secrets rotated, so MEMBER and READ_ONLY keys see none of them in the
// `events` query, the events subscription (live and replayed) or a webhook delivering as their role; ADMIN keys (the
// holders of `manage`) see them all; another workspace never does. A core event committed after them (a customer) is
// the marker that the events before it were passed over, not still on their way.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, startReceiver } from './support.js';

const WORKFLOW_EVENTS = ['workflow.created', 'workflow.published', 'workflow.switched', 'workflow.runs_requested', 'workflow.run_requested'];
const DEFINITION = { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'pause', kind: 'wait', for: { days: 1 } }] };
const EVENTS = `query ($after: String) { events(first: 100, after: $after) { totalCount edges { node { type payload } } } }`;
const SUBSCRIBE = `subscription ($after: String) { events(after: $after) { type payload } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let member: TestClient;
let reader: TestClient;
let foreign: TestClient;
/** A receiver per role a webhook delivers as. */
const receivers = new Map<string, Awaited<ReturnType<typeof startReceiver>>>();
/** The newest event's cursor before the workflow events: replays start from it. */
let before: string;

type Live = { events: { type: string; payload: Record<string, unknown> } };

/** Commits every kind of workflow event the test looks for, then a customer (the marker) named `marker`. */
async function workflowEventsThenMarker(marker: string) {
  const id = (await admin.query(`mutation { createWorkflow(input: { name: "Secret plan", definition: ${gql(DEFINITION)} }) { workflow { id } } }`)).createWorkflow.workflow.id;
  await admin.query(`mutation ($id: ID!) { publishWorkflow(input: { id: $id }) { workflow { id } } }`, { id });
  await admin.query(`mutation ($id: ID!) { setWorkflowEnabled(input: { id: $id, enabled: true }) { workflow { id } } }`, { id });
  const customer = (await admin.query(CUSTOMER, { name: 'Target' })).createCustomer.customer.id;
  await admin.query(`mutation ($id: ID!, $r: ID!) { runWorkflow(input: { id: $id, recordId: $r }) { run { id } } }`, { id, r: customer });
  await admin.query(`mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`, { id, ids: [customer] });
  await admin.query(CUSTOMER, { name: marker });
}

/** A GraphQL literal of a JSON value (object keys unquoted). */
const gql = (value: unknown): string =>
  Array.isArray(value) ? `[${value.map(gql).join(', ')}]` : value && typeof value === 'object' ? `{ ${Object.entries(value).map(([k, v]) => `${k}: ${gql(v)}`).join(', ')} }` : JSON.stringify(value);

const typesOf = (results: Live[]) => results.map((r) => r.events.type);
const isMarker = (name: string) => (r: Live) => r.events.type === 'customer.created' && r.events.payload.name === name;

beforeAll(async () => {
  kit = await startPluginTestGateway({
    plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 })],
    webhooks: { allowPrivateTargets: true, retrySchedule: [100], jitter: 0, pollIntervalMs: 100, timeoutMs: 5000 },
  });
  admin = kit.workspace.client;
  member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
  reader = await kit.issueKey(kit.workspace.workspaceId, 'READ_ONLY');
  foreign = (await kit.createWorkspace('Other')).client;
  for (const role of ['READ_ONLY', 'MEMBER', 'ADMIN']) {
    const receiver = await startReceiver();
    receivers.set(role, receiver);
    await admin.query(`mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }`, {
      input: { url: receiver.url, eventTypes: ['workflow.*', 'customer.created'], role },
    });
  }
  await admin.query(CUSTOMER, { name: 'Before' });
  before = (await admin.query(`{ events(first: 1) { edges { cursor } } }`)).events.edges[0].cursor;
});
afterAll(async () => {
  await kit?.close();
  for (const receiver of receivers.values()) await receiver.close();
});

describe('the workflows plugin’s events are read by holders of "manage" only', () => {
  it('live subscriptions: MEMBER, READ_ONLY and another workspace get none of them; ADMIN gets them all', async () => {
    const [asAdmin, asMember, asReader, asForeign] = await kit.subscribed(
      () => [admin, member, reader, foreign].map((client) => kit.subscribe<Live>(SUBSCRIBE, {}, client.apiKey!)),
      4,
    );
    await workflowEventsThenMarker('Live marker');
    await foreign.query(CUSTOMER, { name: 'Foreign marker' });
    for (const [name, sub, marker] of [
      ['ADMIN', asAdmin!, 'Live marker'],
      ['MEMBER', asMember!, 'Live marker'],
      ['READ_ONLY', asReader!, 'Live marker'],
      ['other workspace', asForeign!, 'Foreign marker'],
    ] as const) {
      await eventually(kit, async () => expect(sub.results.some(isMarker(marker)), name).toBe(true), 60_000);
      expect(sub.errors, name).toBeNull();
      const workflowTypes = typesOf(sub.results).filter((type) => type.startsWith('workflow.'));
      if (name === 'ADMIN') expect(new Set(workflowTypes)).toEqual(new Set(WORKFLOW_EVENTS));
      else expect(workflowTypes, name).toEqual([]);
      sub.dispose();
    }
  });

  it('replayed subscriptions (after a cursor): the same', async () => {
    for (const [client, sees] of [
      [admin, true],
      [member, false],
      [reader, false],
    ] as const) {
      const sub = kit.subscribe<Live>(SUBSCRIBE, { after: before }, client.apiKey!);
      await eventually(kit, async () => expect(sub.results.some(isMarker('Live marker'))).toBe(true), 60_000);
      const workflowTypes = typesOf(sub.results).filter((type) => type.startsWith('workflow.'));
      expect(workflowTypes.length > 0).toBe(sees);
      sub.dispose();
    }
  });

  it('the events query (the audit log): none of them for MEMBER and READ_ONLY, counts included; all for ADMIN', async () => {
    const page = async (client: TestClient) => (await client.query(EVENTS, { after: null })).events;
    const adminPage = await page(admin);
    const adminWorkflow = adminPage.edges.filter((e: { node: { type: string } }) => e.node.type.startsWith('workflow.'));
    expect(new Set(adminWorkflow.map((e: { node: { type: string } }) => e.node.type))).toEqual(new Set(WORKFLOW_EVENTS));
    for (const client of [member, reader]) {
      const seen = await page(client);
      expect(seen.edges.filter((e: { node: { type: string } }) => e.node.type.startsWith('workflow.'))).toEqual([]);
      // The webhooks' own `webhook.created` events are ADMIN's too (core's administration events).
      const adminOnly = adminPage.edges.filter((e: { node: { type: string } }) => /^(workflow|webhook)\./.test(e.node.type));
      expect(seen.totalCount).toBe(adminPage.totalCount - adminOnly.length);
      // Asking for them by type finds nothing either.
      const asked = await client.query(`{ events(first: 10, types: ["workflow.created", "workflow.runs_requested"]) { totalCount edges { node { type } } } }`);
      expect(asked.events).toEqual({ totalCount: 0, edges: [] });
    }
    expect((await foreign.query(EVENTS, { after: null })).events.edges.some((e: { node: { type: string } }) => e.node.type.startsWith('workflow.'))).toBe(false);
  });

  it('webhooks deliver them only when their role reads them (ADMIN), not as MEMBER or READ_ONLY', async () => {
    const typesAt = (role: string) => receivers.get(role)!.received.map((r) => JSON.parse(r.body) as { type: string; payload: { name?: string } });
    const workflowTypesAt = (role: string) => typesAt(role).map((e) => e.type).filter((type) => type.startsWith('workflow.'));
    // ADMIN's first: once it has them all, the same rounds have offered them to the other webhooks.
    await eventually(kit, async () => expect(new Set(workflowTypesAt('ADMIN'))).toEqual(new Set(WORKFLOW_EVENTS)), 60_000);
    // Deliveries run concurrently, so what a receiver has not got yet proves nothing: the delivery logs do, once no
    // delivery is pending (an event a role does not read leaves no row behind once it is passed over).
    const LOGS = `{ webhooks(first: 10) { edges { node { role deliveries(first: 100) { edges { node { eventType status } } } } } } }`;
    type Log = { role: string; deliveries: { edges: { node: { eventType: string; status: string } }[] } };
    const logs = async () => ((await admin.query(LOGS)).webhooks.edges as { node: Log }[]).map((e) => e.node);
    await eventually(kit, async () => {
      const all = await logs();
      expect(all.flatMap((log) => log.deliveries.edges.filter((e) => e.node.status === 'PENDING'))).toEqual([]);
      expect(all.filter((log) => log.deliveries.edges.some((e) => e.node.eventType === 'customer.created')).map((log) => log.role).sort()).toEqual(['ADMIN', 'MEMBER', 'READ_ONLY']);
    }, 60_000);
    for (const log of await logs()) {
      const workflowTypes = log.deliveries.edges.map((e) => e.node.eventType).filter((type) => type.startsWith('workflow.'));
      if (log.role === 'ADMIN') expect(new Set(workflowTypes)).toEqual(new Set(WORKFLOW_EVENTS));
      else expect(workflowTypes, log.role).toEqual([]);
    }
    for (const role of ['MEMBER', 'READ_ONLY']) expect(workflowTypesAt(role), role).toEqual([]);
  });
});
