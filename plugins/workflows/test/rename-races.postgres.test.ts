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
    await rename();
  } finally {
    await own.query('SELECT pg_advisory_unlock(4242, 1)');
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
