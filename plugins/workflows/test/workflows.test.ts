// Workflows through a real gateway (the SDK's test kit): publishing checks, each trigger and step kind, conditions,
// versions, idempotency, guards, the dry run, run history, cancel and re-run, tenancy and permissions.
import { createHmac } from 'node:crypto';
import loyalty from '@crm/plugin-loyalty';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoWorkflows, testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, ENABLE, eventually, finishedRuns, PUBLISH, publishedWorkflow, RUN, RUNS, runsOf, startReceiver, switchAllOff, UPDATE } from './support.js';

const CUSTOMER = `mutation ($name: String!, $ownerId: ID, $stage: LifecycleStage) {
  createCustomer(input: { name: $name, ownerId: $ownerId, lifecycleStage: $stage }) { customer { id } } }`;
const RENAME = `mutation ($id: ID!, $name: String!) { updateCustomer(input: { id: $id, name: $name }) { customer { id } } }`;
const RESTAGE = `mutation ($id: ID!, $stage: LifecycleStage!) { updateCustomer(input: { id: $id, lifecycleStage: $stage }) { customer { id } } }`;
const TAGS = `query ($id: ID!) { customer(id: $id) { tags } }`;
const TASKS = `query ($id: ID!) { customer(id: $id) { tasks(first: 20) { edges { node { title dueAt assignee { id } } } } } }`;
const ACTIVITIES = `query ($id: ID!) { customer(id: $id) { activities(first: 20) { edges { node { type subject body } } } } }`;
const SURVEY = `mutation ($customerId: ID!, $score: Int!) { recordSurveyResponse(input: { customerId: $customerId, kind: NPS, score: $score }) { surveyResponse { id } } }`;
const ORDER = `mutation ($customerId: ID!) { recordOrder(input: { customerId: $customerId, lines: [{ sku: "TEA", quantity: 1, unitPrice: "10.00" }] }) { order { id } } }`;
const DEAL = `mutation ($customerId: ID!, $pipelineId: ID!, $stageId: ID!) {
  createDeal(input: { title: "Fleet renewal", customerId: $customerId, pipelineId: $pipelineId, stageId: $stageId, amount: "5000.00" }) { deal { id } } }`;
const MOVE = `mutation ($id: ID!, $stageId: ID!, $reason: String) { moveDeal(input: { id: $id, stageId: $stageId, lostReason: $reason }) { deal { id } } }`;
const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;
const DRY_RUN = `query ($id: ID!, $recordId: ID) { testWorkflow(id: $id, recordId: $recordId) { steps { stepId kind input effect branch } } }`;

const delivered = testTransport();
/** While set, sending waits for it: a send "in flight" when its gateway is taken for dead. */
let mailHeld: Promise<void> | null = null;
const mail = {
  sent: delivered.sent,
  async send(message: Parameters<typeof delivered.send>[0]) {
    if (mailHeld) await mailHeld;
    return delivered.send(message);
  },
};
let kit: PluginTestGateway;
let admin: TestClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let receiverStatus = 200;
let pipeline: { id: string; open: string; lost: string };

beforeAll(async () => {
  receiver = await startReceiver(() => receiverStatus);
  kit = await startPluginTestGateway({
    plugins: [workflowsPlugin({ mail, pollMs: 50, leaseMs: 2000 }), loyalty],
    webhooks: { allowPrivateTargets: true },
  });
  admin = kit.workspace.client;
  await admin.query(SETTINGS, { settings: { retryBackoffMs: 20 } });
  const pipelines = (await admin.query(`{ pipelines { id stages { id isLost isWon } } }`)).pipelines;
  const stages = pipelines[0].stages as { id: string; isLost: boolean; isWon: boolean }[];
  pipeline = { id: pipelines[0].id, open: stages.find((s) => !s.isLost && !s.isWon)!.id, lost: stages.find((s) => s.isLost)!.id };
});
// Each test's workflows stop with it, so that the next test's records set off only its own.
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
  await receiver?.close();
});

async function customer(name: string, variables: Record<string, unknown> = {}, client = admin): Promise<string> {
  return (await client.query(CUSTOMER, { name, ...variables })).createCustomer.customer.id as string;
}

const tagStep = (id: string, tag: string) => ({ id, kind: 'addTag', tag });

describe('publishing checks the definition', () => {
  async function publishError(definition: unknown) {
    const id = (await admin.query(CREATE, { name: 'Checked', definition })).createWorkflow.workflow.id;
    const result = await admin.request(PUBLISH, { id });
    return result.errors?.[0]?.extensions as { code: string; field: string };
  }

  it('refuses a bad document, unknown objects and fields, and bad filters, naming the field', async () => {
    expect(await publishError({ trigger: { kind: 'record', object: 'Customer', on: 'created' }, steps: [] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps',
    });
    expect(await publishError({ trigger: { kind: 'record', object: 'Spaceship', on: 'created' }, steps: [tagStep('a', 'x')] })).toMatchObject({
      field: 'definition.trigger.object',
    });
    expect(
      await publishError({ trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['colour'] }, steps: [tagStep('a', 'x')] }),
    ).toMatchObject({ field: 'definition.trigger.fields.0' });
    expect(
      await publishError({ trigger: { kind: 'record', object: 'Customer', on: 'created', condition: { colour: { eq: 'red' } } }, steps: [tagStep('a', 'x')] }),
    ).toMatchObject({ field: 'definition.trigger.condition.colour' });
    expect(await publishError({ trigger: { kind: 'schedule', cron: 'every day at noon', timeZone: 'UTC' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 1 } }] })).toMatchObject({
      field: 'definition.trigger.cron',
    });
  });

  it('checks template paths: record fields and relations, the event, and outputs of steps that surely ran before', async () => {
    const trigger = { kind: 'record', object: 'Customer', on: 'created' };
    expect(await publishError({ trigger, steps: [{ id: 't', kind: 'createTask', title: 'Call {{trigger.record.nickname}}' }] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.title',
    });
    expect(await publishError({ trigger, steps: [{ id: 't', kind: 'createTask', title: '{{trigger.record.company.colour}}' }] })).toMatchObject({
      field: 'definition.steps.0.title',
    });
    // A later step's output, and an output key the step does not have.
    expect(
      await publishError({ trigger, steps: [{ id: 'a', kind: 'createTask', title: '{{steps.b.output.id}}' }, { id: 'b', kind: 'createTask', title: 'x' }] }),
    ).toMatchObject({ field: 'definition.steps.0.title' });
    expect(
      await publishError({ trigger, steps: [{ id: 'a', kind: 'createTask', title: 'x' }, { id: 'b', kind: 'addTag', tag: '{{steps.a.output.colour}}' }] }),
    ).toMatchObject({ field: 'definition.steps.1.tag' });
    // A step inside a branch may not have run after the condition.
    expect(
      await publishError({
        trigger,
        steps: [
          { id: 'c', kind: 'condition', if: { name: { eq: 'x' } }, then: [{ id: 'inside', kind: 'createTask', title: 'x' }] },
          { id: 'after', kind: 'addTag', tag: '{{steps.inside.output.id}}' },
        ],
      }),
    ).toMatchObject({ field: 'definition.steps.1.tag' });
    expect(await publishError({ trigger, steps: [{ id: 'a', kind: 'callAction', action: 'loyalty.launchRocket', input: {} }] })).toMatchObject({
      field: 'definition.steps.0.action',
    });
    expect(
      await publishError({ trigger, steps: [{ id: 'a', kind: 'callAction', action: 'loyalty.awardPoints', input: { customerId: '{{trigger.record.id}}', pointz: 1 } }] }),
    ).toMatchObject({ field: 'definition.steps.0.input.pointz' });
  });

  it('enables only a published workflow', async () => {
    const id = (await admin.query(CREATE, { name: 'Unpublished' })).createWorkflow.workflow.id;
    const result = await admin.request(ENABLE, { id, enabled: true });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'enabled' });
  });
});

describe('triggers and steps', () => {
  it('record created with a condition: the NPS follow-up task for the owner, due in two days', async () => {
    const owner = (await admin.query(`mutation { createUser(input: { name: "Olivia Owner", email: "olivia@example.com" }) { user { id } } }`)).createUser.user.id;
    const id = await publishedWorkflow(admin, 'NPS follow-up', demoWorkflows[0]!.definition);
    const unhappy = await customer('Dana Detractor', { ownerId: owner });
    const happy = await customer('Pat Promoter', { ownerId: owner });
    const before = Date.now();
    await admin.query(SURVEY, { customerId: unhappy, score: 4 });
    await admin.query(SURVEY, { customerId: happy, score: 10 });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.status).toBe('SUCCEEDED');
    const tasks = (await admin.query(TASKS, { id: unhappy })).customer.tasks.edges.map((e: any) => e.node);
    expect(tasks).toHaveLength(1);
    expect(tasks[0].title).toBe('Call Dana Detractor: NPS 4');
    expect(tasks[0].assignee.id).toBe(owner);
    const due = new Date(tasks[0].dueAt).getTime() - before;
    expect(due).toBeGreaterThan(2 * 86_400_000 - 60_000);
    expect(due).toBeLessThan(2 * 86_400_000 + 60_000);
    expect((await admin.query(TASKS, { id: happy })).customer.tasks.edges).toHaveLength(0);
    // The history names what the step was given, what it made, how long it took.
    expect(run!.steps[0]).toMatchObject({ stepId: 'followUp', kind: 'createTask', status: 'SUCCEEDED', attempts: 1 });
    expect(run!.steps[0]!.output.title).toBe('Call Dana Detractor: NPS 4');
    expect(run!.steps[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('record updated: only when the given field changes to the given value', async () => {
    const id = await publishedWorkflow(admin, 'Converted', {
      trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['lifecycleStage'], to: 'CUSTOMER' },
      steps: [tagStep('tag', 'converted')],
    });
    const lead = await customer('Lee Lead', { stage: 'LEAD' });
    await admin.query(RENAME, { id: lead, name: 'Lee Renamed' });
    await admin.query(RESTAGE, { id: lead, stage: 'PROSPECT' });
    await admin.query(RESTAGE, { id: lead, stage: 'CUSTOMER' });
    await finishedRuns(kit, admin, id, 1);
    expect((await admin.query(TAGS, { id: lead })).customer.tags).toEqual(['converted']);
    // Its own change (the tag) did not set it off again.
    expect(await runsOf(admin, id)).toHaveLength(1);
  });

  it('record deleted: a note on the customer with the deleted record’s last values', async () => {
    const id = await publishedWorkflow(admin, 'Deal removed', {
      trigger: { kind: 'record', object: 'Deal', on: 'deleted' },
      steps: [{ id: 'note', kind: 'logActivity', type: 'NOTE', channel: 'IN_PERSON', subject: 'Deal removed: {{trigger.record.title}}' }],
    });
    const owner = await customer('Del Deleted');
    const deal = (await admin.query(DEAL, { customerId: owner, pipelineId: pipeline.id, stageId: pipeline.open })).createDeal.deal.id;
    await admin.query(`mutation ($id: ID!) { deleteDeal(input: { id: $id }) { deletedDealId } }`, { id: deal });
    await finishedRuns(kit, admin, id, 1);
    const notes = (await admin.query(ACTIVITIES, { id: owner })).customer.activities.edges.map((e: any) => e.node);
    expect(notes).toContainEqual({ type: 'NOTE', subject: 'Deal removed: Fleet renewal', body: null });
  });

  it('any event type with a condition: a deal lost to a competitor → a note, then a signed webhook with an idempotency key', async () => {
    // (The seeded workflow triggers on competitor-feedback's competitor.deal_lost instead: demo-seed.test.ts.)
    const definition = {
      trigger: { kind: 'event', eventType: 'deal.lost', object: 'Deal', condition: { lostReason: { contains: 'competitor' } } },
      steps: [
        { id: 'note', kind: 'logActivity', type: 'NOTE', channel: 'IN_PERSON', subject: 'Lost to a competitor: {{trigger.record.title}}', body: '{{trigger.record.lostReason}}' },
        {
          id: 'tellMarketing',
          kind: 'httpRequest',
          url: receiver.url,
          body: { deal: '{{trigger.record.title}}', amount: '{{trigger.record.amount}}', reason: '{{trigger.record.lostReason}}', note: '{{steps.note.output.id}}' },
        },
      ],
    };
    const id = await publishedWorkflow(admin, 'Lost to competitor', definition);
    const buyer = await customer('Lou Lost');
    const lostToCompetitor = (await admin.query(DEAL, { customerId: buyer, pipelineId: pipeline.id, stageId: pipeline.open })).createDeal.deal.id;
    const lostOtherwise = (await admin.query(DEAL, { customerId: buyer, pipelineId: pipeline.id, stageId: pipeline.open })).createDeal.deal.id;
    await admin.query(MOVE, { id: lostToCompetitor, stageId: pipeline.lost, reason: 'Went to a competitor: 20% cheaper' });
    await admin.query(MOVE, { id: lostOtherwise, stageId: pipeline.lost, reason: 'Budget cut' });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.status).toBe('SUCCEEDED');
    expect(run!.steps.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const hook = receiver.received.at(-1)!;
    const body = JSON.parse(hook.body);
    expect(body.data).toEqual({ deal: 'Fleet renewal', amount: '5000.00', reason: 'Went to a competitor: 20% cheaper', note: run!.steps[0]!.output.id });
    expect(hook.headers['idempotency-key']).toBe(`${body.runId}:tellMarketing`);
    const secret = (await admin.query(`query ($id: ID!) { workflow(id: $id) { signingSecret } }`, { id })).workflow.signingSecret;
    const [t, v1] = String(hook.headers['x-crm-signature']).split(',');
    expect(v1).toBe(`v1=${createHmac('sha256', secret).update(`${t!.slice(2)}.${hook.body}`).digest('hex')}`);
  });

  it('condition branches: if/else on the record', async () => {
    const id = await publishedWorkflow(admin, 'Branching', {
      trigger: { kind: 'record', object: 'Customer', on: 'created' },
      steps: [
        { id: 'vip', kind: 'condition', if: { name: { startsWith: 'VIP' } }, then: [tagStep('gold', 'gold')], else: [tagStep('standard', 'standard')] },
        tagStep('seen', 'seen'),
      ],
    });
    const vip = await customer('VIP Vera');
    const regular = await customer('Rita Regular');
    await finishedRuns(kit, admin, id, 2);
    expect((await admin.query(TAGS, { id: vip })).customer.tags).toEqual(['gold', 'seen']);
    expect((await admin.query(TAGS, { id: regular })).customer.tags).toEqual(['standard', 'seen']);
  });

  it('second purchase: calls loyalty’s awardPoints action and tags the customer', async () => {
    const id = await publishedWorkflow(admin, 'Second purchase', demoWorkflows[2]!.definition);
    const buyer = await customer('Bea Buyer');
    await admin.query(ORDER, { customerId: buyer });
    await admin.query(ORDER, { customerId: buyer });
    await admin.query(ORDER, { customerId: buyer });
    const runs = await finishedRuns(kit, admin, id, 1);
    expect(runs[0]!.steps[0]!.output).toMatchObject({ balance: expect.any(Number) });
    const view = (await admin.query(`query ($id: ID!) { customer(id: $id) { tags loyalty { transactions(first: 10) { edges { node { kind points reason } } } } } }`, { id: buyer })).customer;
    expect(view.tags).toEqual(['loyalty-member']);
    expect(view.loyalty.transactions.edges.map((e: any) => e.node)).toContainEqual({ kind: 'ADJUST', points: 200, reason: 'Welcome bonus: second purchase' });
  });

  it('wait, then send an email through the transport; the run waits as a due time', async () => {
    const id = await publishedWorkflow(admin, 'Welcome mail', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'pause', kind: 'wait', for: { seconds: 1 } },
        { id: 'mail', kind: 'sendEmail', to: 'owner@example.com', subject: 'Say hello to {{trigger.record.name}}', text: 'Waited until {{steps.pause.output.until}}' },
      ],
    });
    const target = await customer('Wendy Waits');
    const run = (await admin.query(`mutation ($id: ID!, $recordId: ID!) { runWorkflow(input: { id: $id, recordId: $recordId }) { run { id } } }`, { id, recordId: target })).runWorkflow.run;
    const waiting = await eventually(kit, async () => {
      const [found] = await runsOf(admin, id);
      expect(found!.status).toBe('WAITING');
      return found!;
    });
    expect(waiting.id).toBe(run.id);
    expect(waiting.steps[0]).toMatchObject({ stepId: 'pause', status: 'WAITING' });
    expect(mail.sent.filter((m) => m.subject === 'Say hello to Wendy Waits')).toHaveLength(0);
    const [done] = await finishedRuns(kit, admin, id, 1);
    expect(done!.status).toBe('SUCCEEDED');
    const sent = mail.sent.filter((m) => m.subject === 'Say hello to Wendy Waits');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: 'owner@example.com', text: `Waited until ${done!.steps[0]!.output.until}`, idempotencyKey: `${Buffer.from(run.id, 'base64').toString().split(':')[1]}:mail` });
  });

  it('schedule: a cron in a time zone fires once per firing', async () => {
    const id = await publishedWorkflow(admin, 'Every minute', {
      trigger: { kind: 'schedule', cron: '* * * * *', timeZone: 'Europe/Paris' },
      steps: [{ id: 'note', kind: 'wait', for: { seconds: 0 } }],
    });
    const next = new Date((await admin.query(`query ($id: ID!) { workflow(id: $id) { nextFireAt } }`, { id })).workflow.nextFireAt);
    expect(next.getTime()).toBeGreaterThan(Date.now() - 1000);
    expect(next.getUTCSeconds()).toBe(0);
    const later = new Date(next.getTime() + 1000);
    await kit.gateway.plugins!.runJob('workflows', 'fireSchedules', later);
    await kit.gateway.plugins!.runJob('workflows', 'fireSchedules', later); // the same firing again: nothing new
    const runs = await finishedRuns(kit, admin, id, 1);
    expect(runs[0]!.triggerId).toBe(`schedule:${next.toISOString()}`);
  });
});

describe('runs', () => {
  it('the same event delivered twice runs once (one run per event and version)', async () => {
    const id = await publishedWorkflow(admin, 'Once', { trigger: { kind: 'event', eventType: 'company.created' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 0 } }] });
    await admin.query(`mutation { createCompany(input: { name: "Acme" }) { company { id } } }`);
    await finishedRuns(kit, admin, id, 1);
    const event = await kit.lastEvent('company.created');
    kit.gateway.plugins!.dispatch([event]);
    kit.gateway.plugins!.dispatch([event]);
    await kit.settled();
    expect(await runsOf(admin, id)).toHaveLength(1);
  });

  it('a run finishes on the version it started on; new runs take the new version', async () => {
    const v1 = { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'pause', kind: 'wait', for: { seconds: 1 } }, tagStep('tag', 'v1')] };
    const id = await publishedWorkflow(admin, 'Versioned', v1);
    const first = await customer('Vic Version');
        await admin.query(RUN, { id, recordId: first });
    await eventually(kit, async () => expect((await runsOf(admin, id))[0]!.status).toBe('WAITING'));
    await admin.query(UPDATE, { id, definition: { ...v1, steps: [{ id: 'pause', kind: 'wait', for: { seconds: 0 } }, tagStep('tag', 'v2')] } });
    expect((await admin.query(PUBLISH, { id })).publishWorkflow.version.number).toBe(2);
    const second = await customer('Val Version');
    await admin.query(RUN, { id, recordId: second });
    const runs = await finishedRuns(kit, admin, id, 2);
    expect(runs.map((r) => r.version.number).sort()).toEqual([1, 2]);
    expect((await admin.query(TAGS, { id: first })).customer.tags).toEqual(['v1']);
    expect((await admin.query(TAGS, { id: second })).customer.tags).toEqual(['v2']);
  });

  it('retries a failing HTTP step with backoff, fails the run, and a re-run succeeds once the receiver is back', async () => {
    receiverStatus = 503;
    const id = await publishedWorkflow(admin, 'Flaky receiver', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'call', kind: 'httpRequest', url: receiver.url, body: { name: '{{trigger.record.name}}' } }],
    });
    const target = await customer('Fay Flaky');
    await admin.query(`mutation ($id: ID!, $recordId: ID!) { runWorkflow(input: { id: $id, recordId: $recordId }) { run { id } } }`, { id, recordId: target });
    const [failed] = await finishedRuns(kit, admin, id, 1);
    expect(failed).toMatchObject({ status: 'FAILED' });
    expect(failed!.steps[0]).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect(failed!.steps[0]!.error).toContain('HTTP 503');
    receiverStatus = 200;
    const rerun = (await admin.query(`mutation ($id: ID!) { rerunWorkflowRun(input: { id: $id }) { run { id rerunOf } } }`, { id: failed!.id })).rerunWorkflowRun.run;
    expect(rerun.rerunOf).toBe(failed!.id);
    const runs = await finishedRuns(kit, admin, id, 2);
    expect(runs.find((r) => r.id === rerun.id)!.status).toBe('SUCCEEDED');
  });

  it('an email step whose sender was lost mid-send is not sent again (not idempotent): the run fails saying so', async () => {
    const id = await publishedWorkflow(admin, 'Lost sender', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'mail', kind: 'sendEmail', to: 'once@example.com', subject: 'Exactly once', text: 'x' }],
    });
    const target = await customer('Ona Once');
    let release!: () => void;
    mailHeld = new Promise<void>((resolve) => (release = resolve));
    await admin.query(`mutation ($id: ID!, $recordId: ID!) { runWorkflow(input: { id: $id, recordId: $recordId }) { run { id } } }`, { id, recordId: target });
    await eventually(kit, async () => expect((await runsOf(admin, id))[0]!.steps[0]!.status).toBe('RUNNING'));
    // The lease ends while the send hangs: to the queue, that sender is dead. Another round claims the step.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await kit.gateway.plugins!.drainQueues();
    const [run] = await runsOf(admin, id);
    expect(run!.status).toBe('FAILED');
    expect(run!.steps[0]!.error).toBe('Interrupted while sending; not sent again because this step is not idempotent');
    // The lost sender finishes after all: its late result is not written over the failure.
    mailHeld = null;
    release();
    await eventually(kit, async () => expect(mail.sent.filter((m) => m.subject === 'Exactly once')).toHaveLength(1));
    await kit.settled();
    expect((await runsOf(admin, id))[0]!.steps[0]!.status).toBe('FAILED');
  });

  it('cancels a waiting run: its wait never ends in a step', async () => {
    const id = await publishedWorkflow(admin, 'Cancelled', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'pause', kind: 'wait', for: { days: 3 } }, tagStep('tag', 'never')],
    });
    const target = await customer('Cal Cancel');
    const run = (await admin.query(`mutation ($id: ID!, $recordId: ID!) { runWorkflow(input: { id: $id, recordId: $recordId }) { run { id } } }`, { id, recordId: target })).runWorkflow.run;
    await eventually(kit, async () => expect((await runsOf(admin, id))[0]!.status).toBe('WAITING'));
    const cancelled = (await admin.query(`mutation ($id: ID!) { cancelWorkflowRun(input: { id: $id }) { run { status steps { status dueAt } } } }`, { id: run.id })).cancelWorkflowRun.run;
    expect(cancelled).toEqual({ status: 'CANCELLED', steps: [{ status: 'CANCELLED', dueAt: null }] });
    expect(await admin.errorCode(`mutation ($id: ID!) { cancelWorkflowRun(input: { id: $id }) { run { id } } }`, { id: run.id })).toBe('CONFLICT');
  });

  it('a chain of workflows stops at the depth limit', async () => {
    await admin.query(SETTINGS, { settings: { maxDepth: 2 } });
    // Each run renames the customer, which sets the workflow off again (allowed here), one level deeper each time.
    const id = await publishedWorkflow(admin, 'Chain', {
      trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['name'] },
      steps: [{ id: 'rename', kind: 'updateRecord', values: { name: '{{trigger.record.name}}+' } }],
      options: { allowSelfTrigger: true },
    });
    const target = await customer('Chain');
    await admin.query(RENAME, { id: target, name: 'Chain0' });
    const runs = await finishedRuns(kit, admin, id, 3);
    await kit.settled();
    expect(runs.map((r) => r.depth).sort()).toEqual([0, 1, 2]);
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { name } }`, { id: target })).customer.name).toBe('Chain0+++');
    await admin.query(SETTINGS, { settings: { maxDepth: 5 } });
  });

  it('lists runs per record', async () => {
    const id = await publishedWorkflow(admin, 'Per record', { trigger: { kind: 'manual', object: 'Customer' }, steps: [tagStep('t', 'x')] });
    const a = await customer('Rec A');
    const RUN = `mutation ($id: ID!, $recordId: ID!) { runWorkflow(input: { id: $id, recordId: $recordId }) { run { id } } }`;
    await admin.query(RUN, { id, recordId: a });
    await admin.query(RUN, { id, recordId: a });
    await finishedRuns(kit, admin, id, 2);
    const runs = (await admin.query(RUNS, { recordId: a })).workflowRuns as { recordId: string }[];
    expect(runs).toHaveLength(2);
    expect(runs.every((r) => r.recordId === a)).toBe(true);
  });
});

describe('testWorkflow: a dry run', () => {
  it('returns each step’s would-be effect and writes nothing', async () => {
    const id = (
      await admin.query(CREATE, {
        name: 'Dry',
        definition: {
          trigger: { kind: 'record', object: 'Customer', on: 'created' },
          steps: [
            { id: 'c', kind: 'condition', if: { lifecycleStage: { eq: 'LEAD' } }, then: [{ id: 'task', kind: 'createTask', title: 'Qualify {{trigger.record.name}}', dueIn: { days: 1 } }] },
            { id: 'mail', kind: 'sendEmail', to: 'sales@example.com', subject: 'New: {{trigger.record.name}}', text: 'x' },
          ],
        },
      })
    ).createWorkflow.workflow.id;
    const lead = await customer('Dee Dry', { stage: 'LEAD' });
    const sentBefore = mail.sent.length;
    const countsBefore = await rowCounts();
    const steps = (await admin.query(DRY_RUN, { id, recordId: lead })).testWorkflow.steps;
    expect(steps.map((s: any) => [s.stepId, s.branch])).toEqual([['c', 'then'], ['task', null], ['mail', null]]);
    expect(steps[1].input.title).toBe('Qualify Dee Dry');
    expect(steps[1].effect).toMatch(/^create the task "Qualify Dee Dry" due /);
    expect(steps[2].effect).toBe('send an email to sales@example.com: "New: Dee Dry"');
    expect(await rowCounts()).toEqual(countsBefore);
    expect(mail.sent.length).toBe(sentBefore);
    // A draft that does not publish does not dry-run either, with the same error.
    await admin.query(UPDATE, { id, definition: { trigger: { kind: 'record', object: 'Customer', on: 'created' }, steps: [{ id: 'x', kind: 'createTask', title: '{{trigger.record.nope}}' }] } });
    expect((await admin.request(DRY_RUN, { id, recordId: lead })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.title' });
  });
});

async function rowCounts() {
  const prisma = kit.database.prisma;
  return {
    tasks: await prisma.task.count(),
    runs: await prisma.workflowRun.count(),
    steps: await prisma.workflowStepRun.count(),
    events: await prisma.event.count(),
  };
}

describe('tenancy and permissions', () => {
  it('another workspace never sees, runs or is set off by this workspace’s workflows', async () => {
    const id = await publishedWorkflow(admin, 'Mine', { trigger: { kind: 'record', object: 'Customer', on: 'created' }, steps: [tagStep('t', 'mine')] });
    const other = await kit.createWorkspace('Workspace B');
    const theirs = other.client;
    expect((await theirs.query(`query ($id: ID!) { workflow(id: $id) { id } }`, { id })).workflow).toBeNull();
    expect((await theirs.query(`{ workflows { id } }`)).workflows).toEqual([]);
    expect((await theirs.query(RUNS, { id })).workflowRuns).toEqual([]);
    expect(await theirs.errorCode(PUBLISH, { id })).toBe('NOT_FOUND');
    expect(await theirs.errorCode(ENABLE, { id, enabled: false })).toBe('NOT_FOUND');
    const theirCustomer = await customer('Bob in B', {}, theirs);
    await kit.settled();
    expect((await theirs.query(TAGS, { id: theirCustomer })).customer.tags).toEqual([]);
    const mine = await runsOf(admin, id);
    expect(mine.some((r) => r.recordId === theirCustomer)).toBe(false);
    expect(await theirs.errorCode(`mutation ($id: ID!, $recordId: ID!) { runWorkflow(input: { id: $id, recordId: $recordId }) { run { id } } }`, { id, recordId: theirCustomer })).toBe('NOT_FOUND');
    // Their own workflow on their record cannot be aimed at one of ours.
    const ours = await customer('Ours');
    const theirWorkflow = await publishedWorkflow(theirs, 'Theirs', { trigger: { kind: 'manual', object: 'Customer' }, steps: [tagStep('t', 'theirs')] });
    expect(await theirs.errorCode(`mutation ($id: ID!, $recordId: ID!) { runWorkflow(input: { id: $id, recordId: $recordId }) { run { id } } }`, { id: theirWorkflow, recordId: ours })).toBe(
      'NOT_FOUND',
    );
    expect((await theirs.request(DRY_RUN, { id: theirWorkflow, recordId: ours })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('only ADMIN keys manage workflows; MEMBER keys may run one on a record; READ_ONLY keys may not', async () => {
    const member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
    const reader = await kit.issueKey(kit.workspace.workspaceId, 'READ_ONLY');
    const id = await publishedWorkflow(admin, 'Guarded', { trigger: { kind: 'manual', object: 'Customer' }, steps: [tagStep('t', 'guarded')] });
    for (const client of [member, reader]) {
      expect(await client.errorCode(CREATE, { name: 'Nope' })).toBe('FORBIDDEN');
      expect(await client.errorCode(PUBLISH, { id })).toBe('FORBIDDEN');
      expect(await client.errorCode(ENABLE, { id, enabled: false })).toBe('FORBIDDEN');
      expect(await client.errorCode(`{ workflows { id } }`)).toBe('FORBIDDEN');
      expect(await client.errorCode(DRY_RUN, { id })).toBe('FORBIDDEN');
    }
    const target = await customer('Guarded Gus');
    const RUN = `mutation ($id: ID!, $recordId: ID!) { runWorkflow(input: { id: $id, recordId: $recordId }) { run { status } } }`;
    expect(await reader.errorCode(RUN, { id, recordId: target })).toBe('FORBIDDEN');
    expect((await member.query(RUN, { id, recordId: target })).runWorkflow.run.status).toBe('QUEUED');
    await finishedRuns(kit, admin, id, 1);
  });
});
