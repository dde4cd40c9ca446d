// A finished run is rerun once at a time: while a rerun of it is under way, another rerun of it is refused (CONFLICT,
// read under the workflow's lock, so two reruns asked for at once start one run); once that rerun has finished (or was
// cancelled) it may be rerun again.
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

describe('rerunning a finished run', () => {
  it('starts one rerun at a time: two asked for at once start one, the other is refused until it has finished', async () => {
    const id = await publishedWorkflow(admin, 'Rerun once', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'pause', kind: 'wait', for: { days: 3 } }],
    });
    const target = (await admin.query(CUSTOMER, { name: 'Ola Once' })).createCustomer.customer.id;
    const run = (await admin.query(RUN, { id, recordId: target })).runWorkflow.run.id as string;
    await eventually(kit, async () => expect((await runsOf(admin, id))[0]!.status).toBe('WAITING'));
    expect((await admin.query(CANCEL, { id: run })).cancelWorkflowRun.run.status).toBe('CANCELLED');

    const answers = await Promise.all([admin.request(RERUN, { id: run }), admin.request(RERUN, { id: run })]);
    const started = answers.filter((a) => !a.errors);
    const refused = answers.filter((a) => a.errors);
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id' });
    expect(refused[0]!.errors?.[0]?.message).toMatch(/A rerun of this run is still under way \((QUEUED|RUNNING|WAITING)\)/);
    expect(await runsOf(admin, id)).toHaveLength(2);

    // Asked again later: still refused while the rerun waits.
    const rerun = (started[0]!.data as { rerunWorkflowRun: { run: { id: string } } }).rerunWorkflowRun.run.id;
    await eventually(kit, async () => expect((await runsOf(admin, id)).map((r) => r.status).sort()).toEqual(['CANCELLED', 'WAITING']));
    expect((await admin.request(RERUN, { id: run })).errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });

    // Once the rerun has finished, the run may be rerun again.
    await admin.query(CANCEL, { id: rerun });
    const again = await admin.query(RERUN, { id: run });
    expect(again.rerunWorkflowRun.run.rerunOf).toBe(run);
    expect(await runsOf(admin, id)).toHaveLength(3);
    await admin.query(CANCEL, { id: again.rerunWorkflowRun.run.id });
  });
});
