// A step's plain values (no template in them) are checked when the workflow is published, by the rules its write
// applies when it runs (the core command's input schema, the email rule sendEmail sends with, a record field's
// declared kind): a published version then fails only on data. And the workspace's sender (`emailFrom`) is one
// address on a domain the operator allows when it is saved; stored settings that no longer validate (the operator's
// list changed, an upgrade) lose only the key in question, and a sender no longer allowed fails its sends.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, finishedRuns, PUBLISH, publishedWorkflow, runsOf, switchAllOff } from './support.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
const mail = testTransport();

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail, pollMs: 50 })] });
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

  it('refuses an address as the display name (clients show it as the sender)', async () => {
    vi.stubEnv('WORKFLOWS_EMAIL_FROM_DOMAINS', 'acme.example');
    expect(await saved('"ceo@bank.example" <crm@acme.example>')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'settings.emailFrom' });
    expect(await saved('"Acme CRM" <crm@acme.example>')).toBeUndefined();
    vi.unstubAllEnvs();
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

const SETTINGS_NOW = `{ plugins { id settings } }`;
const settingsNow = async () => (await admin.query(SETTINGS_NOW)).plugins.find((p: { id: string }) => p.id === 'workflows').settings;

/** Runs a webhook-triggered workflow of `steps` once; its finished run. */
async function webhookRun(name: string, steps: unknown[]) {
  const id = await publishedWorkflow(admin, name, { trigger: { kind: 'webhook' }, steps });
  const { webhookPath } = (await admin.query(`query ($id: ID!) { workflow(id: $id) { webhookPath } }`, { id })).workflow;
  expect((await fetch(`${kit.url}${webhookPath}`, { method: 'POST', body: '{}' })).status).toBe(202);
  const [run] = await finishedRuns(kit, admin, id, 1, undefined, 30_000);
  await switchAllOff(kit, admin);
  return run!;
}

describe('recipients: one rule at publish and at send', () => {
  it('a published version sends to single-label and internationalised domains', async () => {
    const run = await webhookRun('Internal mail', [
      { id: 'ops', kind: 'sendEmail', to: 'ops@localhost', subject: 'Hi', text: 'Hello' },
      { id: 'intranet', kind: 'sendEmail', to: 'alerts@intranet', subject: 'Hi', text: 'Hello' },
      { id: 'idn', kind: 'sendEmail', to: 'user@bücher.de', subject: 'Hi', text: 'Hello' },
    ]);
    expect(run.status).toBe('SUCCEEDED');
    expect(mail.sent.slice(-3).map((m) => m.to)).toEqual(['ops@localhost', 'alerts@intranet', 'user@bücher.de']);
  });
});

describe('stored settings that no longer validate', () => {
  const workspaceSettings = (json: object) =>
    kit.database.prisma.$executeRawUnsafe(
      `UPDATE "Workspace" SET settings = COALESCE(settings, '{}'::jsonb) || jsonb_build_object('plugins', jsonb_build_object('workflows', $2::jsonb)) WHERE id = $1::uuid`,
      kit.workspace.workspaceId,
      JSON.stringify(json),
    );

  it('a sender whose domain the operator no longer allows keeps the other settings, on read and through a patch', async () => {
    vi.stubEnv('WORKFLOWS_EMAIL_FROM_DOMAINS', 'acme.example');
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 2, maxRunsPerMinute: 5, emailFrom: 'crm@acme.example' } });
    vi.unstubAllEnvs();
    try {
      expect(await settingsNow()).toMatchObject({ maxConcurrentRuns: 2, maxRunsPerMinute: 5 });
      const patched = (await admin.query(SETTINGS, { settings: { stepAttempts: 1 } })).updatePluginSettings.plugin.settings;
      expect(patched).toMatchObject({ maxConcurrentRuns: 2, maxRunsPerMinute: 5, stepAttempts: 1 });
      // Saving that sender again is still refused.
      expect((await admin.request(SETTINGS, { settings: { emailFrom: 'crm@acme.example' } })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'settings.emailFrom' });
    } finally {
      await workspaceSettings({});
    }
  });

  it("the previous release's settings (any sender): chaining stays off and no mail goes out as that sender", async () => {
    await workspaceSettings({ emailFrom: 'ceo@bank.example', maxDepth: 0 });
    try {
      expect(await settingsNow()).toMatchObject({ maxDepth: 0, emailFrom: 'ceo@bank.example' });
      // An empty save keeps them, and makes this process's background work forget its cached copy (a restart would).
      expect((await admin.query(SETTINGS, { settings: {} })).updatePluginSettings.plugin.settings).toMatchObject({ maxDepth: 0, emailFrom: 'ceo@bank.example' });
      const sentBefore = mail.sent.length;
      const run = await webhookRun('Mail as the old sender', [{ id: 'mail', kind: 'sendEmail', to: 'ada@example.com', subject: 'Hi', text: 'Hello' }]);
      expect(run).toMatchObject({ status: 'FAILED' });
      expect(run.steps[0]!.error).toContain('emailFrom: the operator allows senders on localhost only (not bank.example)');
      expect(mail.sent.length).toBe(sentBefore);

      // maxDepth 0: a workflow that sets itself off runs once.
      const self = await publishedWorkflow(admin, 'Exclaim', {
        trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['name'] },
        steps: [{ id: 'rename', kind: 'updateRecord', values: { name: '{{trigger.record.name}}!' } }],
        options: { allowSelfTrigger: true },
      });
      const customer = (await admin.query(`mutation { createCustomer(input: { name: "Chain" }) { customer { id } } }`)).createCustomer.customer.id;
      await admin.query(`mutation ($id: ID!) { updateCustomer(input: { id: $id, name: "Chain 2" }) { customer { id } } }`, { id: customer });
      await finishedRuns(kit, admin, self, 1);
      await kit.settled();
      expect((await runsOf(admin, self)).map((r) => r.depth)).toEqual([0]);
      await switchAllOff(kit, admin);
    } finally {
      await workspaceSettings({});
    }
  });
});
