// A step's plain values (no template in them) are checked when the workflow is published, by the rules its write
// applies when it runs (the core command's input schema, the email rule sendEmail sends with, a record field's
// declared kind): a published version then fails only on data. And the workspace's sender (`emailFrom`) is one
// address on a domain the operator allows.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, PUBLISH } from './support.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50 })] });
  admin = kit.workspace.client;
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await kit?.close();
});

const onCustomer = { kind: 'manual', object: 'Customer' };
const CUSTOMER_ID = '00000000-0000-4000-8000-000000000001';

/** The error of publishing a workflow of `steps` (null: it published). */
async function publishError(steps: unknown[], trigger: unknown = onCustomer) {
  const id = (await admin.query(CREATE, { name: 'Checked', definition: { trigger, steps } })).createWorkflow.workflow.id;
  const [error] = (await admin.request(PUBLISH, { id })).errors ?? [];
  return error ? { code: error.extensions?.code as string, field: error.extensions?.field as string, message: error.message } : null;
}

describe('plain step values at publish', () => {
  it.each([
    ['logActivity type', { id: 's', kind: 'logActivity', type: 'CALLL', channel: 'PHONE', subject: 'Hi' }, 'definition.steps.0.type'],
    ['logActivity channel', { id: 's', kind: 'logActivity', type: 'CALL', channel: 'NOPE', subject: 'Hi' }, 'definition.steps.0.channel'],
    ['logActivity subject', { id: 's', kind: 'logActivity', type: 'CALL', channel: 'PHONE', subject: '  ' }, 'definition.steps.0.subject'],
    ['sendEmail to', { id: 's', kind: 'sendEmail', to: 'not-an-email', subject: 'Hi', text: 'Hello' }, 'definition.steps.0.to'],
    ['sendEmail two recipients', { id: 's', kind: 'sendEmail', to: 'a@x.example, b@y.example', subject: 'Hi', text: 'Hello' }, 'definition.steps.0.to'],
    ['sendEmail text', { id: 's', kind: 'sendEmail', to: 'a@x.example', subject: 'Hi', text: '' }, 'definition.steps.0.text'],
    ['createTask dueAt', { id: 's', kind: 'createTask', title: 'Call', dueAt: 'tomorrow' }, 'definition.steps.0.dueAt'],
    ['createTask title', { id: 's', kind: 'createTask', title: '' }, 'definition.steps.0.title'],
    ['createTask assigneeId', { id: 's', kind: 'createTask', title: 'Call', assigneeId: 'bob' }, 'definition.steps.0.assigneeId'],
    ['addTag tag', { id: 's', kind: 'addTag', tag: '' }, 'definition.steps.0.tag'],
    ['removeTag long tag', { id: 's', kind: 'removeTag', tag: 'x'.repeat(51) }, 'definition.steps.0.tag'],
    ['addTag customerId', { id: 's', kind: 'addTag', tag: 'vip', customerId: 'someone' }, 'definition.steps.0.customerId'],
    ['createDeal amount', { id: 's', kind: 'createDeal', title: 'Upsell', amount: '-5' }, 'definition.steps.0.amount'],
    ['createDeal expectedCloseAt', { id: 's', kind: 'createDeal', title: 'Upsell', expectedCloseAt: 'soon' }, 'definition.steps.0.expectedCloseAt'],
    ['wait until', { id: 's', kind: 'wait', until: 'later' }, 'definition.steps.0.until'],
    ['forEach items', { id: 's', kind: 'forEach', items: 'abc', do: { id: 'd', kind: 'addTag', tag: 'x' } }, 'definition.steps.0.items'],
    ['forEach item step', { id: 's', kind: 'forEach', items: [1, 2], do: { id: 'd', kind: 'addTag', tag: '' } }, 'definition.steps.0.do.tag'],
    ['waitForEvent subjectId', { id: 's', kind: 'waitForEvent', eventType: 'customer.updated', subjectId: 'abc', timeout: { days: 1 } }, 'definition.steps.0.subjectId'],
    ['updateRecord enum', { id: 's', kind: 'updateRecord', values: { lifecycleStage: 'BOSS' } }, 'definition.steps.0.values.lifecycleStage'],
    ['createRecord date', { id: 's', kind: 'createRecord', object: 'Task', values: { title: 'T', dueAt: 'friday', customerId: CUSTOMER_ID } }, 'definition.steps.0.values.dueAt'],
  ])('%s: BAD_USER_INPUT naming it', async (_name, step, field) => {
    expect(await publishError([step])).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('takes the values the writes take, and leaves templates to run time', async () => {
    expect(
      await publishError([
        { id: 'a', kind: 'logActivity', type: 'CALL', channel: 'PHONE', subject: 'Hi', body: '' },
        { id: 'b', kind: 'createTask', title: 'Call', dueAt: '2027-01-31T09:00:00Z', notes: null },
        { id: 'c', kind: 'addTag', tag: 'VIP' },
        { id: 'd', kind: 'createDeal', title: 42, amount: 1200 },
        { id: 'e', kind: 'sendEmail', to: '{{trigger.record.email}}', subject: 'Hi {{trigger.record.name}}', text: 'Hello' },
        { id: 'f', kind: 'updateRecord', values: { lifecycleStage: 'CUSTOMER' } },
        { id: 'g', kind: 'sendEmail', to: 'ops@crm.example', subject: 'Done', text: 'Done' },
      ]),
    ).toBeNull();
  });
});

describe('emailFrom', () => {
  const saved = async (emailFrom: string) => (await admin.request(SETTINGS, { settings: { emailFrom } })).errors?.[0]?.extensions;

  it("takes one address on the default sender's domain, and refuses a list, header tricks and other domains", async () => {
    expect(await saved('CRM <crm@localhost>')).toBeUndefined();
    expect(await saved('alerts@localhost')).toBeUndefined();
    for (const spoof of ['ceo@bank.example, "x" <y>', 'ceo@bank.example', 'a@localhost, ceo@bank.example', 'x@localhost\r\nBcc: a@b.example', '"CEO" <ceo@bank.example>', 'Bob <a@localhost', '']) {
      expect(await saved(spoof), spoof).toMatchObject({ code: 'BAD_USER_INPUT', field: 'settings.emailFrom' });
    }
    // The refused ones were not kept.
    const settings = (await admin.query(SETTINGS, { settings: {} })).updatePluginSettings.plugin.settings;
    expect(settings.emailFrom).toBe('alerts@localhost');
  });

  it('takes the domains the operator allows (WORKFLOWS_EMAIL_FROM_DOMAINS)', async () => {
    vi.stubEnv('WORKFLOWS_EMAIL_FROM_DOMAINS', 'acme.example, mail.acme.example');
    expect(await saved('"Acme, Inc." <crm@ACME.example>')).toBeUndefined();
    expect(await saved('crm@mail.acme.example')).toBeUndefined();
    expect(await saved('crm@evil.example')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'settings.emailFrom' });
    expect(await saved('crm@localhost')).toBeUndefined(); // the default sender stays allowed
    vi.unstubAllEnvs();
  });
});
