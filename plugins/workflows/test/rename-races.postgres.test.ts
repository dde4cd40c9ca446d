// A rename committing while a step transaction holds a waiting step it read before it (PostgreSQL, concurrent
// connections): a `waitForEvent`'s look-back read the step (its `where`, its event type), the rename rewrote it and
// committed, then the look-back wrote what it saw (`sinceSeq`). Before the fix that write was the whole input as read,
// putting the old name back, and the wait ended only at its timeout. The test's own connection makes the order: a
// statement-level trigger holds the step transaction's last write (its `rows.write` of step rows, before it locks any
// row) at an advisory lock the test holds, until the rename has committed; it sleeps nowhere.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { defineContract, finishedRuns, ownConnection, publishedWorkflow, rowIdOf, RUN, until } from './support.js';

const RENAME_FIELD = `mutation ($i: RenameCustomFieldInput!) { renameCustomField(input: $i) { customField { name } } }`;
const RENAME_OBJECT = `mutation ($i: RenameCustomObjectInput!) { renameCustomObject(input: $i) { customObject { name } } }`;
const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
/** The step transaction's write of its step rows (advance.ts `saveStepWrites`: updates of step rows come first). */
const STEP_WRITE = 'WITH w0 AS (UPDATE "WorkflowStepRun"%';

let kit: PluginTestGateway;
let admin: TestClient;
let own: pg.Client;
let contractObject: string;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 })], database: 'postgres' });
  admin = kit.workspace.client;
  own = await ownConnection(kit);
  contractObject = await defineContract(admin, { status: { type: 'TEXT' } });
  await own.query(`CREATE FUNCTION rename_race_gate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_query() LIKE '${STEP_WRITE}' THEN PERFORM pg_advisory_xact_lock_shared(4242, 1); END IF;
      RETURN NULL;
    END $$`);
}, 120_000);
afterAll(async () => {
  await own?.query('SELECT pg_advisory_unlock_all()').catch(() => {});
  await own?.end();
  await kit?.close();
});

/** The waiting step's row as stored: its input, its key, and whether it sleeps until its timeout (its looks are done). */
async function stepRow(run: string) {
  const { rows } = await own.query<{ id: string; input: Record<string, any>; waitKey: string | null; asleep: boolean }>(
    `SELECT id, input, "waitKey", "dueAt" > now() + interval '1 hour' AS asleep FROM "WorkflowStepRun" WHERE "runId" = $1::uuid AND "stepId" = 'upgrade'`,
    [rowIdOf(run)],
  );
  return rows[0]!;
}

/** Backends waiting at the gate: a step transaction whose write of step rows waits for the test. */
async function atGate(): Promise<number> {
  const { rows } = await own.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory' AND query LIKE $1`,
    [STEP_WRITE],
  );
  return rows[0]!.n;
}

/** Backends of this database waiting for an advisory lock: the gated step transaction, and a rename waiting for it. */
async function advisoryWaiters(): Promise<number> {
  const { rows } = await own.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
  );
  return rows[0]!.n;
}

/**
 * `rename` committed while the run's waiting step is held by a look-back that read it before: the step made due now
 * (so a step transaction reads it and looks back), its write held at the gate, then the rename, then the gate opened.
 */
async function renameDuringLook(run: string, rename: () => Promise<unknown>) {
  await until(async () => ((await stepRow(run)).asleep ? true : undefined));
  await own.query('SELECT pg_advisory_lock(4242, 1)');
  await own.query(`CREATE TRIGGER rename_race_gate BEFORE UPDATE ON "WorkflowStepRun" FOR EACH STATEMENT EXECUTE FUNCTION rename_race_gate()`);
  try {
    await own.query(`UPDATE "WorkflowStepRun" SET "dueAt" = now() WHERE "runId" = $1::uuid AND "stepId" = 'upgrade'`, [rowIdOf(run)]);
    await until(async () => ((await atGate()) > 0 ? true : undefined));
    // The step transaction holds the `renames` lock shared (taken with its run locks): the rename waits for it, so the
    // gate is opened once the rename is seen waiting, and the rename then reads the step as the look wrote it.
    const renamed = rename();
    renamed.catch(() => {});
    await until(async () => ((await advisoryWaiters()) > 1 ? true : undefined));
    await own.query('SELECT pg_advisory_unlock(4242, 1)');
    await renamed;
  } finally {
    await own.query('SELECT pg_advisory_unlock_all()');
  }
  // The look's write committed: the step sleeps until its timeout again.
  await until(async () => ((await stepRow(run)).asleep ? true : undefined));
  await own.query('DROP TRIGGER rename_race_gate ON "WorkflowStepRun"');
}

const awaiting = (eventType: string, where?: unknown, then: Record<string, unknown> = { kind: 'createTask', title: 'Upgraded' }, more: unknown[] = []) => ({
  trigger: { kind: 'manual', object: 'Contract' },
  steps: [{ id: 'upgrade', kind: 'waitForEvent', eventType, ...(where ? { where } : {}), timeout: { days: 1 } }, { id: 'done', ...then }, ...more],
});

describe('a rename committing while a step transaction holds the waiting step it read before', () => {
  it('a field’s: the wait keeps the new name in its `where` and ends on the event naming it', async () => {
    const plan = (await admin.query(DEFINE_FIELD, { i: { customObjectId: contractObject, name: 'plan', type: 'TEXT' } })).defineCustomField.customField.id;
    const workflow = await publishedWorkflow(admin, 'Await gold plan', awaiting('contract.updated', { value: '{{ event.payload.changes.plan.to }}', operator: 'eq', operand: 'gold' }, { kind: 'updateRecord', values: { plan: 'platinum' } }, [
      { id: 'note', kind: 'createTask', title: 'Upgraded from {{trigger.record.plan}}' },
    ]));
    const contract = (await admin.query(`mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`, { i: { plan: 'basic' } })).createContract.contract.id;
    const run = (await admin.query(RUN, { id: workflow, recordId: contract })).runWorkflow.run.id as string;

    await renameDuringLook(run, () => admin.query(RENAME_FIELD, { i: { id: plan, name: 'package' } }));
    const row = await stepRow(run);
    expect(row.input.where.value).toBe('{{ event.payload.changes.package.to }}');
    // The look's own write is kept too: what it saw is judged.
    expect(row.input.sinceSeq).toEqual(expect.any(String));

    await admin.query(`mutation ($i: UpdateContractInput!) { updateContract(input: $i) { contract { id } } }`, { i: { id: contract, package: 'gold' } });
    const [done] = await finishedRuns(kit, admin, workflow, 1);
    expect(done!.status, done!.error ?? '').toBe('SUCCEEDED');
    expect(done!.steps.find((s) => s.stepId === 'upgrade')!.output.received).toBe(true);
    // Its next step, planned before the rename (its run began then) and run after it, reads the stored version again:
    // it writes the field by its new name.
    expect((await admin.query(`query ($id: ID!) { node(id: $id) { ... on Contract { package } } }`, { id: contract })).node.package).toBe('platinum');
    // A later step reads the trigger's record the run stored at its start (`plan` then) under the new name: the rename
    // renamed the key in the snapshots of runs under way.
    expect(done!.steps.find((s) => s.stepId === 'note')!.output.title).toBe('Upgraded from basic');
  });

  it('an object’s: the wait waits for the renamed event type (its input and key) and ends on its event', async () => {
    const workflow = await publishedWorkflow(admin, 'Await a change', awaiting('contract.updated'));
    const contract = (await admin.query(`mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`, { i: { status: 'new' } })).createContract.contract.id;
    const run = (await admin.query(RUN, { id: workflow, recordId: contract })).runWorkflow.run.id as string;

    await renameDuringLook(run, () => admin.query(RENAME_OBJECT, { i: { id: contractObject, name: 'Agreement' } }));
    const row = await stepRow(run);
    expect(row.input.eventType).toBe('agreement.updated');
    expect(row.waitKey).toBe(`agreement.updated:${row.input.subjectId}`);
    expect(row.input.sinceSeq).toEqual(expect.any(String));

    // Its global id names the object by its new name.
    const agreement = Buffer.from(`Agreement:${rowIdOf(contract)}`).toString('base64');
    await admin.query(`mutation ($i: UpdateAgreementInput!) { updateAgreement(input: $i) { agreement { id } } }`, { i: { id: agreement, status: 'signed' } });
    const [done] = await finishedRuns(kit, admin, workflow, 1);
    expect(done!.status, done!.error ?? '').toBe('SUCCEEDED');
    expect(done!.steps.find((s) => s.stepId === 'upgrade')!.output.event.type).toBe('agreement.updated');
  });
});

/** A custom object `name` with a text field `code`: its id and the field's. */
async function defineObject(name: string) {
  const object = (await admin.query(`mutation ($n: String!) { defineCustomObject(input: { name: $n, label: $n }) { customObject { id } } }`, { n: name })).defineCustomObject.customObject.id as string;
  const field = (await admin.query(DEFINE_FIELD, { i: { customObjectId: object, name: 'code', type: 'TEXT' } })).defineCustomField.customField.id as string;
  return { object, field };
}

/**
 * `rename` committing after the run's waiting step was resumed by the event `deliver` records, the rename having read
 * the step while it waited: the resume held (advisory lock 4243/2) until the rename's write of step rows is held
 * (4243/1), then let go first; the rename's write goes on once the resume has committed (before the fix, the write,
 * by id only, changed the ended step all the same).
 */
async function renameOverResume(run: string, deliver: () => Promise<unknown>, rename: () => Promise<unknown>) {
  await until(async () => ((await stepRow(run)).asleep ? true : undefined));
  await own.query(`CREATE OR REPLACE FUNCTION rename_resume_gate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_query() LIKE 'WITH w0 AS (UPDATE "Workflow" AS t%' THEN PERFORM pg_advisory_xact_lock_shared(4243, 1);
      ELSIF current_query() LIKE 'UPDATE %"WorkflowStepRun"%' THEN PERFORM pg_advisory_xact_lock_shared(4243, 2);
      END IF;
      RETURN NULL;
    END $$`);
  await own.query('SELECT pg_advisory_lock(4243, 1), pg_advisory_lock(4243, 2)');
  await own.query(`CREATE TRIGGER rename_resume_gate BEFORE UPDATE ON "WorkflowStepRun" FOR EACH STATEMENT EXECUTE FUNCTION rename_resume_gate()`);
  const waitingAt = async (gate: number) => {
    const { rows } = await own.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND NOT l.granted AND l.classid = 4243 AND l.objid = $1 AND a.datname = current_database()`,
      [gate],
    );
    return rows[0]!.n > 0 ? true : undefined;
  };
  let renamed: Promise<unknown> = Promise.resolve();
  try {
    await deliver();
    await until(() => waitingAt(2));
    renamed = rename();
    await until(() => waitingAt(1));
    await own.query('SELECT pg_advisory_unlock(4243, 2)');
    // The resume commits (the wait's key cleared): the rename's write, held at its gate, comes after it and must leave
    // the ended wait alone. (The resumed step itself runs after the rename: a step transaction takes the `renames` lock
    // shared, which the rename holds.)
    await until(async () => ((await own.query(`SELECT "waitKey" FROM "WorkflowStepRun" WHERE id = $1::uuid`, [(await stepRow(run)).id])).rows[0]!.waitKey === null ? true : undefined));
  } finally {
    await own.query('SELECT pg_advisory_unlock_all()');
  }
  await renamed;
  await own.query('DROP TRIGGER rename_resume_gate ON "WorkflowStepRun"');
}

describe('a rename writing a waiting step its event resumed after the rename read it', () => {
  it('an object’s leaves the wait ended: no key again (a second event would resume it), the first event its output', async () => {
    const lease = await defineObject('Lease');
    const workflow = await publishedWorkflow(admin, 'Await a lease change', { ...awaiting('lease.updated'), trigger: { kind: 'manual', object: 'Lease' } });
    const record = (await admin.query(`mutation { createLease(input: { code: "start" }) { lease { id } } }`)).createLease.lease.id as string;
    const run = (await admin.query(RUN, { id: workflow, recordId: record })).runWorkflow.run.id as string;

    await renameOverResume(
      run,
      () => admin.query(`mutation ($i: UpdateLeaseInput!) { updateLease(input: $i) { lease { id } } }`, { i: { id: record, code: 'first' } }),
      () => admin.query(RENAME_OBJECT, { i: { id: lease.object, name: 'Tenancy' } }),
    );
    expect((await stepRow(run)).waitKey).toBeNull();
    const [done] = await finishedRuns(kit, admin, workflow, 1);
    expect(done!.status, done!.error ?? '').toBe('SUCCEEDED');
    const output = done!.steps.find((s) => s.stepId === 'upgrade')!.output;
    expect(output.event.type).toBe('lease.updated');
    expect(output.event.payload.changes.code.to).toBe('first');
    expect((await stepRow(run)).waitKey).toBeNull();
  });

  it('a field’s leaves the ended wait’s input as it ended: its `where` not rewritten', async () => {
    const permit = await defineObject('Permit');
    const where = { value: '{{ event.payload.changes.code.to }}', operator: 'eq', operand: 'first' };
    const workflow = await publishedWorkflow(admin, 'Await a permit code', { ...awaiting('permit.updated', where), trigger: { kind: 'manual', object: 'Permit' } });
    const record = (await admin.query(`mutation { createPermit(input: { code: "start" }) { permit { id } } }`)).createPermit.permit.id as string;
    const run = (await admin.query(RUN, { id: workflow, recordId: record })).runWorkflow.run.id as string;

    await renameOverResume(
      run,
      () => admin.query(`mutation ($i: UpdatePermitInput!) { updatePermit(input: $i) { permit { id } } }`, { i: { id: record, code: 'first' } }),
      () => admin.query(RENAME_FIELD, { i: { id: permit.field, name: 'ref' } }),
    );
    const [done] = await finishedRuns(kit, admin, workflow, 1);
    expect(done!.status, done!.error ?? '').toBe('SUCCEEDED');
    expect(done!.steps.find((s) => s.stepId === 'upgrade')!.output.event.payload.changes.code.to).toBe('first');
    expect((await stepRow(run)).input.where.value).toBe('{{ event.payload.changes.code.to }}');
  });
});
