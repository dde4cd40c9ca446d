// A step's own retry policy, checked at publish beyond its shape: a backoff of at least a second (no immediate
// re-tries), `retry` saying something, and no `retry` on a loop's item step (its items are done in the loop's one
// transaction, tried again with the loop: the loop's own `retry` is the one).
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, PUBLISH } from './support.js';

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport() })] });
  admin = kit.workspace.client;
});
afterAll(async () => {
  await kit?.close();
});

async function publishError(definition: unknown) {
  const id = (await admin.query(CREATE, { name: 'Retry checked', definition })).createWorkflow.workflow.id;
  const errors = (await admin.request(PUBLISH, { id })).errors;
  return errors?.[0] ? { ...(errors[0].extensions as { code: string; field: string }), message: errors[0].message } : undefined;
}
const trigger = { kind: 'manual', object: 'Customer' };
const call = (retry: unknown) => ({ id: 'call', kind: 'httpRequest', url: 'https://example.com/hook', retry });
const loop = (retry: unknown, own?: unknown) => ({
  id: 'each',
  kind: 'forEach',
  items: ['a', 'b'],
  do: { id: 'tag', kind: 'addTag', tag: '{{item}}', retry },
  ...(own ? { retry: own } : {}),
});

describe('a step’s retry policy at publish', () => {
  it('refuses a backoff under a second', async () => {
    expect(await publishError({ trigger, steps: [call({ backoff: { seconds: 0 } })] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.retry.backoff' });
    expect(await publishError({ trigger, steps: [call({ attempts: 3, backoff: { seconds: 0 } })] })).toMatchObject({ field: 'definition.steps.0.retry.backoff' });
    expect(await publishError({ trigger, steps: [call({ attempts: 3, backoff: { seconds: 1 } })] })).toBeUndefined();
  });

  it('refuses an empty retry', async () => {
    expect(await publishError({ trigger, steps: [call({})] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.retry' });
  });

  it('refuses retry on a loop’s item step, takes it on the loop', async () => {
    const refused = await publishError({ trigger, steps: [loop({ attempts: 3 })] });
    expect(refused).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.do.retry' });
    expect(refused?.message).toContain('put retry on the forEach step');
    expect(await publishError({ trigger, steps: [loop(undefined, { attempts: 3 })] })).toBeUndefined();
  });
});
