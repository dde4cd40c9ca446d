// cancelWorkflowRuns: a workflow's runs under way cancelled in one call (after disabling or archiving it), as
// cancelWorkflowRun cancels one: in one transaction, a constant number of statements whatever the number of runs, none
// resumes afterwards, other workflows' runs untouched; a step under way (an HTTP request) finishes, its answer is not
// recorded and nothing runs after it. Tenancy and permissions: access.test.ts.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, finishedRuns, publishedWorkflow, runsOf, startReceiver } from './support.js';

const CANCEL_ALL = `mutation ($id: ID!, $statuses: [WorkflowRunStatus!]) { cancelWorkflowRuns(input: { workflowId: $id, statuses: $statuses }) { cancelled remaining } }`;
const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`;
const RENAME = `mutation ($id: ID!, $name: String!) { updateCustomer(input: { id: $id, name: $name }) { customer { id } } }`;
const TAGS = `query ($id: ID!) { customer(id: $id) { tags } }`;
const ARCHIVE = `mutation ($id: ID!) { archiveWorkflow(input: { id: $id }) { workflow { id } } }`;

/** Waits for the customer's next change, then tags them: a run that resumed would show. */
const awaitingChange = (tag: string) => ({
  trigger: { kind: 'manual', object: 'Customer' },
  steps: [
    { id: 'changed', kind: 'waitForEvent', eventType: 'customer.updated', subjectId: '{{trigger.record.id}}', timeout: { days: 1 } },
    { id: 'tag', kind: 'addTag', tag },
  ],
});

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  // A lease longer than the held HTTP request: it is not claimed a second time meanwhile.
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 30_000 })], webhooks: { allowPrivateTargets: true } });
  admin = kit.workspace.client;
});
afterAll(() => kit?.close());

describe('cancelWorkflowRuns', () => {
  it('cancels 50 waiting runs in one call and a constant number of statements; none resumes; other workflows’ runs go on', async () => {
    const customers: string[] = [];
    for (let i = 0; i < 50; i++) customers.push((await admin.query(CUSTOMER, { name: `Waiting ${i}` })).createCustomer.customer.id);
    const many = await publishedWorkflow(admin, 'Fifty waits', awaitingChange('resumed'));
    const few = await publishedWorkflow(admin, 'Five waits', awaitingChange('other-resumed'));
    await admin.query(ON_RECORDS, { id: many, ids: customers });
    await admin.query(ON_RECORDS, { id: few, ids: customers.slice(0, 5) });
    await finishedRuns(kit, admin, many, 50, ['WAITING'], 60_000);
    await finishedRuns(kit, admin, few, 5, ['WAITING'], 60_000);
    await admin.query(ARCHIVE, { id: many });

    expect(await admin.errorCode(CANCEL_ALL, { id: many, statuses: ['SUCCEEDED'] })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(CANCEL_ALL, { id: customers[0] })).toBe('BAD_USER_INPUT');

    // The workflow tables' statements of the call (the queue's claims in the background left out): the runs picked,
    // read again under their locks, two updates, the count left.
    let answer: { cancelled: number; remaining: number } | undefined;
    const statements = (await kit.sql.during(async () => (answer = (await admin.query(CANCEL_ALL, { id: many, statuses: ['WAITING'] })).cancelWorkflowRuns))).filter(
      (q) => /"WorkflowRun"|"WorkflowStepRun"/.test(q) && !/SKIP LOCKED/.test(q),
    );
    expect(answer).toEqual({ cancelled: 50, remaining: 0 });
    expect(statements.filter((q) => /^\s*UPDATE/.test(q)), statements.join('\n')).toHaveLength(2);
    // At most one more: the history's pruning job reads the same table on its timer.
    expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(6);
    expect((await kit.lastEvent('workflow.runs_cancelled')).payload).toEqual({ count: 50, statuses: ['WAITING'] });

    const runs = await runsOf(admin, many);
    expect(runs).toHaveLength(50);
    expect(new Set(runs.map((r) => r.status))).toEqual(new Set(['CANCELLED']));
    expect(new Set(runs.flatMap((r) => r.steps.map((s) => [s.stepId, s.status, s.dueAt].join()))).size).toBe(1);
    expect(runs[0]!.steps.map((s) => [s.stepId, s.status, s.dueAt])).toEqual([['changed', 'CANCELLED', null]]);
    // Again: nothing left to cancel.
    expect((await admin.query(CANCEL_ALL, { id: many })).cancelWorkflowRuns).toEqual({ cancelled: 0, remaining: 0 });

    // The event every cancelled run waited for comes: only the other workflow's runs resume.
    for (const id of customers.slice(0, 5)) await admin.query(RENAME, { id, name: `Changed ${id.slice(-4)}` });
    await finishedRuns(kit, admin, few, 5, ['SUCCEEDED'], 30_000);
    await kit.settled();
    expect((await runsOf(admin, many)).every((r) => r.status === 'CANCELLED' && r.steps.length === 1)).toBe(true);
    for (const id of customers.slice(0, 5)) expect((await admin.query(TAGS, { id })).customer.tags).toEqual(['other-resumed']);
  });

  it('a run in the middle of an HTTP request: the request finishes, its answer is not recorded, nothing runs after it', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const receiver = await startReceiver(() => 200, () => held);
    try {
      const customer = (await admin.query(CUSTOMER, { name: 'Mid-request' })).createCustomer.customer.id as string;
      const id = await publishedWorkflow(admin, 'Calls out', {
        trigger: { kind: 'manual', object: 'Customer' },
        steps: [
          { id: 'call', kind: 'httpRequest', url: receiver.url, body: { hello: 'world' } },
          { id: 'tag', kind: 'addTag', tag: 'after-call' },
        ],
      });
      await admin.query(`mutation ($id: ID!, $r: ID!) { runWorkflow(input: { id: $id, recordId: $r }) { run { id } } }`, { id, r: customer });
      await eventually(kit, async () => expect(receiver.received).toHaveLength(1), 30_000);
      expect((await admin.query(CANCEL_ALL, { id, statuses: ['RUNNING', 'WAITING'] })).cancelWorkflowRuns).toEqual({ cancelled: 1, remaining: 0 });
      release();
      // The answer came and was dropped: the run stays cancelled, its call step with no output, no tag.
      await eventually(kit, async () => {
        const [run] = await runsOf(admin, id);
        expect(run!.status).toBe('CANCELLED');
        expect(run!.steps.map((s) => [s.stepId, s.status, s.output])).toEqual([['call', 'CANCELLED', null]]);
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await kit.settled();
      expect((await runsOf(admin, id))[0]!.steps).toHaveLength(1);
      expect((await admin.query(TAGS, { id: customer })).customer.tags).toEqual([]);
    } finally {
      release();
      await receiver.close();
    }
  });
});
