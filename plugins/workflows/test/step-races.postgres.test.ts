// Races between a step's transaction and what else may touch its run, on PostgreSQL (concurrent connections): a cancel
// that comes while a step's transaction is under way, a claim of the same step after its lease ended, and the event a
// `waitForEvent` waits for committing before the wait is written. A test
// plugin's action, called by the step (inside its transaction, before the step's bookkeeping is written), holds the
// transaction open at a gate, so each interleaving is made on purpose, without sleeps.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { arm, gatePlugin, hold, ranWith } from './step-gate.js';
import { CUSTOMER, eventually, publishedWorkflow, rowIdOf, RUN, startReceiver, switchAllOff } from './support.js';

const CANCEL = `mutation ($id: ID!) { cancelWorkflowRun(input: { id: $id }) { run { status } } }`;
const CANCEL_VIEW = `mutation ($id: ID!) { cancelWorkflowRun(input: { id: $id }) { run { status steps { stepId status } } } }`;
const RUN_VIEW = `query ($id: ID!) { node(id: $id) { ... on WorkflowRun { status steps { stepId status attempts } } } }`;
const COMPLETE = `mutation ($id: ID!) { completeTask(input: { id: $id }) { task { id } } }`;
const STEPS = `query ($id: ID!) { node(id: $id) { ... on WorkflowRun { status steps { stepId status output } } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  // A long lease: a step is claimed again only when a test ends its lease itself.
  kit = await startPluginTestGateway({
    plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 }), gatePlugin],
    database: 'postgres',
    webhooks: { allowPrivateTargets: true },
  });
  admin = kit.workspace.client;
  receiver = await startReceiver();
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await receiver?.close();
  await kit?.close();
});

const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;
const runView = async (id: string) => (await admin.query(RUN_VIEW, { id })).node as { status: string; steps: { stepId: string; status: string; attempts: number }[] };

/** Transactions of the test database waiting for a lock (a step's, runs/claimed-steps.ts, or a row's). */
async function lockWaiters(): Promise<number> {
  const [row] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return Number(row!.n);
}

/** Resolves once `done()` holds or a transaction is seen waiting for a lock: then (and only then) the gate may open. */
async function doneOrWaiting(done: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await done()) && (await lockWaiters()) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** `doneOrWaiting` for a request: it has answered, or it waits for a lock. */
function settledOrWaiting(work: Promise<unknown>): Promise<void> {
  let settled = false;
  void work.then(
    () => (settled = true),
    () => (settled = true),
  );
  return doneOrWaiting(() => settled);
}

describe('a cancel against a step under way', () => {
  it('waits for the run’s last step: its answer is the run’s end (already finished), never CANCELLED over a success', async () => {
    const id = await publishedWorkflow(admin, 'Last step', { trigger: { kind: 'manual', object: 'Customer' }, steps: [hold('last')] });
    const gate = arm('last');
    const run = (await admin.query(RUN, { id, recordId: await customer('Lola Last') })).runWorkflow.run.id as string;
    await gate.entered;
    const cancel = admin.errorCode(CANCEL, { id: run });
    await settledOrWaiting(cancel);
    gate.release();
    expect(await cancel).toBe('CONFLICT');
    expect(await runView(run)).toMatchObject({ status: 'SUCCEEDED', steps: [{ stepId: 'hold', status: 'SUCCEEDED' }] });
  });

  it('while a woken run’s step runs: that step ends, and no step after it runs', async () => {
    const id = await publishedWorkflow(admin, 'Woken', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'pause', kind: 'wait', for: { seconds: 1 } }, hold('woken'), { id: 'call', kind: 'httpRequest', url: receiver.url, body: { from: 'woken' } }],
    });
    const gate = arm('woken');
    const run = (await admin.query(RUN, { id, recordId: await customer('Wes Woken') })).runWorkflow.run.id as string;
    await gate.entered;
    let answered = false;
    const cancel = admin.query(CANCEL_VIEW, { id: run }).finally(() => (answered = true));
    await settledOrWaiting(cancel);
    // The cancel waits for the run's lock, which the step's transaction holds: it has not answered yet …
    expect(answered).toBe(false);
    gate.release();
    const answer = (await cancel).cancelWorkflowRun.run as { status: string; steps: { stepId: string; status: string }[] };
    expect(answer.status).toBe('CANCELLED');
    // … and reads the run once that step committed: its answer shows the step SUCCEEDED (not cancelled under it).
    expect(answer.steps.find((s) => s.stepId === 'hold')?.status).toBe('SUCCEEDED');
    const ended = await eventually(kit, async () => {
      const view = await runView(run);
      expect(view.steps.find((s) => s.stepId === 'call')?.status).toBe('CANCELLED');
      return view;
    });
    expect(ended.status).toBe('CANCELLED');
    expect(ended.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['pause', 'SUCCEEDED'],
      ['hold', 'SUCCEEDED'],
      ['call', 'CANCELLED'],
    ]);
    expect(receiver.received.filter((r) => r.body.includes('woken'))).toHaveLength(0);
    expect(ranWith('woken')).toBe(1);
  });
});

describe('a step’s transaction that outlives its lease', () => {
  it('is not done a second time by the claim that comes after the lease', async () => {
    const id = await publishedWorkflow(admin, 'Outlived', { trigger: { kind: 'manual', object: 'Customer' }, steps: [hold('outlived')] });
    const gate = arm('outlived');
    const run = (await admin.query(RUN, { id, recordId: await customer('Otto Outlived') })).runWorkflow.run.id as string;
    await gate.entered;
    // The lease ends while the step's transaction is held (a lease is the row's due time): the next round claims it.
    await kit.database.prisma.$executeRawUnsafe(`UPDATE "WorkflowStepRun" SET "dueAt" = now() WHERE "runId" = $1::uuid`, rowIdOf(run));
    // (A round asked for: the queue looks again by itself only when its batch in flight, the held one, is done.)
    const round = kit.gateway.plugins!.drainQueues();
    // Either the second claim's transaction waits for the held one, or it does the step beside it (the race).
    await doneOrWaiting(() => ranWith('outlived') > 1);
    gate.release();
    await round;
    const view = await eventually(kit, async () => {
      const found = await runView(run);
      expect(found.status).toBe('SUCCEEDED');
      return found;
    });
    expect(ranWith('outlived')).toBe(1);
    expect(view.steps).toEqual([{ stepId: 'hold', status: 'SUCCEEDED', attempts: 1 }]);
  });
});

describe('a waitForEvent whose event came before the wait was written', () => {
  it('takes it: the task completed between the step that made it and the wait', async () => {
    const id = await publishedWorkflow(admin, 'Done already', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'task', kind: 'createTask', title: 'Done already task' },
        { id: 'pause', kind: 'wait', for: { seconds: 0 } },
        hold('done-already'),
        { id: 'done', kind: 'waitForEvent', eventType: 'task.completed', subjectId: '{{steps.task.output.id}}', timeout: { days: 1 } },
        { id: 'tag', kind: 'addTag', tag: 'followed-up' },
      ],
    });
    const gate = arm('done-already');
    const run = (await admin.query(RUN, { id, recordId: await customer('Dora Done') })).runWorkflow.run.id as string;
    await gate.entered;
    // The task's step committed; the wait is not written yet (the step before it is held): the task is done now.
    const task = await kit.database.prisma.task.findFirstOrThrow({ where: { title: 'Done already task' }, select: { id: true } });
    await admin.query(COMPLETE, { id: Buffer.from(`Task:${task.id}`).toString('base64') });
    await kit.settled();
    gate.release();
    const view = await eventually(kit, async () => {
      const found = (await admin.query(STEPS, { id: run })).node as { status: string; steps: { stepId: string; status: string; output: any }[] };
      expect(found.status).toBe('SUCCEEDED');
      return found;
    });
    const done = view.steps.find((s) => s.stepId === 'done')!;
    expect(done.output).toMatchObject({ received: true, event: { type: 'task.completed', subjectId: task.id } });
    expect(view.steps.map((s) => s.stepId)).toEqual(['task', 'pause', 'hold', 'done', 'tag']);
  });
});
