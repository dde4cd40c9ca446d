// "One run of a trigger at a time" holds across a chain of reruns: A failed (cancelled here), its rerun B too; rerun A
// and rerun B would each start a run of the same trigger. While one of them is under way, the other is refused
// (CONFLICT), in either order: the check is any unfinished run of the same version and trigger, not A's direct reruns.
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

/** A run and its rerun, both finished (cancelled while they waited). */
async function chainOfTwo(name: string): Promise<{ id: string; first: string; second: string }> {
  const id = await publishedWorkflow(admin, name, { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'pause', kind: 'wait', for: { days: 3 } }] });
  const target = (await admin.query(CUSTOMER, { name: `${name} customer` })).createCustomer.customer.id;
  const first = (await admin.query(RUN, { id, recordId: target })).runWorkflow.run.id as string;
  await eventually(kit, async () => expect((await runsOf(admin, id))[0]!.status).toBe('WAITING'));
  await admin.query(CANCEL, { id: first });
  const second = (await admin.query(RERUN, { id: first })).rerunWorkflowRun.run.id as string;
  await admin.query(CANCEL, { id: second });
  return { id, first, second };
}

const refusal = async (runId: string) => (await admin.request(RERUN, { id: runId })).errors?.[0];

describe('rerunning a run whose rerun failed', () => {
  it('rerun of the first under way: the rerun of the rerun is refused', async () => {
    const { id, first, second } = await chainOfTwo('Family one');
    const third = (await admin.query(RERUN, { id: first })).rerunWorkflowRun.run.id as string;
    const refused = await refusal(second);
    expect(refused?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id' });
    expect(refused?.message).toMatch(/Another run of the same trigger is still under way \((QUEUED|RUNNING|WAITING)\)/);
    expect(await runsOf(admin, id)).toHaveLength(3);
    // Once it has finished, either may be rerun.
    await admin.query(CANCEL, { id: third });
    expect((await admin.query(RERUN, { id: second })).rerunWorkflowRun.run.rerunOf).toBe(second);
  });

  it('rerun of the rerun under way: the rerun of the first is refused', async () => {
    const { id, first, second } = await chainOfTwo('Family two');
    const third = (await admin.query(RERUN, { id: second })).rerunWorkflowRun.run.id as string;
    const refused = await refusal(first);
    expect(refused?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id' });
    expect(refused?.message).toMatch(/Another run of the same trigger is still under way/);
    expect(await runsOf(admin, id)).toHaveLength(3);
    await admin.query(CANCEL, { id: third });
    expect((await admin.query(RERUN, { id: first })).rerunWorkflowRun.run.rerunOf).toBe(first);
  });

  it('asked for at once (a run and its rerun, both finished): one starts, the other is refused', async () => {
    const { id, first, second } = await chainOfTwo('Family three');
    const answers = await Promise.all([admin.request(RERUN, { id: first }), admin.request(RERUN, { id: second })]);
    expect(answers.filter((a) => !a.errors)).toHaveLength(1);
    expect(answers.filter((a) => a.errors).map((a) => a.errors![0]!.extensions?.code)).toEqual(['CONFLICT']);
    expect((await runsOf(admin, id)).filter((r) => r.status !== 'CANCELLED')).toHaveLength(1);
  });
});
