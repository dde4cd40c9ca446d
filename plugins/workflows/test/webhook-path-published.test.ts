// `Workflow.webhookPath` shows the live URL: the published version's webhook trigger keeps it shown while the draft
// has moved to another trigger (the URL still starts runs); a workflow whose draft and published version are not
// webhooks has none.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, publishedWorkflow, switchAllOff, UPDATE } from './support.js';

const PATH = `query ($id: ID!) { workflow(id: $id) { webhookPath } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 30_000 })] });
  admin = kit.workspace.client;
});
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

describe('webhookPath', () => {
  it('is the published webhook URL even when the draft has another trigger', async () => {
    const steps = [{ id: 'w', kind: 'wait', for: { seconds: 0 } }];
    const id = await publishedWorkflow(admin, 'Hooked, draft moved on', { trigger: { kind: 'webhook' }, steps });
    const live = (await admin.query(PATH, { id })).workflow.webhookPath as string;
    expect(live).toMatch(/^\/plugins\/workflows\/hooks\//);
    await admin.query(UPDATE, { id, definition: { trigger: { kind: 'manual', object: 'Customer' }, steps } });
    expect((await admin.query(PATH, { id })).workflow.webhookPath).toBe(live);
    // …and it is live: it starts a run of the published version.
    expect((await fetch(`${kit.url}${live}`, { method: 'POST', body: '{}' })).status).toBe(202);

    const manual = (await admin.query(CREATE, { name: 'Not hooked', definition: { trigger: { kind: 'manual', object: 'Customer' }, steps } })).createWorkflow.workflow.id;
    expect((await admin.query(PATH, { id: manual })).workflow.webhookPath).toBeNull();
  });
});
