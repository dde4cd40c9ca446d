// `waitForEvent` with a condition on the event (`where`): "until the task is done" is `task.updated` with
// `{{event.payload.changes.status.to}} eq DONE`. An event of the type on the subject for which it does not hold leaves
// the wait waiting, whether it arrives while the step waits (the batch's lookup) or came before the wait began (the
// look-back); publishing checks the condition against the event's subject; the dry run shows it.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, CUSTOMER, eventually, finishedRuns, PUBLISH, publishedWorkflow, RUN, rowIdOf, runsOf, startTwoWorkspaces, switchAllOff } from './support.js';

const RENAME_TASK = `mutation ($id: ID!, $title: String!) { updateTask(input: { id: $id, title: $title }) { task { id } } }`;
const TASK_STATUS = `mutation ($id: ID!, $status: TaskStatus!) { updateTask(input: { id: $id, status: $status }) { task { id } } }`;
const DRY_RUN = `query ($id: ID!, $recordId: ID) { testWorkflow(id: $id, recordId: $recordId) { steps { stepId kind input effect branch } } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  ({ kit, admin } = await startTwoWorkspaces('Unused'));
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

const done = { value: '{{event.payload.changes.status.to}}', operator: 'eq', operand: 'DONE' };
const taskId = (run: { steps: { stepId: string; output: any }[] }) => Buffer.from(`Task:${run.steps.find((s) => s.stepId === 'makeTask')!.output.id}`).toString('base64');

/** A run that makes a task, (optionally) waits a moment, then waits until the task is done. */
const untilDone = (before: Record<string, unknown>[] = []) => ({
  trigger: { kind: 'manual', object: 'Customer' },
  steps: [
    { id: 'makeTask', kind: 'createTask', title: 'Follow up' },
    ...before,
    { id: 'untilDone', kind: 'waitForEvent', eventType: 'task.updated', subjectId: '{{steps.makeTask.output.id}}', where: done, timeout: { days: 2 } },
    { id: 'mark', kind: 'addTag', tag: 'followed-up' },
  ],
});

describe('waitForEvent with a condition on the event', () => {
  it('a change of the task that does not make it done leaves the wait waiting; the one that does ends it', async () => {
    const id = await publishedWorkflow(admin, 'Until done', untilDone());
    const customer = (await admin.query(CUSTOMER, { name: 'Waited on' })).createCustomer.customer.id as string;
    await admin.query(RUN, { id, recordId: customer });
    const [waiting] = await finishedRuns(kit, admin, id, 1, ['WAITING']);
    const task = taskId(waiting!);
    await eventually(kit, async () => expect((await runsOf(admin, id))[0]!.steps.find((s) => s.stepId === 'untilDone')!.input.sinceSeq).toBeTruthy());

    await admin.query(RENAME_TASK, { id: task, title: 'Follow up soon' });
    await kit.settled();
    // Still waiting: a task.updated on the subject, but its status did not become DONE.
    const [still] = await runsOf(admin, id);
    expect(still).toMatchObject({ status: 'WAITING' });
    expect(still!.steps.find((s) => s.stepId === 'untilDone')).toMatchObject({ status: 'WAITING' });

    await admin.query(TASK_STATUS, { id: task, status: 'DONE' });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED' });
    const wait = run!.steps.find((s) => s.stepId === 'untilDone')!;
    expect(wait.output).toMatchObject({ received: true, event: { type: 'task.updated', payload: { changes: { status: { from: 'OPEN', to: 'DONE' } } } } });
    expect(run!.steps.find((s) => s.stepId === 'mark')).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('the look-back applies it too: of the events before the wait began, only one for which it holds ends it', async () => {
    const id = await publishedWorkflow(admin, 'Until done, later', untilDone([{ id: 'pause', kind: 'wait', for: { seconds: 5 } }]));
    const first = (await admin.query(CUSTOMER, { name: 'Looked back, done' })).createCustomer.customer.id as string;
    const second = (await admin.query(CUSTOMER, { name: 'Looked back, renamed' })).createCustomer.customer.id as string;
    await admin.query(RUN, { id, recordId: first });
    await admin.query(RUN, { id, recordId: second });
    const paused = await finishedRuns(kit, admin, id, 2, ['WAITING']);
    // Each run's record (the API's global id, or its row id).
    const byRecord = (customer: string) => paused.find((r) => r.recordId === customer || r.recordId === rowIdOf(customer))!;
    // While they pause (before their waits began): one task renamed then done, the other only renamed.
    await admin.query(RENAME_TASK, { id: taskId(byRecord(first)), title: 'Renamed' });
    await admin.query(TASK_STATUS, { id: taskId(byRecord(first)), status: 'DONE' });
    await admin.query(RENAME_TASK, { id: taskId(byRecord(second)), title: 'Renamed only' });

    const ended = await eventually(kit, async () => {
      const runs = await runsOf(admin, id);
      const run = runs.find((r) => r.id === byRecord(first).id)!;
      expect(run.status).toBe('SUCCEEDED');
      return run;
    });
    expect(ended.steps.find((s) => s.stepId === 'untilDone')!.output.event.payload.changes).toEqual({ status: { from: 'OPEN', to: 'DONE' } });
    // The other waits on, its wait listening (its first look passed over the rename).
    const other = await eventually(kit, async () => {
      const run = (await runsOf(admin, id)).find((r) => r.id === byRecord(second).id)!;
      const wait = run.steps.find((s) => s.stepId === 'untilDone');
      expect(wait?.status).toBe('WAITING');
      expect(wait?.input.sinceSeq).toBeTruthy();
      return run;
    });
    expect(other.status).toBe('WAITING');
  });

  it('refuses at publish a condition that does not fit the event, naming the path', async () => {
    const error = async (where: unknown, eventType = 'task.updated') => {
      const definition = untilDone();
      (definition.steps[1] as Record<string, unknown>).where = where;
      (definition.steps[1] as Record<string, unknown>).eventType = eventType;
      const id = (await admin.query(CREATE, { name: 'Checked', definition })).createWorkflow.workflow.id;
      return (await admin.request(PUBLISH, { id })).errors?.[0]?.extensions as { code: string; field: string; } | undefined;
    };
    const at = 'definition.steps.1.where';
    expect(await error({ ...done, value: 'DONE' })).toMatchObject({ code: 'BAD_USER_INPUT', field: `${at}.value` });
    expect(await error({ ...done, value: '{{trigger.record.name}}' })).toMatchObject({ field: `${at}.value` });
    expect(await error({ ...done, value: '{{event.payload.changes.colour.to}}' })).toMatchObject({ field: `${at}.value` });
    expect(await error({ ...done, value: '{{event.payload.changes.status.now}}' })).toMatchObject({ field: `${at}.value` });
    expect(await error({ ...done, operand: 'Done' })).toMatchObject({ field: `${at}.operand` });
    expect(await error({ ...done, operator: 'gt' })).toMatchObject({ field: `${at}.operator` });
    expect(await error({ ...done, operator: 'sometimes' })).toMatchObject({ field: `${at}.operator` });
    expect(await error({ value: '{{event.occurredAt}}', operator: 'gt', operand: 'soon' })).toMatchObject({ field: `${at}.operand` });
    // Fine: the status among its values; `task.completed` carries the change too (completeTask's); the payload's own keys.
    expect(await error({ ...done, operator: 'in', operand: ['DONE', 'CANCELLED'] })).toBeUndefined();
    expect(await error(done, 'task.completed')).toBeUndefined();
    expect(await error({ value: '{{event.payload.title}}', operator: 'contains', operand: 'urgent' }, 'task.completed')).toBeUndefined();
  });

  it('the dry run shows the condition', async () => {
    const id = (await admin.query(CREATE, { name: 'Dry', definition: untilDone() })).createWorkflow.workflow.id;
    const customer = (await admin.query(CUSTOMER, { name: 'Dry' })).createCustomer.customer.id as string;
    const steps = (await admin.query(DRY_RUN, { id, recordId: customer })).testWorkflow.steps;
    const wait = steps.find((s: { stepId: string }) => s.stepId === 'untilDone');
    expect(wait.input.where).toEqual(done);
    expect(wait.effect).toMatch(/^wait for task\.updated on .* where \{\{event\.payload\.changes\.status\.to\}\} eq "DONE" until /);
  });
});
