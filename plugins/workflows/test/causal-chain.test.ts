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
import { CREATE, CUSTOMER, defineContract, eventually, finishedRuns, PUBLISH, publishedWorkflow, rowIdOf, runsOf, switchAllOff } from './support.js';

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

describe('a loop through segment membership (a before-commit hook)', () => {
  it('steps that move customers in or out of a segment sign the membership events: two workflows undoing each other are cut at the depth limit', async () => {
    await admin.query(SETTINGS, { settings: { maxDepth: 2 } });
    const a = await publishedWorkflow(admin, 'Entered: back to lead', {
      trigger: { kind: 'event', eventType: 'segment.entered', object: 'Customer' },
      steps: [{ id: 'lead', kind: 'updateRecord', values: { lifecycleStage: 'LEAD' } }],
    });
    const b = await publishedWorkflow(admin, 'Left: customer again', {
      trigger: { kind: 'event', eventType: 'segment.left', object: 'Customer' },
      steps: [{ id: 'customer', kind: 'updateRecord', values: { lifecycleStage: 'CUSTOMER' } }],
    });
    const ids: string[] = [];
    for (const name of ['Ping', 'Pong', 'Pang']) {
      const id = await customer(name);
      await admin.query(`mutation ($id: ID!) { updateCustomer(input: { id: $id, lifecycleStage: CUSTOMER }) { customer { id } } }`, { id });
      ids.push(rowIdOf(id));
    }
    // The segment's creation lets the three in at once (one transaction): A's three runs' steps are done together, in
    // one transaction acting as each step (claimed-batch.ts, batchTransaction), where the refresh hook's events used to
    // take the transaction's actor and begin a new chain: B at 0, A at 0 again, without end.
    const s = (await admin.query(`mutation ($i: CreateSegmentInput!) { createSegment(input: $i) { segment { id } } }`, { i: { name: 'Stage customers', filter: { lifecycleStage: { eq: 'CUSTOMER' } } } })).createSegment.segment.id as string;
    // A at 0 (the person's segment), B at 1 (A's steps moved them out), A at 2; its moves out are cut.
    expect(depths(await finishedRuns(kit, admin, a, 6))).toEqual([0, 0, 0, 2, 2, 2]);
    expect(depths(await finishedRuns(kit, admin, b, 3))).toEqual([1, 1, 1]);
    await kit.settled();
    expect(await runsOf(admin, a)).toHaveLength(6);
    expect(await runsOf(admin, b)).toHaveLength(3);
    const moves = await kit.database.prisma.event.findMany({ where: { type: { in: ['segment.entered', 'segment.left'] }, subjectId: { in: ids } }, orderBy: { seq: 'asc' } });
    const ofS = moves.filter((e) => (e.payload as { segmentId: string }).segmentId === rowIdOf(s));
    expect(ofS).toHaveLength(12);
    expect(ofS.filter((e) => !e.actor.startsWith('plugin:workflows:step:')).map((e) => e.type)).toEqual(['segment.entered', 'segment.entered', 'segment.entered']);
  });
});

describe('two runs’ steps on one customer in one transaction (a claimed batch)', () => {
  /** Every waiting step due now, as if its hour had passed (batched-steps.test.ts): their next steps are claimed as one batch. */
  async function bringDue(count: number) {
    const waiting = async () => Number((await kit.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "WorkflowStepRun" WHERE status = 'WAITING' AND "dueAt" > now()`))[0]!.n);
    await eventually(kit, async () => expect(await waiting()).toBe(count));
    await kit.database.sql.query(
      `UPDATE "WorkflowStepRun" SET "dueAt" = now(), input = jsonb_build_object('until', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
       WHERE status = 'WAITING' AND "dueAt" > now()`,
    );
  }
  /** The waits of `workflows`' runs (`count` of them) due at one instant, their next steps then claimed as one batch. */
  async function bringDueOf(workflows: readonly string[], count: number) {
    const mine = `FROM "WorkflowRun" r WHERE r.id = s."runId" AND r."workflowId" = ANY($1::uuid[]) AND s.status = 'WAITING'`;
    const ids = workflows.map(rowIdOf);
    await eventually(kit, async () => expect((await kit.database.sql.query(`SELECT s.id FROM "WorkflowStepRun" s, "WorkflowRun" r WHERE r.id = s."runId" AND r."workflowId" = ANY($1::uuid[]) AND s.status = 'WAITING'`, [ids])).length).toBe(count));
    await kit.database.sql.query(`UPDATE "WorkflowStepRun" s SET "dueAt" = now(), input = jsonb_build_object('until', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ${mine}`, [ids]);
  }
  const onEntered = { kind: 'event', eventType: 'segment.entered', object: 'Customer' } as const;
  const SEGMENT = `mutation ($i: CreateSegmentInput!) { createSegment(input: $i) { segment { id } } }`;

  it('the membership event is the batch’s (no step’s own change) at the steps’ depth: the workflow of the first step is not skipped', async () => {
    // W1: on entering a segment, an hour later, note a phone number. W2 (by hand): an hour later, tag them an advocate.
    // W3: on entering a segment.
    const pause = { id: 'pause', kind: 'wait', for: { hours: 1 } };
    const w1 = await publishedWorkflow(admin, 'Entered: phone later', { trigger: onEntered, steps: [pause, { id: 'phone', kind: 'updateRecord', values: { phone: '+1 415 555 0199' } }] });
    const w2 = await publishedWorkflow(admin, 'By hand: advocate later', { trigger: { kind: 'manual', object: 'Customer' }, steps: [pause, { id: 'advocate', kind: 'addTag', tag: 'advocate' }] });
    const w3 = await publishedWorkflow(admin, 'Entered: watch', { trigger: onEntered, steps: [{ id: 'seen', kind: 'addTag', tag: 'seen' }] });
    const shared = await customer('Shared by two runs');
    await admin.query(SEGMENT, { i: { name: 'Shared watch', filter: { name: { eq: 'Shared by two runs' } } } });
    const advocates = (await admin.query(SEGMENT, { i: { name: 'Advocates', filter: { tags: { has: 'advocate' } } } })).createSegment.segment.id as string;
    await finishedRuns(kit, admin, w3, 1);
    expect((await admin.query(`mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`, { id: w2, ids: [shared] })).runWorkflowOnRecords.started).toBe(1);
    // R1 (W1's run, on entering "Shared watch") sets the phone and R2 (W2's) tags them, in one transaction: they enter
    // "Advocates". R1's change is the first about them (a grouped step's tag comes after): the entry used to be signed
    // by R1's step, so W1 took it for its own change and did not run.
    await bringDue(2);
    await finishedRuns(kit, admin, w2, 1);
    const w1Runs = await eventually(kit, async () => {
      const runs = await runsOf(admin, w1);
      expect(runs).toHaveLength(2);
      return runs;
    });
    expect(depths(w1Runs)).toEqual([0, 1]);
    expect(depths(await finishedRuns(kit, admin, w3, 2))).toEqual([0, 1]);
    const [entered] = await kit.database.prisma.event.findMany({ where: { type: 'segment.entered', subjectId: rowIdOf(shared), payload: { path: ['segmentId'], equals: rowIdOf(advocates) } } });
    expect(entered).toMatchObject({ actor: 'plugin:workflows:steps', chainDepth: 0 });
    expect(entered!.causedBy).toMatch(/^plugin:workflows:step:[0-9a-f-]{36}$/);
  });

  it('the shared membership event is in the deepest run’s chain: a shallower run beside a deep one does not reset the depth', async () => {
    // Ra (depth 3, as a loop would have it) tags the customer gold; Rb (depth 0, by hand) sets their phone; their steps
    // run in one transaction and the customer enters "Gold". Before: every step's events carried depth 0, so the tie
    // went to one of the two by order (here Rb: its id sorts last) and the run "Gold" starts was at depth 1, not 4.
    const pause = { id: 'pause', kind: 'wait', for: { hours: 1 } };
    const wa = await publishedWorkflow(admin, 'By hand: gold later', { trigger: { kind: 'manual', object: 'Customer' }, steps: [pause, { id: 'gold', kind: 'addTag', tag: 'gold' }] });
    const wb = await publishedWorkflow(admin, 'By hand: phone later', { trigger: { kind: 'manual', object: 'Customer' }, steps: [pause, { id: 'phone', kind: 'updateRecord', values: { phone: '+1 415 555 0142' } }] });
    const deep = await customer('Deep and shallow');
    await admin.query(SEGMENT, { i: { name: 'Gold', filter: { tags: { has: 'gold' } } } });
    const watch = await publishedWorkflow(admin, 'Entered: gold', { trigger: onEntered, steps: [{ id: 'seen', kind: 'addTag', tag: 'seen' }] });
    const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`;
    expect((await admin.query(ON_RECORDS, { id: wa, ids: [deep] })).runWorkflowOnRecords.started).toBe(1);
    await kit.database.sql.query(`UPDATE "WorkflowRun" SET depth = 3 WHERE "workflowId" = $1::uuid`, [rowIdOf(wa)]);
    expect((await admin.query(ON_RECORDS, { id: wb, ids: [deep] })).runWorkflowOnRecords.started).toBe(1);
    await bringDueOf([wa, wb], 2);
    await finishedRuns(kit, admin, wa, 1);
    await finishedRuns(kit, admin, wb, 1);
    expect(depths(await finishedRuns(kit, admin, watch, 1))).toEqual([4]);
    const [entered] = await kit.database.prisma.event.findMany({ where: { type: 'segment.entered', subjectId: rowIdOf(deep) } });
    expect(entered).toMatchObject({ actor: 'plugin:workflows:steps', chainDepth: 3 });
  });

  it('customers moved by records that name none (a custom object) are signed in the batch’s deepest chain, not a new one', async () => {
    // Two runs sign two contracts in one transaction; the segment reaching Contract is refreshed for every customer.
    // Before: those customers' entries were the session's (`plugin:workflows:steps`) outside any chain, so a loop
    // through such a segment began again at depth 0 each time its steps ran batched.
    await defineContract(admin, { status: { type: 'TEXT' }, customer: { type: 'RELATION', target: 'Customer' } });
    const holders = [await customer('Holder one'), await customer('Holder two')];
    const contracts: string[] = [];
    for (const holder of holders) {
      const made = await admin.query(`mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`, { i: { customer: holder, status: 'draft' } });
      contracts.push(made.createContract.contract.id as string);
    }
    await admin.query(SEGMENT, { i: { name: 'Signed', filter: { contracts: { some: { status: { eq: 'signed' } } } } } });
    const pause = { id: 'pause', kind: 'wait', for: { hours: 1 } };
    const sign = await publishedWorkflow(admin, 'By hand: sign later', { trigger: { kind: 'manual', object: 'Contract' }, steps: [pause, { id: 'sign', kind: 'updateRecord', values: { status: 'signed' } }] });
    const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`;
    expect((await admin.query(ON_RECORDS, { id: sign, ids: contracts })).runWorkflowOnRecords.started).toBe(2);
    // One of the two runs is deeper (as in a loop): its chain is the one the entries carry.
    await kit.database.sql.query(`UPDATE "WorkflowRun" SET depth = 2 WHERE id = (SELECT id FROM "WorkflowRun" WHERE "workflowId" = $1::uuid ORDER BY id LIMIT 1)`, [rowIdOf(sign)]);
    await bringDueOf([sign], 2);
    await finishedRuns(kit, admin, sign, 2);
    const entries = await kit.database.prisma.event.findMany({ where: { type: 'segment.entered', subjectId: { in: holders.map(rowIdOf) } } });
    expect(entries).toHaveLength(2);
    for (const entry of entries) {
      expect(entry).toMatchObject({ actor: 'plugin:workflows:steps', chainDepth: 2 });
      expect(entry.causedBy).toMatch(/^plugin:workflows:step:[0-9a-f-]{36}$/);
    }
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

  it('requests cut at the depth limit count toward the hook’s rate: a loop of them gets 429, not an event row each', async () => {
    const id = await publishedWorkflow(admin, 'Rated hook', { trigger: { kind: 'webhook', ratePerMinute: 5 }, steps: [{ id: 'n', kind: 'httpRequest', url: relayUrl }] });
    const url = `${kit.url}${(await admin.query(HOOK, { id })).workflow.webhookPath as string}`;
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-crm-workflow-depth': '99' }, body: '{}' });
      statuses.push(answer.status);
      if (answer.status === 429) expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await answer.arrayBuffer();
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(45);
    expect(await kit.database.prisma.event.count({ where: { type: 'workflow.depth_limit_reached', subjectId: rowIdOf(id) } })).toBe(5);
    expect(await runsOf(admin, id)).toHaveLength(0);
    // Cut requests and accepted ones share the count: the minute is used up for a request that would start a run too.
    const accepted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(accepted.status).toBe(429);
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
