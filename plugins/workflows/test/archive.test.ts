// Archiving a workflow (ADMIN): it never triggers again and is refused every change but restoring, leaves the
// `workflows` list, keeps its versions and history readable; runs under way finish on their version. Restored, it is
// disabled until enabled again, and then triggers as before.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENABLE, finishedRuns, PUBLISH, publishedWorkflow, runsOf, startTwoWorkspaces, UPDATE } from './support.js';

const CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
const ARCHIVE = `mutation ($id: ID!) { archiveWorkflow(input: { id: $id }) { workflow { id enabled archivedAt nextFireAt datesScannedUntil } } }`;
const RESTORE = `mutation ($id: ID!) { restoreWorkflow(input: { id: $id }) { workflow { id enabled archivedAt } } }`;
const RUN = `mutation ($id: ID!, $recordId: ID!) { runWorkflow(input: { id: $id, recordId: $recordId }) { run { id } } }`;
const RERUN = `mutation ($id: ID!) { rerunWorkflowRun(input: { id: $id }) { run { id } } }`;
const LISTED = `{ workflows { id } archived: workflows(archived: true) { id archivedAt } }`;
const onCreated = { trigger: { kind: 'record', object: 'Customer', on: 'created' }, steps: [{ id: 't', kind: 'addTag', tag: 'welcomed' }] };

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  ({ kit, admin } = await startTwoWorkspaces('Archive B'));
});
afterAll(() => kit?.close());

const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;
const ids = (list: { id: string }[]) => list.map((w) => w.id);

describe('archiving a workflow', () => {
  it('never triggers again, refuses changes, leaves the list; history stays; restored and enabled it triggers again', async () => {
    const id = await publishedWorkflow(admin, 'Welcome', onCreated);
    await customer('Before archive');
    await finishedRuns(kit, admin, id, 1);

    const archived = (await admin.query(ARCHIVE, { id })).archiveWorkflow.workflow;
    expect(archived).toMatchObject({ id, enabled: false, nextFireAt: null, datesScannedUntil: null });
    expect(archived.archivedAt).not.toBeNull();
    const event = await kit.lastEvent('workflow.archived');
    expect(event.payload).toEqual({ archived: true });
    // Switched off as well: the events the workspace's workflows listen to are read again.
    expect(await kit.lastEvent('workflow.switched')).toMatchObject({ subjectId: event.subjectId, payload: { enabled: false } });
    // Again: nothing changes.
    expect((await admin.query(ARCHIVE, { id })).archiveWorkflow.workflow.archivedAt).toBe(archived.archivedAt);

    const after = await customer('After archive');
    await kit.settled();
    const history = await runsOf(admin, id);
    expect(history).toHaveLength(1);
    expect(history.some((r) => r.recordId === after)).toBe(false);
    expect(history[0]!.steps[0]!.status).toBe('SUCCEEDED');

    const listed = await admin.query(LISTED);
    expect(ids(listed.workflows)).not.toContain(id);
    expect(ids(listed.archived)).toContain(id);
    expect((await admin.query(`query ($id: ID!) { workflow(id: $id) { archivedAt versions { number } } }`, { id })).workflow).toEqual({ archivedAt: archived.archivedAt, versions: [{ number: 1 }] });

    expect(await admin.errorCode(ENABLE, { id, enabled: true })).toBe('CONFLICT');
    expect(await admin.errorCode(UPDATE, { id, definition: onCreated })).toBe('CONFLICT');
    expect(await admin.errorCode(PUBLISH, { id })).toBe('CONFLICT');
    expect(await admin.errorCode(RERUN, { id: history[0]!.id })).toBe('CONFLICT');
    expect(await admin.errorCode(RUN, { id, recordId: after })).toBe('BAD_USER_INPUT');
    expect(await runsOf(admin, id)).toHaveLength(1);

    const restored = (await admin.query(RESTORE, { id })).restoreWorkflow.workflow;
    expect(restored).toEqual({ id, enabled: false, archivedAt: null });
    expect((await kit.lastEvent('workflow.archived')).payload).toEqual({ archived: false });
    expect(ids((await admin.query(LISTED)).workflows)).toContain(id);
    await admin.query(ENABLE, { id, enabled: true });
    const again = await customer('After restore');
    const runs = await finishedRuns(kit, admin, id, 2);
    expect(runs.map((r) => r.recordId)).toContain(again);
    await admin.query(ARCHIVE, { id });
  });

  it('runs under way finish on their version', async () => {
    const id = await publishedWorkflow(admin, 'Slow', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'pause', kind: 'wait', for: { seconds: 1 } },
        { id: 't', kind: 'addTag', tag: 'finished' },
      ],
    });
    const target = await customer('Under way');
    await admin.query(RUN, { id, recordId: target });
    await admin.query(ARCHIVE, { id });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.status).toBe('SUCCEEDED');
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { tags } }`, { id: target })).customer.tags).toContain('finished');
  });

  it('a schedule is switched off with it', async () => {
    const id = await publishedWorkflow(admin, 'Hourly', { trigger: { kind: 'schedule', cron: '0 * * * *' }, steps: [{ id: 't', kind: 'createTask', title: 'Hourly check' }] });
    expect((await admin.query(`query ($id: ID!) { workflow(id: $id) { nextFireAt } }`, { id })).workflow.nextFireAt).not.toBeNull();
    expect((await admin.query(ARCHIVE, { id })).archiveWorkflow.workflow.nextFireAt).toBeNull();
  });
});
