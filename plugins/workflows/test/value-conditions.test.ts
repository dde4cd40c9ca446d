// Conditions and switches on a typed value (`{ value: '{{…}}', operator, operand }`): any trigger can branch — a
// webhook on its body, any workflow on an HTTP step's answer — live and in the dry run; publish refuses an operator
// or an operand that does not fit the path's type, naming it.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, CUSTOMER, finishedRuns, PUBLISH, publishedWorkflow, RUN, startReceiver, switchAllOff } from './support.js';

const WORKFLOW = `query ($id: ID!) { workflow(id: $id) { webhookPath } }`;
const DRY_RUN = `query ($id: ID!, $sample: JSON) { testWorkflow(id: $id, sample: $sample) { steps { stepId branch effect } } }`;
const TAGS = `query ($id: ID!) { customer(id: $id) { tags } }`;

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

const task = (id: string, title: string) => ({ id, kind: 'createTask', title, customerId: '{{trigger.event.payload.customerId}}' });
const branchesOf = (run: { steps: { stepId: string; output: { branch?: string } | null }[] }) =>
  Object.fromEntries(run.steps.filter((s) => s.output?.branch).map((s) => [s.stepId, s.output!.branch]));

describe('a webhook workflow branching on its body', () => {
  const definition = {
    trigger: { kind: 'webhook', ratePerMinute: 100 },
    steps: [
      {
        id: 'size',
        kind: 'switch',
        cases: [
          { name: 'big', when: { value: '{{trigger.event.payload.amount}}', operator: 'gte', operand: 1000 }, steps: [task('b', 'Big lead')] },
          { name: 'pro', when: { value: '{{trigger.event.payload.plan}}', operator: 'in', operand: ['pro', 'enterprise'] }, steps: [task('p', 'Pro lead')] },
        ],
        default: [task('s', 'Small lead')],
      },
      { id: 'vip', kind: 'condition', if: { value: '{{trigger.event.payload.tags}}', operator: 'contains', operand: 'vip' }, then: [task('v', 'VIP')] },
      { id: 'known', kind: 'condition', if: { value: '{{trigger.event.payload.customerId}}', operator: 'exists' }, else: [] },
    ],
  };

  it('takes the branch its payload fits, live and in the dry run', async () => {
    const id = await publishedWorkflow(admin, 'Inbound', definition);
    const { webhookPath } = (await admin.query(WORKFLOW, { id })).workflow;
    const customerId = Buffer.from((await admin.query(CUSTOMER, { name: 'Lead Co' })).createCustomer.customer.id, 'base64').toString().split(':')[1];
    const bodies = [
      { amount: 5000, customerId },
      { amount: '200', plan: 'pro', tags: ['vip', 'eu'], customerId },
      { amount: 10, plan: 'free', customerId },
    ];
    for (const body of bodies) {
      const answer = await fetch(`${kit.url}${webhookPath}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      expect(answer.status).toBe(202);
    }
    const runs = await finishedRuns(kit, admin, id, 3);
    expect(runs.every((r) => r.status === 'SUCCEEDED')).toBe(true);
    const seen = runs.map(branchesOf);
    expect(seen).toEqual(
      expect.arrayContaining([
        { size: 'big', vip: 'else', known: 'then' },
        { size: 'pro', vip: 'then', known: 'then' },
        { size: 'default', vip: 'else', known: 'then' },
      ]),
    );

    const dry = async (sample: unknown) => (await admin.query(DRY_RUN, { id, sample })).testWorkflow.steps;
    expect((await dry({ amount: 1000 })).map((s: { branch: string }) => s.branch)).toEqual(['big', null, 'else', 'else']);
    const steps = await dry({ amount: 1, tags: ['vip'], customerId });
    expect(steps.map((s: { stepId: string }) => s.stepId)).toEqual(['size', 's', 'vip', 'v', 'known']);
    expect(steps[2]).toMatchObject({ branch: 'then', effect: '{{trigger.event.payload.tags}} contains "vip" holds: then' });
    expect(steps[4]).toMatchObject({ branch: 'then' });
  });
});

describe("a branch on an HTTP step's answer", () => {
  it('takes the branch its status fits', async () => {
    let status = 200;
    const receiver = await startReceiver(() => status);
    try {
      const id = await publishedWorkflow(admin, 'Sync', {
        trigger: { kind: 'manual', object: 'Customer' },
        steps: [
          { id: 'h', kind: 'httpRequest', url: receiver.url, body: { name: '{{trigger.record.name}}' } },
          {
            id: 'answer',
            kind: 'condition',
            if: { value: '{{steps.h.output.status}}', operator: 'eq', operand: 202 },
            then: [{ id: 'queued', kind: 'addTag', tag: 'sync-queued' }],
            else: [{ id: 'done', kind: 'addTag', tag: 'synced' }],
          },
        ],
      });
      const first = (await admin.query(CUSTOMER, { name: 'Ann' })).createCustomer.customer.id;
      const second = (await admin.query(CUSTOMER, { name: 'Bo' })).createCustomer.customer.id;
      await admin.query(RUN, { id, recordId: first });
      await finishedRuns(kit, admin, id, 1);
      status = 202;
      await admin.query(RUN, { id, recordId: second });
      const runs = await finishedRuns(kit, admin, id, 2);
      expect(runs.every((r) => r.status === 'SUCCEEDED')).toBe(true);
      expect((await admin.query(TAGS, { id: first })).customer.tags).toEqual(['synced']);
      expect((await admin.query(TAGS, { id: second })).customer.tags).toEqual(['sync-queued']);
    } finally {
      await receiver.close();
    }
  });
});

describe('publish', () => {
  async function publishError(definition: unknown) {
    const id = (await admin.query(CREATE, { name: 'Checked', definition })).createWorkflow.workflow.id;
    const [error] = (await admin.request(PUBLISH, { id })).errors ?? [];
    return error ? { code: error.extensions?.code as string, field: error.extensions?.field as string, message: error.message } : null;
  }
  const http = { id: 'h', kind: 'httpRequest', url: 'https://hooks.example.com/x' };
  const onStatus = (test: Record<string, unknown>) => ({
    trigger: { kind: 'schedule', cron: '0 9 * * 1-5' },
    steps: [http, { id: 'c', kind: 'condition', if: { value: '{{steps.h.output.status}}', ...test }, then: [], else: [] }],
  });
  const onCustomer = (test: Record<string, unknown>) => ({
    trigger: { kind: 'manual', object: 'Customer' },
    steps: [{ id: 'c', kind: 'condition', if: test, then: [], else: [] }],
  });

  const onBody = (test: Record<string, unknown>) => ({ trigger: { kind: 'webhook' }, steps: [{ id: 'c', kind: 'condition', if: test, then: [], else: [] }] });

  it('takes orderable operands for a payload value, microsecond dates with a zone, and row ids', async () => {
    expect(await publishError(onBody({ value: '{{trigger.event.payload.amount}}', operator: 'gt', operand: 1000 }))).toBeNull();
    expect(await publishError(onBody({ value: '{{trigger.event.payload.at}}', operator: 'lt', operand: '2026-01-01T09:00:00.123456+02:00' }))).toBeNull();
    expect(await publishError(onCustomer({ value: '{{trigger.record.createdAt}}', operator: 'gt', operand: '2026-01-01T09:00:00.123456Z' }))).toBeNull();
    expect(await publishError(onCustomer({ value: '{{trigger.record.id}}', operator: 'eq', operand: '00000000-0000-0000-0000-000000000001' }))).toBeNull();
  });

  it('lets a schedule branch on a value', async () => {
    expect(await publishError(onStatus({ operator: 'gte', operand: 400 }))).toBeNull();
    expect(await publishError(onCustomer({ value: '{{trigger.record.createdAt}}', operator: 'lt', operand: '2026-01-01' }))).toBeNull();
    expect(await publishError(onCustomer({ value: '{{trigger.record.tags}}', operator: 'contains', operand: 'vip' }))).toBeNull();
  });

  it.each([
    ['a number cannot contain', onStatus({ operator: 'contains', operand: '4' }), 'definition.steps.1.if.operator', 'contains'],
    ['a number compared with text', onStatus({ operator: 'gte', operand: '400' }), 'definition.steps.1.if.operand', 'needs a number'],
    ['an unknown operator', onStatus({ operator: 'between', operand: 1 }), 'definition.steps.1.if.operator', ''],
    ['exists with an operand', onStatus({ operator: 'exists', operand: 1 }), 'definition.steps.1.if.operand', 'exists'],
    ['in without a list', onStatus({ operator: 'in', operand: 200 }), 'definition.steps.1.if.operand', 'list'],
    ['text ordered', onCustomer({ value: '{{trigger.record.name}}', operator: 'gt', operand: 'M' }), 'definition.steps.0.if.operator', 'is text'],
    ['a list compared whole', onCustomer({ value: '{{trigger.record.tags}}', operator: 'eq', operand: 'vip' }), 'definition.steps.0.if.operator', 'contains'],
    ['a date compared with a word', onCustomer({ value: '{{trigger.record.createdAt}}', operator: 'lt', operand: 'yesterday' }), 'definition.steps.0.if.operand', 'ISO date'],
    ['no template', onCustomer({ value: 'gold', operator: 'eq', operand: 'gold' }), 'definition.steps.0.if.value', 'one template'],
    ['a payload value ordered against a word', onBody({ value: '{{trigger.event.payload.amount}}', operator: 'gt', operand: 'big' }), 'definition.steps.0.if.operand', 'a number or an ISO date'],
    ['a payload value ordered against true', onBody({ value: '{{trigger.event.payload.amount}}', operator: 'lte', operand: true }), 'definition.steps.0.if.operand', 'a number or an ISO date'],
    ['a date without a zone', onCustomer({ value: '{{trigger.record.createdAt}}', operator: 'lt', operand: '2026-01-01T09:00' }), 'definition.steps.0.if.operand', 'ISO date'],
    ['an id compared to a global id', onCustomer({ value: '{{trigger.record.id}}', operator: 'eq', operand: 'Q3VzdG9tZXI6MQ==' }), 'definition.steps.0.if.operand', 'a row id'],
    ['a path that does not exist', onCustomer({ value: '{{trigger.record.nope}}', operator: 'exists' }), 'definition.steps.0.if.value', 'no field'],
  ])('%s: BAD_USER_INPUT naming it', async (_name, definition, field, says) => {
    const error = await publishError(definition);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error!.message).toContain(says);
  });

  it("names a switch case's test, and a schedule's record filter", async () => {
    const switched = {
      trigger: { kind: 'webhook' },
      steps: [{ id: 's', kind: 'switch', cases: [{ name: 'a', when: { value: '{{trigger.event.occurredAt}}', operator: 'gt', operand: 3 } }] }],
    };
    expect(await publishError(switched)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.cases.0.when.operand' });
    const filtered = { trigger: { kind: 'schedule', cron: '0 9 * * *' }, steps: [{ id: 'c', kind: 'condition', if: { name: { eq: 'x' } }, then: [] }] };
    expect(await publishError(filtered)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.if' });
  });
});
