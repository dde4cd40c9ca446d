// Re-running a run still under way is refused (CONFLICT: two runs of one trigger at once would do its steps twice
// over); once it is cancelled (or has finished) it may be run again. A step's own retry policy is checked at publish.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, CUSTOMER, eventually, PUBLISH, publishedWorkflow, RUN, runsOf, switchAllOff } from './support.js';

const CANCEL = `mutation ($id: ID!) { cancelWorkflowRun(input: { id: $id }) { run { status } } }`;
const RERUN = `mutation ($id: ID!) { rerunWorkflowRun(input: { id: $id }) { run { id rerunOf } } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 })] });
  admin = kit.workspace.client;
});
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

describe('re-running a run', () => {
  it('refuses a run still under way (CONFLICT), and runs it again once cancelled', async () => {
    const id = await publishedWorkflow(admin, 'Long wait', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'pause', kind: 'wait', for: { days: 3 } },
        { id: 'tag', kind: 'addTag', tag: 'later' },
      ],
    });
    const target = (await admin.query(CUSTOMER, { name: 'Rhea Rerun' })).createCustomer.customer.id;
    const run = (await admin.query(RUN, { id, recordId: target })).runWorkflow.run.id as string;
    await eventually(kit, async () => expect((await runsOf(admin, id))[0]!.status).toBe('WAITING'));
    const refused = await admin.request(RERUN, { id: run });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id' });
    expect(refused.errors?.[0]?.message).toContain('still under way (WAITING)');
    expect(await runsOf(admin, id)).toHaveLength(1);

    expect((await admin.query(CANCEL, { id: run })).cancelWorkflowRun.run.status).toBe('CANCELLED');
    const again = (await admin.query(RERUN, { id: run })).rerunWorkflowRun.run;
    expect(again.rerunOf).toBe(run);
    await eventually(kit, async () => expect((await runsOf(admin, id)).find((r) => r.id === again.id)!.status).toBe('WAITING'));
  });
});

describe('a step’s own retry policy', () => {
  async function publishError(definition: unknown) {
    const id = (await admin.query(CREATE, { name: 'Retry checked', definition })).createWorkflow.workflow.id;
    return (await admin.request(PUBLISH, { id })).errors?.[0]?.extensions as { code: string; field: string } | undefined;
  }
  const trigger = { kind: 'manual', object: 'Customer' };
  const call = (retry: unknown) => ({ id: 'call', kind: 'httpRequest', url: 'https://example.com/hook', retry });

  it('is checked at publish, naming the field', async () => {
    expect(await publishError({ trigger, steps: [call({ attempts: 0 })] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.retry.attempts' });
    expect(await publishError({ trigger, steps: [call({ attempts: 11 })] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.retry.attempts' });
    expect(await publishError({ trigger, steps: [call({ backoff: { hours: 2 } })] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.retry.backoff' });
    expect(await publishError({ trigger, steps: [call({ tries: 2 })] })).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await publishError({ trigger, steps: [call({ attempts: 5, backoff: { minutes: 30 } })] })).toBeUndefined();
  });
});
