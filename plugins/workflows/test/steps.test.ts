// The branching, looping and waiting steps, and the steps that reach beyond the trigger's record, through a real
// gateway: switch, forEach, waitForEvent (the event first; the timeout first), updating a related record, creating a
// deal or any record with a writer (a ticket; a plugin's object), and conditions on segment membership; each checked
// at publish and in the dry run.
import competitorFeedback from '@crm/plugin-competitor-feedback';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, eventually, finishedRuns, PUBLISH, publishedWorkflow, RUN, runsOf, switchAllOff } from './support.js';

const CUSTOMER = `mutation ($name: String!, $stage: LifecycleStage, $tags: [String!]) {
  createCustomer(input: { name: $name, lifecycleStage: $stage, tags: $tags }) { customer { id } } }`;
const TAGS = `query ($id: ID!) { customer(id: $id) { tags lifecycleStage name } }`;
const DEALS = `query ($id: ID!) { customer(id: $id) { deals(first: 10) { edges { node { title amount stage { id } } } } } }`;
const TASKS = `query ($id: ID!) { customer(id: $id) { tasks(first: 20) { edges { node { id title } } } } }`;
const COMPLETE_TASK = `mutation ($id: ID!) { completeTask(input: { id: $id }) { task { id } } }`;
const DEAL = `mutation ($customerId: ID!) { createDeal(input: { title: "Upgrade", customerId: $customerId, amount: "900.00" }) { deal { id } } }`;
const DRY_RUN = `query ($id: ID!, $recordId: ID) { testWorkflow(id: $id, recordId: $recordId) { steps { stepId kind input effect branch } } }`;
const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 }), competitorFeedback] });
  admin = kit.workspace.client;
  await admin.query(SETTINGS, { settings: { retryBackoffMs: 20 } });
});
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

async function customer(name: string, variables: Record<string, unknown> = {}, client = admin): Promise<string> {
  return (await client.query(CUSTOMER, { name, ...variables })).createCustomer.customer.id as string;
}

async function publishError(definition: unknown) {
  const id = (await admin.query(CREATE, { name: 'Checked', definition })).createWorkflow.workflow.id;
  return (await admin.request(PUBLISH, { id })).errors?.[0]?.extensions as { code: string; field: string };
}

const onCustomer = { kind: 'manual', object: 'Customer' };
const tag = (id: string, name: string) => ({ id, kind: 'addTag', tag: name });

describe('switch', () => {
  const definition = {
    trigger: onCustomer,
    steps: [
      {
        id: 'route',
        kind: 'switch',
        cases: [
          { name: 'lead', when: { lifecycleStage: { eq: 'LEAD' } }, steps: [tag('l', 'nurture')] },
          { name: 'customer', when: { lifecycleStage: { in: ['CUSTOMER', 'ADVOCATE'] } }, steps: [tag('c', 'upsell'), tag('c2', 'survey')] },
        ],
        default: [tag('d', 'review')],
      },
      tag('after', 'routed'),
    ],
  };

  it('takes the first matching case, else the default, then goes on after the switch', async () => {
    const id = await publishedWorkflow(admin, 'Router', definition);
    const lead = await customer('Sam Lead', { stage: 'LEAD' });
    const buyer = await customer('Cat Customer', { stage: 'CUSTOMER' });
    const churned = await customer('Chu Churned', { stage: 'CHURNED' });
    for (const recordId of [lead, buyer, churned]) await admin.query(RUN, { id, recordId });
    const runs = await finishedRuns(kit, admin, id, 3);
    expect(runs.every((r) => r.status === 'SUCCEEDED')).toBe(true);
    expect((await admin.query(TAGS, { id: lead })).customer.tags).toEqual(['nurture', 'routed']);
    expect((await admin.query(TAGS, { id: buyer })).customer.tags).toEqual(['upsell', 'survey', 'routed']);
    expect((await admin.query(TAGS, { id: churned })).customer.tags).toEqual(['review', 'routed']);
    const routed = runs.find((r) => r.recordId === buyer)!;
    expect(routed.steps.map((s) => [s.stepId, s.output?.branch ?? null])).toEqual([
      ['route', 'customer'],
      ['c', null],
      ['c2', null],
      ['after', null],
    ]);
  });

  it('is checked at publish (case filters, names) and walked by the dry run', async () => {
    const bad = structuredClone(definition) as any;
    bad.steps[0].cases[1].when = { colour: { eq: 'red' } };
    expect(await publishError(bad)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.cases.1.when.colour' });
    const twice = structuredClone(definition) as any;
    twice.steps[0].cases[1].name = 'lead';
    expect(await publishError(twice)).toMatchObject({ field: 'definition.steps.0.cases.1.name' });
    // A step inside a case may not have run after the switch.
    const inside = structuredClone(definition) as any;
    inside.steps[1] = { id: 'after', kind: 'addTag', tag: '{{steps.c.output.tags}}' };
    expect(await publishError(inside)).toMatchObject({ field: 'definition.steps.1.tag' });

    const id = (await admin.query(CREATE, { name: 'Router draft', definition })).createWorkflow.workflow.id;
    const lead = await customer('Dry Lead', { stage: 'LEAD' });
    const steps = (await admin.query(DRY_RUN, { id, recordId: lead })).testWorkflow.steps;
    expect(steps.map((s: any) => [s.stepId, s.branch])).toEqual([
      ['route', 'lead'],
      ['l', null],
      ['after', null],
    ]);
  });
});

describe('forEach', () => {
  it('does its step once per item of a list, with {{item}} and {{index}}, in one transaction', async () => {
    const id = await publishedWorkflow(admin, 'Per tag', {
      trigger: onCustomer,
      steps: [
        { id: 'each', kind: 'forEach', items: '{{trigger.record.tags}}', do: { id: 'task', kind: 'createTask', title: 'Follow up on {{item}} (#{{index}})' } },
        { id: 'done', kind: 'addTag', tag: 'looped-{{steps.each.output.count}}' },
      ],
    });
    const target = await customer('Lia Loop', { tags: ['alpha', 'beta', 'gamma'] });
    let run: Awaited<ReturnType<typeof finishedRuns>>[number] | undefined;
    const statements = await kit.sql.during(async () => {
      await admin.query(RUN, { id, recordId: target });
      [run] = await finishedRuns(kit, admin, id, 1);
    });
    // The three tasks go to the core in one call: one insert (it was one call, an insert and a check, per item).
    expect(statements.filter((q) => q.trimStart().startsWith('INSERT INTO "Task"'))).toHaveLength(1);
    expect(run!.status).toBe('SUCCEEDED');
    expect(run!.steps[0]!.output.count).toBe(3);
    expect(run!.steps[0]!.output.outputs.map((o: any) => o.title)).toEqual(['Follow up on alpha (#0)', 'Follow up on beta (#1)', 'Follow up on gamma (#2)']);
    const titles = (await admin.query(TASKS, { id: target })).customer.tasks.edges.map((e: any) => e.node.title).sort();
    expect(titles).toEqual(['Follow up on alpha (#0)', 'Follow up on beta (#1)', 'Follow up on gamma (#2)']);
    expect((await admin.query(TAGS, { id: target })).customer.tags).toContain('looped-3');
  });

  it('a list over its bound fails the step and does nothing (no half-done loop)', async () => {
    const id = await publishedWorkflow(admin, 'Bounded', {
      trigger: onCustomer,
      steps: [{ id: 'each', kind: 'forEach', items: '{{trigger.record.tags}}', max: 2, do: { id: 'task', kind: 'createTask', title: '{{item}}' } }],
    });
    const target = await customer('Bo Bound', { tags: ['a', 'b', 'c'] });
    await admin.query(RUN, { id, recordId: target });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.status).toBe('FAILED');
    expect(run!.steps[0]!.error).toBe("items: 3 items, over this loop's limit of 2");
    expect((await admin.query(TASKS, { id: target })).customer.tasks.edges).toHaveLength(0);
  });

  it('an item the core refuses fails the loop, and the items it took are not kept (no half-done loop)', async () => {
    // Two items in one call to the core: the trigger's customer, then one that does not exist.
    const id = await publishedWorkflow(admin, 'Half a loop', {
      trigger: onCustomer,
      steps: [
        {
          id: 'each',
          kind: 'forEach',
          items: ['{{trigger.record.id}}', '00000000-0000-4000-8000-000000000000'],
          do: { id: 'task', kind: 'createTask', title: 'Loop task', customerId: '{{item}}' },
        },
      ],
    });
    const target = await customer('Hal Half');
    await admin.query(RUN, { id, recordId: target });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.status).toBe('FAILED');
    expect(run!.steps[0]!.status).toBe('FAILED');
    expect(run!.steps[0]!.error).toBe('Customer not found');
    expect((await admin.query(TASKS, { id: target })).customer.tasks.edges).toHaveLength(0);
  });

  it('is checked at publish: only database steps loop, item paths only inside the loop', async () => {
    expect(
      await publishError({ trigger: onCustomer, steps: [{ id: 'each', kind: 'forEach', items: '{{trigger.record.tags}}', do: { id: 'w', kind: 'wait', for: { seconds: 1 } } }] }),
    ).toMatchObject({ field: 'definition.steps.0.do.kind' });
    expect(await publishError({ trigger: onCustomer, steps: [{ id: 't', kind: 'createTask', title: '{{item}}' }] })).toMatchObject({ field: 'definition.steps.0.title' });
    expect(
      await publishError({
        trigger: onCustomer,
        steps: [
          { id: 'each', kind: 'forEach', items: '{{trigger.record.tags}}', do: { id: 'task', kind: 'createTask', title: '{{item}}' } },
          { id: 'after', kind: 'addTag', tag: '{{steps.task.output.id}}' },
        ],
      }),
    ).toMatchObject({ field: 'definition.steps.1.tag' });
  });
});

describe('waitForEvent', () => {
  const definition = {
    trigger: onCustomer,
    steps: [
      { id: 'call', kind: 'createTask', title: 'Call {{trigger.record.name}}' },
      { id: 'done', kind: 'waitForEvent', eventType: 'task.completed', subjectId: '{{steps.call.output.id}}', timeout: { seconds: 2 }, onTimeout: [tag('late', 'call-overdue')] },
      tag('after', 'call-handled'),
    ],
  };

  it('goes on when the event arrives for the record (the task is done), with the event as its output', async () => {
    const id = await publishedWorkflow(admin, 'Until done', { ...definition, steps: definition.steps.map((s) => (s.id === 'done' ? { ...s, timeout: { days: 2 } } : s)) });
    const target = await customer('Tom Task');
    await admin.query(RUN, { id, recordId: target });
    const waiting = await eventually(kit, async () => {
      const [run] = await runsOf(admin, id);
      expect(run!.status).toBe('WAITING');
      return run!;
    });
    expect(waiting.steps[1]).toMatchObject({ stepId: 'done', status: 'WAITING' });
    const taskId = waiting.steps[0]!.output.id as string;
    // Another task's completion is not the one it waits for.
    const other = (await admin.query(`mutation ($customerId: ID!) { createTask(input: { title: "Other", customerId: $customerId }) { task { id } } }`, { customerId: target })).createTask.task.id;
    await admin.query(COMPLETE_TASK, { id: other });
    await kit.settled();
    expect((await runsOf(admin, id))[0]!.status).toBe('WAITING');
    const task = (await admin.query(TASKS, { id: target })).customer.tasks.edges.map((e: any) => e.node).find((t: any) => t.title === 'Call Tom Task');
    await admin.query(COMPLETE_TASK, { id: task.id });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.status).toBe('SUCCEEDED');
    expect(run!.steps.map((s) => s.stepId)).toEqual(['call', 'done', 'after']);
    expect(run!.steps[1]!.output).toMatchObject({ received: true, event: { type: 'task.completed', subjectId: taskId } });
    expect((await admin.query(TAGS, { id: target })).customer.tags).toEqual(['call-handled']);
  });

  it('takes the timeout branch when no event comes in time', async () => {
    const id = await publishedWorkflow(admin, 'Until late', definition);
    const target = await customer('Ted Timeout');
    await admin.query(RUN, { id, recordId: target });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.steps.map((s) => s.stepId)).toEqual(['call', 'done', 'late', 'after']);
    expect(run!.steps[1]!.output).toEqual({ received: false, event: null });
    expect((await admin.query(TAGS, { id: target })).customer.tags).toEqual(['call-overdue', 'call-handled']);
    // The task completed after the timeout resumes nothing.
    const task = (await admin.query(TASKS, { id: target })).customer.tasks.edges[0].node;
    await admin.query(COMPLETE_TASK, { id: task.id });
    await kit.settled();
    expect((await runsOf(admin, id))[0]!.steps).toHaveLength(4);
  });
});

describe('records beyond the trigger’s', () => {
  it('updates a related record: the customer of a deal', async () => {
    const id = await publishedWorkflow(admin, 'Deal makes customer', {
      trigger: { kind: 'record', object: 'Deal', on: 'created' },
      steps: [{ id: 'promote', kind: 'updateRecord', relation: 'customer', values: { lifecycleStage: 'CUSTOMER' } }],
    });
    const buyer = await customer('Rel Related', { stage: 'LEAD' });
    await admin.query(DEAL, { customerId: buyer });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.status).toBe('SUCCEEDED');
    expect((await admin.query(TAGS, { id: buyer })).customer.lifecycleStage).toBe('CUSTOMER');
    expect(
      await publishError({ trigger: { kind: 'record', object: 'Deal', on: 'created' }, steps: [{ id: 'x', kind: 'updateRecord', relation: 'activities', values: { subject: 'x' } }] }),
    ).toMatchObject({ field: 'definition.steps.0.relation' });
    expect(
      await publishError({ trigger: { kind: 'record', object: 'Deal', on: 'created' }, steps: [{ id: 'x', kind: 'updateRecord', relation: 'customer', values: { colour: 'red' } }] }),
    ).toMatchObject({ field: 'definition.steps.0.values.colour' });
  });

  it('creates a deal for the customer (the default pipeline and its first stage)', async () => {
    const id = await publishedWorkflow(admin, 'Renewal deal', {
      trigger: onCustomer,
      steps: [{ id: 'deal', kind: 'createDeal', title: 'Renewal: {{trigger.record.name}}', amount: '1200.00' }, tag('t', 'deal-{{steps.deal.output.title}}')],
    });
    const target = await customer('Ren Renewal');
    await admin.query(RUN, { id, recordId: target });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.status).toBe('SUCCEEDED');
    const deals = (await admin.query(DEALS, { id: target })).customer.deals.edges.map((e: any) => e.node);
    expect(deals).toMatchObject([{ title: 'Renewal: Ren Renewal', amount: '1200.00' }]);
  });

  it('creates any record with a writer: a core ticket and a plugin’s object (competitor-feedback’s Competitor)', async () => {
    const id = await publishedWorkflow(admin, 'Records', {
      trigger: onCustomer,
      steps: [
        { id: 'ticket', kind: 'createRecord', object: 'Ticket', values: { customerId: '{{trigger.record.id}}', subject: 'Check in with {{trigger.record.name}}', priority: 'HIGH' } },
        { id: 'rival', kind: 'createRecord', object: 'Competitor', values: { name: 'Rival of {{trigger.record.name}}', strengths: 'ticket {{steps.ticket.output.id}}' } },
      ],
    });
    const target = await customer('Rec Ord');
    await admin.query(RUN, { id, recordId: target });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.status).toBe('SUCCEEDED');
    const tickets = (await admin.query(`query ($id: ID!) { customer(id: $id) { tickets(first: 5) { edges { node { subject priority } } } } }`, { id: target })).customer.tickets.edges;
    expect(tickets.map((e: any) => e.node)).toEqual([{ subject: 'Check in with Rec Ord', priority: 'HIGH' }]);
    const rivals = (await admin.query(`{ competitors(first: 50) { edges { node { name strengths } } } }`)).competitors.edges.map((e: any) => e.node);
    expect(rivals).toContainEqual({ name: 'Rival of Rec Ord', strengths: `ticket ${run!.steps[0]!.output.id}` });
    // Its own command's validation: a second competitor of the same name is refused, and the run fails saying so.
    await admin.query(RUN, { id, recordId: target });
    const failed = (await finishedRuns(kit, admin, id, 2)).find((r) => r.status === 'FAILED')!;
    expect(failed.steps.find((s) => s.stepId === 'rival')!.error).toMatch(/Rival of Rec Ord/);
    expect(await publishError({ trigger: onCustomer, steps: [{ id: 'o', kind: 'createRecord', object: 'Order', values: {} }] })).toMatchObject({ field: 'definition.steps.0.object' });
    expect(await publishError({ trigger: onCustomer, steps: [{ id: 't', kind: 'createRecord', object: 'Ticket', values: { status: 'CLOSED' } }] })).toMatchObject({
      field: 'definition.steps.0.values.status',
    });
  });

  it('conditions on segment membership (segments are dynamic: membership is their filter, kept current by the core)', async () => {
    const segment = (await admin.query(`mutation { createSegment(input: { name: "VIPs", filter: { name: { startsWith: "VIP" } } }) { segment { id } } }`)).createSegment.segment.id;
    const id = await publishedWorkflow(admin, 'VIP only', {
      trigger: { kind: 'record', object: 'Customer', on: 'created' },
      steps: [{ id: 'c', kind: 'condition', if: { inSegment: segment }, then: [tag('vip', 'vip')], else: [tag('std', 'standard')] }],
    });
    const vip = await customer('VIP Val');
    const regular = await customer('Reg Ular');
    await finishedRuns(kit, admin, id, 2);
    expect((await admin.query(TAGS, { id: vip })).customer.tags).toEqual(['vip']);
    expect((await admin.query(TAGS, { id: regular })).customer.tags).toEqual(['standard']);
  });
});
