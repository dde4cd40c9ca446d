// Archiving a workflow (ADMIN): it never triggers again and is refused every change but restoring, leaves the
// `workflows` list, keeps its versions and history readable; runs under way finish on their version. Restored, it is
// disabled until enabled again, and then triggers as before.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER, ENABLE, finishedRuns, PUBLISH, publishedWorkflow, RUN, runsOf, startTwoWorkspaces, UPDATE } from './support.js';

const ARCHIVE = `mutation ($id: ID!) { archiveWorkflow(input: { id: $id }) { workflow { id enabled archivedAt nextFireAt datesScannedUntil } } }`;
const RESTORE = `mutation ($id: ID!) { restoreWorkflow(input: { id: $id }) { workflow { id enabled archivedAt } } }`;
const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`;
const RERUN = `mutation ($id: ID!) { rerunWorkflowRun(input: { id: $id }) { run { id } } }`;
const DEAL = `mutation ($customerId: ID!, $pipelineId: ID!, $stageId: ID!) {
  createDeal(input: { title: "Archived deal", customerId: $customerId, pipelineId: $pipelineId, stageId: $stageId }) { deal { id } } }`;
const HOUR = 3_600_000;
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
    expect(await admin.errorCode(RUN, { id, recordId: after })).toBe('CONFLICT');
    expect(await admin.errorCode(ON_RECORDS, { id, ids: [after] })).toBe('CONFLICT');
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

  it('a schedule is switched off with it: its hour comes and goes without a run', async () => {
    const id = await publishedWorkflow(admin, 'Hourly', { trigger: { kind: 'schedule', cron: '0 * * * *' }, steps: [{ id: 't', kind: 'createTask', title: 'Hourly check' }] });
    expect((await admin.query(`query ($id: ID!) { workflow(id: $id) { nextFireAt } }`, { id })).workflow.nextFireAt).not.toBeNull();
    expect((await admin.query(ARCHIVE, { id })).archiveWorkflow.workflow.nextFireAt).toBeNull();
    await kit.gateway.plugins!.runJob('workflows', 'fireSchedules', new Date(Date.now() + 2 * HOUR));
    await kit.settled();
    expect(await runsOf(admin, id)).toEqual([]);
  });

  it('no event, date or webhook starts it; its webhook answers 409 as a disabled one’s', async () => {
    const onLost = await publishedWorkflow(admin, 'On lost', { trigger: { kind: 'event', eventType: 'deal.lost', object: 'Deal' }, steps: [{ id: 't', kind: 'addTag', tag: 'lost' }] });
    const closing = await publishedWorkflow(admin, 'Closing', {
      trigger: { kind: 'date', object: 'Deal', field: 'expectedCloseAt', before: { days: 1 } },
      steps: [{ id: 't', kind: 'createTask', title: 'Close it' }],
    });
    const hook = await publishedWorkflow(admin, 'Inbound', { trigger: { kind: 'webhook' }, steps: [{ id: 't', kind: 'createTask', title: 'Inbound' }] });
    const { webhookPath, signingSecret } = (await admin.query(`query ($id: ID!) { workflow(id: $id) { webhookPath signingSecret } }`, { id: hook })).workflow;
    for (const id of [onLost, closing, hook]) await admin.query(ARCHIVE, { id });

    const buyer = await customer('Archived triggers');
    const [pipeline] = (await admin.query(`{ pipelines { id stages { id isLost isWon } } }`)).pipelines as { id: string; stages: { id: string; isLost: boolean; isWon: boolean }[] }[];
    const open = pipeline!.stages.find((s) => !s.isLost && !s.isWon)!.id;
    const lost = pipeline!.stages.find((s) => s.isLost)!.id;
    const deal = (await admin.query(DEAL, { customerId: buyer, pipelineId: pipeline!.id, stageId: open })).createDeal.deal.id as string;
    await admin.query(`mutation ($id: ID!, $at: DateTime!) { updateDeal(input: { id: $id, expectedCloseAt: $at }) { deal { id } } }`, {
      id: deal,
      at: new Date(Date.now() + 2 * HOUR).toISOString(),
    });
    await admin.query(`mutation ($id: ID!, $stageId: ID!) { moveDeal(input: { id: $id, stageId: $stageId, lostReason: "price" }) { deal { id } } }`, { id: deal, stageId: lost });
    await kit.gateway.plugins!.runJob('workflows', 'scanDates', new Date(Date.now() + 2 * HOUR));
    const posted = await fetch(`${kit.url}${webhookPath}`, {
      method: 'POST',
      body: JSON.stringify({ name: 'Ada' }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${signingSecret}` },
    });
    expect(posted.status).toBe(409);
    await kit.settled();
    for (const id of [onLost, closing, hook]) expect(await runsOf(admin, id)).toEqual([]);
  });
});
