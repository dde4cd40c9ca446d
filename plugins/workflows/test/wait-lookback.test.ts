// `waitForEvent`'s look-back (wait-for-event.ts): which events that came before the wait end it. An event about the
// subject since the run started ends it, unless the run's own steps caused it or an earlier wait of the run took it;
// a subjectId that names no record fails the run alone, with a message.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, publishedWorkflow, RUN, startReceiver } from './support.js';

const RENAME = `mutation ($id: ID!, $name: String!) { updateCustomer(input: { id: $id, name: $name }) { customer { id } } }`;
const COMPLETE = `mutation ($id: ID!) { completeTask(input: { id: $id }) { task { id } } }`;
const VIEW = `query ($id: ID!) { node(id: $id) { ... on WorkflowRun { status error steps { stepId status error output } } } }`;

interface View {
  status: string;
  error: string | null;
  steps: { stepId: string; status: string; error: string | null; output: { received?: boolean; event?: { actor: string; type: string } } | null }[];
}

let kit: PluginTestGateway;
let admin: TestClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let hold = false;
const held: (() => void)[] = [];
const release = () => {
  hold = false;
  for (const r of held.splice(0)) r();
};

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50 })], webhooks: { allowPrivateTargets: true } });
  admin = kit.workspace.client;
  receiver = await startReceiver(() => 200, () => (hold ? new Promise<void>((r) => held.push(r)) : Promise.resolve()));
});
afterAll(async () => {
  release();
  await receiver?.close();
  await kit?.close();
});

const view = async (id: string) => (await admin.query(VIEW, { id })).node as View;
const stepOf = (v: View, stepId: string) => v.steps.find((s) => s.stepId === stepId);
const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;
const start = async (workflowId: string, recordId: string) => (await admin.query(RUN, { id: workflowId, recordId })).runWorkflow.run.id as string;

describe('waitForEvent looks back', () => {
  it('does not end on the run’s own change: a tag added by the run, then a wait for customer.updated', async () => {
    const id = await publishedWorkflow(admin, 'Own change', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'mark', kind: 'addTag', tag: 'contacted' },
        { id: 'reply', kind: 'waitForEvent', eventType: 'customer.updated', timeout: { days: 3 } },
        { id: 'done', kind: 'addTag', tag: 'replied' },
      ],
    });
    const target = await customer('Olga Own');
    const run = await start(id, target);
    await kit.settled();
    // Both looks are done (the second right after the wait committed: the step is due at its timeout now).
    const runId = Buffer.from(run, 'base64').toString().split(':')[1]!;
    const dueAt = async () => (await kit.database.prisma.$queryRawUnsafe<{ dueAt: Date }[]>(`SELECT "dueAt" FROM "WorkflowStepRun" WHERE "runId" = $1::uuid AND "stepId" = 'reply'`, runId))[0]!.dueAt;
    await eventually(kit, async () => expect(new Date(await dueAt()).getTime()).toBeGreaterThan(Date.now() + 86_400_000));
    await kit.settled();
    let v = await view(run);
    expect(v.status).toBe('WAITING');
    expect(stepOf(v, 'reply')?.status).toBe('WAITING');
    // A person's change ends it.
    await admin.query(RENAME, { id: target, name: 'Olga Answered' });
    await eventually(kit, async () => expect((await view(run)).status).toBe('SUCCEEDED'));
    v = await view(run);
    expect(stepOf(v, 'reply')?.output?.event?.actor).toMatch(/^(user|apikey):/);
  });

  it('finds an event that came while a step between ran (a task completed during an HTTP request)', async () => {
    const id = await publishedWorkflow(admin, 'Gap', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'task', kind: 'createTask', title: 'Gap task' },
        { id: 'notify', kind: 'httpRequest', url: receiver.url, body: { gap: true } },
        { id: 'done', kind: 'waitForEvent', eventType: 'task.completed', subjectId: '{{steps.task.output.id}}', timeout: { days: 1 } },
      ],
    });
    hold = true;
    const run = await start(id, await customer('Gus Gap'));
    await eventually(kit, async () => expect(held.length).toBe(1));
    const task = await kit.database.prisma.task.findFirstOrThrow({ where: { title: 'Gap task' }, select: { id: true } });
    await admin.query(COMPLETE, { id: Buffer.from(`Task:${task.id}`).toString('base64') });
    await kit.settled();
    release();
    await eventually(kit, async () => expect((await view(run)).status).toBe('SUCCEEDED'));
    const v = await view(run);
    expect(stepOf(v, 'done')?.output).toMatchObject({ received: true, event: { type: 'task.completed' } });
  });

  it('a second wait for the same event does not take the one the first wait received', async () => {
    const id = await publishedWorkflow(admin, 'Twice', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'first', kind: 'waitForEvent', eventType: 'customer.updated', timeout: { days: 3 } },
        { id: 'second', kind: 'waitForEvent', eventType: 'customer.updated', timeout: { days: 3 } },
      ],
    });
    const target = await customer('Tina Twice');
    const run = await start(id, target);
    await eventually(kit, async () => expect(stepOf(await view(run), 'first')?.status).toBe('WAITING'));
    await admin.query(RENAME, { id: target, name: 'Tina Once' });
    await eventually(kit, async () => expect(stepOf(await view(run), 'second')?.status).toBe('WAITING'));
    await kit.settled();
    expect((await view(run)).status).toBe('WAITING');
    await admin.query(RENAME, { id: target, name: 'Tina Twice Again' });
    await eventually(kit, async () => expect((await view(run)).status).toBe('SUCCEEDED'));
  });

  it('a subjectId that names no record fails that run alone, with a message', async () => {
    const id = await publishedWorkflow(admin, 'Not uuid', {
      trigger: { kind: 'manual', object: 'Customer' },
      // A value only the run knows (a plain one that is no id is refused at publish: plain-values.test.ts): the answer's text.
      steps: [
        { id: 'h', kind: 'httpRequest', url: receiver.url },
        { id: 'w', kind: 'waitForEvent', eventType: 'task.completed', subjectId: '{{steps.h.output.body}}', timeout: { days: 1 } },
      ],
    });
    const run = await start(id, await customer('Nat Nouuid'));
    await eventually(kit, async () => expect((await view(run)).status).toBe('FAILED'));
    const v = await view(run);
    expect(stepOf(v, 'w')?.error).toBe('subjectId: not a record id: "ok"');
  });
});
