// The windows a rename and a step transaction under way at its commit left open (PostgreSQL, concurrent connections;
// rename-races.postgres.test.ts has the others). The test's own connection makes each order with advisory locks that
// statement-level triggers take (a gate: the statement waits there until the test lets go); it sleeps nowhere.
// - A look-back that read the waiting step before a rename writes after it: its write lands only on the step as it read
//   it (still waiting, its `where` the one it judged with), else the step is made due to be read anew. Here the
//   rename's event ended the wait meanwhile: before the fix the look-back's write put the ended wait back to sleep
//   until its timeout (its due time), and the run waited a day for an event it had received.
// - A wait beginning from the version as read before a rename's commit: it takes the plugin's `renames` lock shared, so
//   the rename waits for it and then rewrites its `where`; before the fix it was written under the old name after the
//   rename had read the waiting steps, and the event naming the field by its new name did not end it.
// - An object's rename with an event of the old type recorded before it and still in the subscriber's lane: the waiting
//   step keeps the old type (`renamedFrom`) and is made due, and its look-back takes either type. Before, the event,
//   delivered after the rename, matched the wait's old key no longer, and the wait ended only at its timeout.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { pluginLockers } from './plugin-locks.js';
import { finishedRuns, ownConnection, publishedWorkflow, rowIdOf, RUN, until } from './support.js';

const RENAME_OBJECT = `mutation ($i: RenameCustomObjectInput!) { renameCustomObject(input: $i) { customObject { name } } }`;
const RENAME_FIELD = `mutation ($i: RenameCustomFieldInput!) { renameCustomField(input: $i) { customField { name } } }`;
const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
/** A step transaction's write of its step rows (advance.ts `saveStepWrites`: updates of step rows come first). */
const STEP_WRITE = 'WITH w0 AS (UPDATE "WorkflowStepRun"%';
/** The queue's claim (the SDK's host/queues.ts). */
const CLAIM = 'UPDATE "WorkflowStepRun" AS q SET%';

let kit: PluginTestGateway;
let admin: TestClient;
let own: pg.Client;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 })], database: 'postgres' });
  admin = kit.workspace.client;
  own = await ownConnection(kit);
  // Gate 1: the step transaction's write of step rows; gate 2: the queue's claims.
  await own.query(`CREATE FUNCTION wait_window_gate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_query() LIKE '${STEP_WRITE}' THEN PERFORM pg_advisory_xact_lock_shared(4245, 1);
      ELSIF current_query() LIKE '${CLAIM}' THEN PERFORM pg_advisory_xact_lock_shared(4245, 2);
      END IF;
      RETURN NULL;
    END $$`);
}, 120_000);
afterAll(async () => {
  await own?.query('SELECT pg_advisory_unlock_all()').catch(() => {});
  await own?.end();
  await kit?.close();
});

/** A custom object `name` with a text field `code`: its id and the field's. */
async function defineObject(name: string) {
  const object = (await admin.query(`mutation ($n: String!) { defineCustomObject(input: { name: $n, label: $n }) { customObject { id } } }`, { n: name })).defineCustomObject.customObject.id as string;
  const field = (await admin.query(DEFINE_FIELD, { i: { customObjectId: object, name: 'code', type: 'TEXT' } })).defineCustomField.customField.id as string;
  return { object, field };
}

/** The run's waiting step as stored: its input, its key, whether it sleeps until its timeout. */
async function stepRow(run: string) {
  const { rows } = await own.query<{ id: string; input: Record<string, any>; waitKey: string | null; asleep: boolean; output: Record<string, any> | null }>(
    `SELECT id, input, output, "waitKey", "dueAt" > now() + interval '1 hour' AS asleep FROM "WorkflowStepRun" WHERE "runId" = $1::uuid AND "stepId" = 'await'`,
    [rowIdOf(run)],
  );
  return rows[0];
}

/** Backends waiting at gate `n`, or (`held`) holding it: a transaction let through holds it to its end. */
async function atGate(n: number, which: 'waiting' | 'held'): Promise<number> {
  const { rows } = await own.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted = $2 AND l.classid = 4245 AND l.objid = $1 AND a.datname = current_database() AND a.pid <> pg_backend_pid()`,
    [n, which === 'held'],
  );
  return rows[0]!.n;
}
const when = (check: () => Promise<boolean>) => until(async () => ((await check()) ? true : undefined));

async function gates(n: number) {
  await own.query('SELECT pg_advisory_lock(4245, $1)', [n]);
  await own.query(`CREATE TRIGGER wait_window_gate BEFORE UPDATE ON "WorkflowStepRun" FOR EACH STATEMENT EXECUTE FUNCTION wait_window_gate()`);
}
async function openGates() {
  await own.query('SELECT pg_advisory_unlock_all()');
  await own.query('DROP TRIGGER IF EXISTS wait_window_gate ON "WorkflowStepRun"');
}

const awaiting = (object: string, where: unknown) => ({
  trigger: { kind: 'manual', object },
  steps: [
    { id: 'await', kind: 'waitForEvent', eventType: `${object.toLowerCase()}.updated`, where, timeout: { days: 1 } },
    { id: 'done', kind: 'createTask', title: 'Got it' },
  ],
});

/** The run's wait, its `where` rewritten to the field's new name `ref`, goes on waiting and ends on an event naming it. */
async function expectWaitOnRenamedField(run: string, workflow: string, object: string, record: string) {
  const row = (await stepRow(run))!;
  expect(row.waitKey).not.toBeNull();
  expect(row.input.where.value).toBe('{{ event.payload.changes.ref.to }}');
  const field = object[0]!.toLowerCase() + object.slice(1);
  await admin.query(`mutation ($i: Update${object}Input!) { update${object}(input: $i) { ${field} { id } } }`, { i: { id: record, ref: 'gold' } });
  const [done] = await finishedRuns(kit, admin, workflow, 1);
  expect(done!.status, done!.error ?? '').toBe('SUCCEEDED');
  expect(done!.steps.find((s) => s.stepId === 'await')!.output.event.payload.changes.ref.to).toBe('gold');
}

describe('a rename and a step transaction under way at its commit', () => {
  it('a rename waits for a look-back under way (renames lock, taken with its run locks), then rewrites the step it left waiting', async () => {
    const badge = await defineObject('Badge');
    const workflow = await publishedWorkflow(admin, 'Await a gold badge', awaiting('Badge', { value: '{{ event.payload.changes.code.to }}', operator: 'eq', operand: 'gold' }));
    const record = (await admin.query(`mutation { createBadge(input: { code: "start" }) { badge { id } } }`)).createBadge.badge.id as string;
    const run = (await admin.query(RUN, { id: workflow, recordId: record })).runWorkflow.run.id as string;
    await when(async () => (await stepRow(run))?.asleep === true);

    let renamed: Promise<unknown> = Promise.resolve();
    let over = false;
    try {
      await gates(1);
      // A look-back reads the step (its `where` on `code`) and is held at its write.
      await own.query(`UPDATE "WorkflowStepRun" SET "dueAt" = now() WHERE "runId" = $1::uuid AND "stepId" = 'await'`, [rowIdOf(run)]);
      await when(async () => (await atGate(1, 'waiting')) > 0);
      renamed = admin.query(RENAME_FIELD, { i: { id: badge.field, name: 'ref' } }).finally(() => (over = true));
      // The rename waits for the look-back's transaction (before session 20's review it committed between its read and write).
      await when(async () => over || (await pluginLockers(own, kit.workspace.workspaceId, 'renames', 'waiting')) > 0);
      expect(over).toBe(false);
      await own.query('SELECT pg_advisory_unlock(4245, 1)');
      await renamed;
    } finally {
      await openGates();
    }
    await renamed;
    await expectWaitOnRenamedField(run, workflow, 'Badge', record);
  });

  it('a wait beginning from the version as read before the rename is rewritten by it, and ends on the event naming the field anew', async () => {
    const pass = await defineObject('Pass');
    const workflow = await publishedWorkflow(admin, 'Await a gold pass', awaiting('Pass', { value: '{{ event.payload.changes.code.to }}', operator: 'eq', operand: 'gold' }));
    const record = (await admin.query(`mutation { createPass(input: { code: "start" }) { pass { id } } }`)).createPass.pass.id as string;

    let renamed: Promise<unknown> = Promise.resolve();
    let run = '';
    try {
      await gates(1);
      // The run's first step begins waiting and is held at its write (its look done, its `where` from the version as read).
      run = (await admin.query(RUN, { id: workflow, recordId: record })).runWorkflow.run.id as string;
      await when(async () => (await atGate(1, 'waiting')) > 0);
      let over = false;
      renamed = admin.query(RENAME_FIELD, { i: { id: pass.field, name: 'ref' } }).finally(() => (over = true));
      // The rename waits for the beginning wait's transaction (the `renames` lock), or (before the fix) is over.
      await when(async () => over || (await pluginLockers(own, kit.workspace.workspaceId, 'renames', 'waiting')) > 0);
      await own.query('SELECT pg_advisory_unlock(4245, 1)');
      await renamed;
    } finally {
      await openGates();
    }
    await renamed;
    await expectWaitOnRenamedField(run, workflow, 'Pass', record);
  });

  it('an object’s rename with an event of the old type still in the subscriber’s lane: the wait ends on that event', async () => {
    const lease = await defineObject('Lease');
    const workflow = await publishedWorkflow(admin, 'Await a lease change', {
      trigger: { kind: 'manual', object: 'Lease' },
      steps: [{ id: 'await', kind: 'waitForEvent', eventType: 'lease.updated', timeout: { days: 1 } }, { id: 'done', kind: 'createTask', title: 'Got it' }],
    });
    // A workflow whose runs a customer's creation starts: its batch waits for the admission lock the test holds.
    await publishedWorkflow(admin, 'Every new customer', { trigger: { kind: 'record', object: 'Customer', on: 'created' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'new' }] });
    const record = (await admin.query(`mutation { createLease(input: { code: "start" }) { lease { id } } }`)).createLease.lease.id as string;
    const run = (await admin.query(RUN, { id: workflow, recordId: record })).runWorkflow.run.id as string;
    await when(async () => (await stepRow(run))?.asleep === true);

    const workspace = kit.workspace.workspaceId;
    const admission = [`crm:plugin:workflows:${workspace}`, 'admission'];
    await own.query('SELECT pg_advisory_lock(hashtext($1), hashtext($2))', admission);
    try {
      // The lane is held by the customer's batch; the lease's change waits behind it, delivered after the rename.
      await admin.query(`mutation { createCustomer(input: { name: "Lane Holder" }) { customer { id } } }`);
      await when(async () => (await pluginLockers(own, workspace, 'admission', 'waiting')) > 0);
      await admin.query(`mutation ($i: UpdateLeaseInput!) { updateLease(input: $i) { lease { id } } }`, { i: { id: record, code: 'first' } });
      await admin.query(RENAME_OBJECT, { i: { id: lease.object, name: 'Tenancy' } });
      const row = (await stepRow(run))!;
      expect(row.input.eventType).toBe('tenancy.updated');
      expect(row.input.renamedFrom).toEqual(['lease.updated']);
    } finally {
      await own.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', admission);
    }
    const [done] = await finishedRuns(kit, admin, workflow, 1);
    expect(done!.status, done!.error ?? '').toBe('SUCCEEDED');
    // The event as it was recorded: of the old type.
    const output = done!.steps.find((s) => s.stepId === 'await')!.output;
    expect(output.event.type).toBe('lease.updated');
    expect(output.event.payload.changes.code.to).toBe('first');
  });
});
