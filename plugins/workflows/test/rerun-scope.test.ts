// "One run at a time" is per rerun FAMILY (a run, its reruns, theirs: `rerunRootId`), not per trigger: runs of the same
// version and trigger that are not reruns of each other are other runs. Every scheduled run has the same trigger
// ({ event: null, record: null }, no record), and two manual runs on an unchanged record have one too: before, a failed
// scheduled run could not be rerun while a later scheduled run waited, nor a manual run while the other waited.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, publishedWorkflow, RUN, runsOf } from './support.js';

const CANCEL = `mutation ($id: ID!) { cancelWorkflowRun(input: { id: $id }) { run { status } } }`;
const RERUN = `mutation ($id: ID!) { rerunWorkflowRun(input: { id: $id }) { run { id rerunOf } } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50 })] });
  admin = kit.workspace.client;
});
afterAll(async () => {
  await kit?.close();
});

const PAUSE = [{ id: 'pause', kind: 'wait', for: { days: 3 } }];
/** The workflow's runs, once `count` of them wait. */
const waiting = (id: string, count: number) =>
  eventually(kit, async () => {
    const runs = await runsOf(admin, id);
    expect(runs.filter((r) => r.status === 'WAITING')).toHaveLength(count);
    return runs;
  });

describe('a rerun while another run of the same trigger, not of its family, is under way', () => {
  it('a scheduled run is rerun while a later scheduled run waits', async () => {
    const id = await publishedWorkflow(admin, 'Every minute, paused', { trigger: { kind: 'schedule', cron: '* * * * *' }, steps: PAUSE });
    const next = new Date((await admin.query(`query ($id: ID!) { workflow(id: $id) { nextFireAt } }`, { id })).workflow.nextFireAt);
    await kit.gateway.plugins!.runJob('workflows', 'fireSchedules', new Date(next.getTime() + 1000));
    const [a] = await waiting(id, 1);
    await kit.gateway.plugins!.runJob('workflows', 'fireSchedules', new Date(next.getTime() + 61_000));
    await waiting(id, 2);
    await admin.query(CANCEL, { id: a!.id });
    expect((await admin.query(RERUN, { id: a!.id })).rerunWorkflowRun.run.rerunOf).toBe(a!.id);
  });

  it('a manual run is rerun while another manual run on the same record waits', async () => {
    const id = await publishedWorkflow(admin, 'Twice on one record', { trigger: { kind: 'manual', object: 'Customer' }, steps: PAUSE });
    const target = (await admin.query(CUSTOMER, { name: 'Rhea Twice' })).createCustomer.customer.id;
    const first = (await admin.query(RUN, { id, recordId: target })).runWorkflow.run.id as string;
    await admin.query(RUN, { id, recordId: target });
    await waiting(id, 2);
    await admin.query(CANCEL, { id: first });
    expect((await admin.query(RERUN, { id: first })).rerunWorkflowRun.run.rerunOf).toBe(first);
    // Its family is under way now: rerunning it again is refused.
    const refused = (await admin.request(RERUN, { id: first })).errors?.[0];
    expect(refused?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id' });
  });
});
