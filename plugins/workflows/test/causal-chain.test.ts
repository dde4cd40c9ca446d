// Loops through another plugin: a workflow's step logs an activity that names a competitor, competitor-feedback's
// subscriber emits `competitor.mentioned` about it (as itself, `plugin:competitor-feedback`), and a workflow listening
// to that event would start again at depth 0 forever. The SDK's host stamps each event a subscriber emits with the
// chain it belongs to (`Event.causedBy`: the step's actor; `chainDepth`), so the workflow knows the change is its own
// (no second run) or, allowed to set itself off, a level deeper each time until the depth limit. The webhook trigger
// takes the depth from the header its HTTP step sends, so a workflow posting to its own URL (through a relay) is cut
// the same way. And
// the chain costs no statement: its two columns go in the events' one INSERT.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import competitorFeedback from '@crm/plugin-competitor-feedback';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, CUSTOMER, eventually, finishedRuns, PUBLISH, publishedWorkflow, rowIdOf, runsOf, switchAllOff } from './support.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;
const LOG = `mutation ($id: ID!, $subject: String!) { logActivity(input: { customerId: $id, type: NOTE, channel: PHONE, subject: $subject }) { activity { id } } }`;
const CUT = `{ events(first: 20, types: ["workflow.depth_limit_reached"]) { edges { node { payload } } } }`;
const HOOK = `query ($id: ID!) { workflow(id: $id) { webhookPath } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({
    plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 }), competitorFeedback],
    webhooks: { allowPrivateTargets: true },
  });
  admin = kit.workspace.client;
  await admin.query(`mutation { createCompetitor(input: { name: "Rival Co" }) { competitor { id } } }`);
  await admin.query(`mutation { createCompetitor(input: { name: "Other Corp" }) { competitor { id } } }`);
});
afterEach(async () => {
  await switchAllOff(kit, admin);
  await admin.query(SETTINGS, { settings: { maxDepth: 5 } });
});
afterAll(async () => {
  await kit?.close();
});

const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;
/** Logs a note about the mentioned competitor on the trigger's customer: competitor-feedback finds the name in it. */
const followUp = { id: 'note', kind: 'logActivity', customerId: '{{trigger.event.payload.customerId}}', type: 'NOTE', channel: 'PHONE', subject: 'Follow up: {{trigger.record.name}} was mentioned' };
const onMention = { kind: 'event', eventType: 'competitor.mentioned', object: 'Competitor' } as const;
const mentionsOf = (customerId: string) =>
  kit.database.prisma.event.findMany({ where: { type: 'competitor.mentioned', customerId: rowIdOf(customerId) }, orderBy: { seq: 'asc' } });
const depths = (runs: { depth: number }[]) => runs.map((r) => r.depth).sort();

describe('a loop through another plugin’s subscriber', () => {
  it('a mention by a person starts the workflow at depth 0; its own step’s mention (through competitor-feedback) does not start it again', async () => {
    const id = await publishedWorkflow(admin, 'Mention follow-up', { trigger: onMention, steps: [followUp] });
    const target = await customer('Loopy');
    await admin.query(LOG, { id: target, subject: 'They compare us with Rival Co' });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED', depth: 0 });
    await kit.settled();
    expect(await runsOf(admin, id)).toHaveLength(1);
    // Both mentions were emitted by competitor-feedback, each stamped with the chain it belongs to.
    const mentions = await mentionsOf(target);
    expect(mentions.map((m) => [m.actor, m.chainDepth])).toEqual([
      ['plugin:competitor-feedback', 1],
      ['plugin:competitor-feedback', 1],
    ]);
    expect(mentions[0]!.causedBy).toMatch(/^apikey:/);
    expect(mentions[1]!.causedBy).toMatch(/^plugin:workflows:step:[0-9a-f-]{36}$/);
  });

  it('allowed to set itself off, it runs a level deeper each time and is cut at the depth limit (workflow.depth_limit_reached)', async () => {
    await admin.query(SETTINGS, { settings: { maxDepth: 2 } });
    const id = await publishedWorkflow(admin, 'Mention echo', { trigger: onMention, steps: [followUp], options: { allowSelfTrigger: true } });
    const target = await customer('Echo');
    await admin.query(LOG, { id: target, subject: 'Rival Co came up again' });
    const runs = await finishedRuns(kit, admin, id, 3);
    await kit.settled();
    expect(depths(runs)).toEqual([0, 1, 2]);
    expect(await runsOf(admin, id)).toHaveLength(3);
    const cut = await eventually(kit, async () => {
      const found = (await admin.query(CUT)).events.edges.map((e: { node: { subjectId: string; payload: { workflowIds: string[]; maxDepth: number } } }) => e.node);
      const mine = found.filter((node: { payload: { workflowIds: string[] } }) => node.payload.workflowIds.includes(rowIdOf(id)));
      expect(mine).toHaveLength(1);
      return mine[0];
    });
    expect(cut.payload).toMatchObject({ maxDepth: 2, eventType: 'competitor.mentioned' });
  });

  it('another workflow’s step sets it off one level deeper, and its own change then stops it', async () => {
    // A: a new customer gets a note naming the competitor. B: a mention gets a follow-up (which names it again).
    const a = await publishedWorkflow(admin, 'Welcome note', {
      trigger: { kind: 'record', object: 'Customer', on: 'created' },
      steps: [{ id: 'note', kind: 'logActivity', customerId: '{{trigger.record.id}}', type: 'NOTE', channel: 'EMAIL', subject: 'Asked about Other Corp' }],
    });
    const b = await publishedWorkflow(admin, 'Mention follow-up', { trigger: onMention, steps: [followUp] });
    await customer('Chained');
    expect(depths(await finishedRuns(kit, admin, a, 1))).toEqual([0]);
    expect(depths(await finishedRuns(kit, admin, b, 1))).toEqual([1]);
    await kit.settled();
    expect(await runsOf(admin, b)).toHaveLength(1);
  });
});

describe('a workflow posting to its own webhook', () => {
  // A step cannot post to a workflow's URL directly: its request is signed with the workflow's signing secret, which
  // the URL's token does not verify (401). A loop goes through a relay that passes the body on (an integration
  // platform); this one passes the depth header on too, as the docs ask of relays.
  let relay: http.Server;
  let relayUrl = '';
  let hookUrl = '';
  beforeAll(async () => {
    relay = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', async () => {
        const depth = request.headers['x-crm-workflow-depth'];
        const answer = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...(typeof depth === 'string' ? { 'x-crm-workflow-depth': depth } : {}) }, body });
        response.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}/relay`;
  });
  afterAll(() => new Promise((resolve) => relay?.close(resolve)));

  it('starts each run at the depth its HTTP step sends, and is cut at the limit; a request without the header (or a bad one) starts at 0', async () => {
    await admin.query(SETTINGS, { settings: { maxDepth: 2 } });
    const id = await publishedWorkflow(admin, 'Echo hook', { trigger: { kind: 'webhook' }, steps: [{ id: 'again', kind: 'httpRequest', url: relayUrl, body: { hop: true } }] });
    const path = (await admin.query(HOOK, { id })).workflow.webhookPath as string;
    hookUrl = `${kit.url}${path}`;

    const first = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-crm-workflow-depth': 'many' }, body: '{}' });
    expect(first.status).toBe(202);
    const runs = await finishedRuns(kit, admin, id, 3);
    await kit.settled();
    expect(depths(runs)).toEqual([0, 1, 2]);
    expect(runs.every((r) => r.status === 'SUCCEEDED')).toBe(true);
    expect(await runsOf(admin, id)).toHaveLength(3);
    const cut = (await admin.query(CUT)).events.edges.map((e: { node: { payload: { workflowIds: string[]; eventType: string } } }) => e.node);
    expect(cut.filter((node: { payload: { workflowIds: string[]; eventType: string } }) => node.payload.workflowIds.includes(rowIdOf(id)) && node.payload.eventType === 'webhook.received')).toHaveLength(1);

    // A holder of the URL can only shorten its own chain: a depth past the limit starts nothing.
    const past = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-crm-workflow-depth': '3' }, body: '{}' });
    expect(past.status).toBe(200);
    expect(await past.json()).toEqual({ runId: null, depthLimitReached: true });
    expect(await runsOf(admin, id)).toHaveLength(3);
  });

  it('a step may not set the depth header itself', async () => {
    const id = (await admin.query(CREATE, { name: 'Forged depth', definition: { trigger: { kind: 'webhook' }, steps: [{ id: 'h', kind: 'httpRequest', url: 'https://example.com/', headers: { 'X-Crm-Workflow-Depth': '0' } }] } })).createWorkflow.workflow.id as string;
    const answer = await admin.request(PUBLISH, { id });
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(answer.errors)).toContain('chain depth');
  });
});

describe('what the chain costs', () => {
  it('no statement: events a subscriber emits carry it in their one INSERT (two mentions, one statement)', async () => {
    const target = await customer('Counted');
    await kit.settled();
    const statements = await kit.sql.during(async () => {
      await admin.query(LOG, { id: target, subject: 'Rival Co and Other Corp both called' });
      await kit.settled();
    });
    const inserts = statements.filter((s) => s.startsWith('INSERT INTO "Event"'));
    // The mutation's event, then competitor-feedback's two mentions: one INSERT each transaction, the chain's columns in it.
    expect(inserts).toHaveLength(2);
    for (const insert of inserts) expect(insert).toMatch(/"causedBy".*"chainDepth"|"chainDepth".*"causedBy"/);
    expect(statements.filter((s) => s.includes('"causedBy"') && !s.startsWith('INSERT INTO "Event"'))).toEqual([]);
    const mentions = await mentionsOf(target);
    expect(mentions.map((m) => m.chainDepth)).toEqual([1, 1]);
  });
});
