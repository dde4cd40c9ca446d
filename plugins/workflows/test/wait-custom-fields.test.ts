// `waitForEvent` whose `where` reads a built-in object's custom field (Customer's `tier`): core's `customer.updated`
// carries custom fields' changes together, under `changes.customFields` by their stable keys, so the condition reads
// the field's change by name through the one rule (src/field-changes.ts) — before, it published and never matched,
// the wait ending only at its timeout. Both looks: the batch's lookup (the event arrives while the step waits) and the
// look-back (it came before the wait began); a rename of the field (the waiting step's `where` rewritten, its stable
// key unchanged); and at publish, a select field's operand among its options (core's rule for the field's values).
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, eventually, finishedRuns, PUBLISH, publishedWorkflow, RUN, rowIdOf, runsOf, startTwoWorkspaces, switchAllOff } from './support.js';

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const RENAME = `mutation ($i: RenameCustomFieldInput!) { renameCustomField(input: $i) { customField { name } } }`;
const CUSTOMER = `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`;
const UPDATE_CUSTOMER = `mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;
let rankField: string;

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Wait fields B'));
  await admin.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'tier', type: 'TEXT' } });
  rankField = (await admin.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'rank', type: 'TEXT' } })).defineCustomField.customField.id;
  const options = ['gold', 'silver'].map((value) => ({ value }));
  await admin.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'plan', type: 'SELECT', options } });
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

/** A manual run on a customer that (optionally) pauses, then waits until `field` becomes gold, then makes a task. */
const untilGold = (field: string, before: Record<string, unknown>[] = []) => ({
  trigger: { kind: 'manual', object: 'Customer' },
  steps: [
    ...before,
    { id: 'untilGold', kind: 'waitForEvent', eventType: 'customer.updated', where: { value: `{{event.payload.changes.${field}.to}}`, operator: 'eq', operand: 'gold' }, timeout: { days: 2 } },
    { id: 'welcome', kind: 'createTask', title: 'Gold at last' },
  ],
});
const customer = async (name: string, customFields: Record<string, unknown>) => (await admin.query(CUSTOMER, { i: { name, customFields } })).createCustomer.customer.id as string;
const waitOf = (run: { steps: { stepId: string; status: string; input: any; output: any }[] }) => run.steps.find((s) => s.stepId === 'untilGold')!;
/** The workflow's one run, once its wait listens (its look after the wait's commit done). */
const listening = (id: string) =>
  eventually(kit, async () => {
    const [run] = await runsOf(admin, id);
    expect(run?.status).toBe('WAITING');
    expect(waitOf(run!).input.sinceSeq).toBeTruthy();
    return run!;
  });

describe('waitForEvent on a change of a built-in object’s custom field', () => {
  it('an update of the field to another value leaves the wait waiting; the update to the awaited value ends it', async () => {
    const id = await publishedWorkflow(admin, 'Until gold', untilGold('tier'));
    const ada = await customer('Ada', { tier: 'silver' });
    await admin.query(RUN, { id, recordId: ada });
    await listening(id);

    await admin.query(UPDATE_CUSTOMER, { i: { id: ada, customFields: { tier: 'bronze' } } });
    await admin.query(UPDATE_CUSTOMER, { i: { id: ada, name: 'Ada Gold?' } });
    await kit.settled();
    const [still] = await runsOf(admin, id);
    expect(still).toMatchObject({ status: 'WAITING' });
    expect(waitOf(still!).status).toBe('WAITING');

    await admin.query(UPDATE_CUSTOMER, { i: { id: ada, customFields: { tier: 'gold' } } });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED' });
    // The output is the event as core wrote it: the custom fields' change under `customFields`, by stable keys.
    const changes = waitOf(run!).output.event.payload.changes;
    expect(Object.keys(changes)).toEqual(['customFields']);
    expect(Object.values(changes.customFields.to)).toContain('gold');
    expect(run!.steps.find((s) => s.stepId === 'welcome')).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('the look-back applies it too: of the updates before the wait began, only the one to the awaited value ends it', async () => {
    const id = await publishedWorkflow(admin, 'Until gold, later', untilGold('tier', [{ id: 'pause', kind: 'wait', for: { seconds: 5 } }]));
    const first = await customer('Looked back, gold', { tier: 'silver' });
    const second = await customer('Looked back, bronze', { tier: 'silver' });
    await admin.query(RUN, { id, recordId: first });
    await admin.query(RUN, { id, recordId: second });
    const paused = await finishedRuns(kit, admin, id, 2, ['WAITING']);
    const byRecord = (c: string) => paused.find((r) => r.recordId === c || r.recordId === rowIdOf(c))!;
    // While they pause (before their waits began): one customer made bronze then gold, the other only bronze.
    await admin.query(UPDATE_CUSTOMER, { i: { id: first, customFields: { tier: 'bronze' } } });
    await admin.query(UPDATE_CUSTOMER, { i: { id: first, customFields: { tier: 'gold' } } });
    await admin.query(UPDATE_CUSTOMER, { i: { id: second, customFields: { tier: 'bronze' } } });
    for (const run of paused) expect(run.steps.find((s) => s.stepId === 'untilGold')).toBeUndefined();

    const ended = await eventually(kit, async () => {
      const run = (await runsOf(admin, id)).find((r) => r.id === byRecord(first).id)!;
      expect(run.status).toBe('SUCCEEDED');
      return run;
    });
    expect(Object.values(waitOf(ended).output.event.payload.changes.customFields.to)).toContain('gold');
    // The other waits on, listening (its looks passed over the change to bronze).
    const waiting = await eventually(kit, async () => {
      const run = (await runsOf(admin, id)).find((r) => r.id === byRecord(second).id)!;
      expect(waitOf(run).status).toBe('WAITING');
      expect(waitOf(run).input.sinceSeq).toBeTruthy();
      return run;
    });
    expect(waiting.status).toBe('WAITING');
  });

  it('after a rename of the field (the waiting step’s condition rewritten), the update under the new name ends the wait', async () => {
    const id = await publishedWorkflow(admin, 'Until gold rank', untilGold('rank'));
    const bea = await customer('Bea', { rank: 'silver' });
    await admin.query(RUN, { id, recordId: bea });
    await listening(id);

    await admin.query(RENAME, { i: { id: rankField, name: 'grade' } });
    expect(waitOf((await runsOf(admin, id))[0]!).input.where.value).toBe('{{event.payload.changes.grade.to}}');
    await admin.query(UPDATE_CUSTOMER, { i: { id: bea, customFields: { grade: 'bronze' } } });
    await kit.settled();
    expect((await runsOf(admin, id))[0]).toMatchObject({ status: 'WAITING' });

    await admin.query(UPDATE_CUSTOMER, { i: { id: bea, customFields: { grade: 'gold' } } });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('refuses at publish an operand a select field cannot hold, and a field of another workspace', async () => {
    const error = async (client: TestClient, where: Record<string, unknown>) => {
      const definition = untilGold('plan');
      (definition.steps[0] as Record<string, unknown>).where = where;
      const id = (await client.query(CREATE, { name: 'Checked', definition })).createWorkflow.workflow.id;
      return (await client.request(PUBLISH, { id })).errors?.[0] as { message: string; extensions: { code: string; field: string } } | undefined;
    };
    const at = 'definition.steps.0.where';
    const plan = { value: '{{event.payload.changes.plan.to}}', operator: 'eq', operand: 'gold' };
    expect(await error(admin, { ...plan, operand: 'platinum' })).toMatchObject({ message: expect.stringContaining('gold, silver'), extensions: { code: 'BAD_USER_INPUT', field: `${at}.operand` } });
    expect(await error(admin, { ...plan, operator: 'in', operand: ['gold', 'bronze'] })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: `${at}.operand` } });
    expect(await error(admin, plan)).toBeUndefined();
    expect(await error(admin, { ...plan, operator: 'in', operand: ['gold', 'silver'] })).toBeUndefined();
    expect(await error(admin, { value: plan.value, operator: 'exists' })).toBeUndefined();
    // The other workspace has no such field.
    expect(await error(other, plan)).toMatchObject({ message: expect.stringContaining('Customer has no field plan'), extensions: { code: 'BAD_USER_INPUT', field: `${at}.value` } });
  });
});
