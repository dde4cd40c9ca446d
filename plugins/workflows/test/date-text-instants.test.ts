// Publish checks of dates written as text (template-checks.ts): a time of day after a template makes a date only when
// the template holds a calendar day (a `date` field). After an instant (a `dateTime` field, an event's `occurredAt`)
// it makes `2027-03-31T10:00:00.000ZT09:00:00Z`, which every run would fail on: refused at publish, naming the step's
// field and the template.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, PUBLISH } from './support.js';

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport() })] });
  admin = kit.workspace.client;
  for (const [name, type] of [['renewsOn', 'DATE'], ['renewsAt', 'DATE_TIME']]) {
    await admin.query(`mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`, { i: { object: 'CUSTOMER', name, type } });
  }
}, 120_000);
afterAll(async () => {
  await kit?.close();
});

async function publishError(definition: unknown): Promise<{ code: string; field: string; message: string } | null> {
  const id = (await admin.query(CREATE, { name: 'Dated', definition })).createWorkflow.workflow.id as string;
  const error = (await admin.request(PUBLISH, { id })).errors?.[0];
  return error ? { ...(error.extensions as { code: string; field: string }), message: error.message } : null;
}

const task = (dueAt: string, trigger: Record<string, unknown> = { kind: 'manual', object: 'Customer' }) => ({
  trigger,
  steps: [{ id: 'call', kind: 'createTask', title: 'Renewal call', dueAt }],
});

describe('a time of day after a date template', () => {
  it('is refused after a dateTime field, naming the step’s field and the template', async () => {
    expect(await publishError(task('{{trigger.record.renewsAt}}T09:00:00Z'))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.dueAt',
      message:
        "definition.steps.0.dueAt: text with templates in it; this needs a date ({{trigger.record.renewsAt}} is a date and time, not a day: only a `date` field's day takes a time of day after it)",
    });
    // The same for an event's time and a wait's `until`.
    expect(await publishError(task('{{trigger.event.occurredAt}}T09:00:00Z', { kind: 'record', object: 'Customer', on: 'updated' }))).toMatchObject({
      field: 'definition.steps.0.dueAt',
      message: expect.stringContaining('{{trigger.event.occurredAt}} is a date and time, not a day'),
    });
    expect(
      await publishError({ trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'w', kind: 'wait', until: '{{trigger.record.renewsAt}} 09:00' }] }),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.until', message: expect.stringContaining('{{trigger.record.renewsAt}} is a date and time') });
  });

  it('is taken after a date field’s day; a dateTime alone is a date', async () => {
    expect(await publishError(task('{{trigger.record.renewsOn}}T09:00:00Z'))).toBeNull();
    expect(await publishError(task('{{trigger.record.renewsAt}}'))).toBeNull();
    // Text that makes no date around a day stays refused as before.
    expect(await publishError(task('on {{trigger.record.renewsOn}}'))).toMatchObject({
      field: 'definition.steps.0.dueAt',
      message: expect.stringContaining('text with templates in it; this needs a date'),
    });
  });
});
