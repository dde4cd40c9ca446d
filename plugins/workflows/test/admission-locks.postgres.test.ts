// The workspace's admission lock (runs/admission.ts) against step rows and step tries, on PostgreSQL: the test holds
// the admission lock itself on a connection of its own (the same advisory lock a step transaction or a subscriber
// takes), so each interleaving is made on purpose and seen in pg_locks, without sleeps.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, ownConnection, publishedWorkflow, rowIdOf, RUN, switchAllOff, until } from './support.js';

const UPDATE_CUSTOMER = `mutation ($id: ID!, $name: String!) { updateCustomer(input: { id: $id, name: $name }) { customer { id } } }`;
const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`;
const RUN_VIEW = `query ($id: ID!) { node(id: $id) { ... on WorkflowRun { status steps { stepId status attempts error } } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
/** The test's own connection to the gateway's database: it holds the admission lock. */
let own: pg.Client;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 })], database: 'postgres' });
  admin = kit.workspace.client;
  own = await ownConnection(kit);
}, 120_000);
afterEach(async () => {
  await own.query('SELECT pg_advisory_unlock_all()');
  await switchAllOff(kit, admin);
});
afterAll(async () => {
  await own?.end();
  await kit?.close();
});

const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;
type View = { status: string; steps: { stepId: string; status: string; attempts: number; error: string | null }[] };
const runView = async (id: string) => (await admin.query(RUN_VIEW, { id })).node as View;

/** The workspace's admission lock, as the SDK's `lock('admission')` of the workflows plugin takes it (plugin-lock.ts). */
const ADMISSION = `hashtext('crm:plugin:workflows:' || $1), hashtext('admission')`;
const holdAdmission = () => own.query(`SELECT pg_advisory_lock(${ADMISSION})`, [kit.workspace.workspaceId]);
const releaseAdmission = () => own.query(`SELECT pg_advisory_unlock(${ADMISSION})`, [kit.workspace.workspaceId]);

/** The backends waiting for the admission lock (a step transaction's, a subscriber's). */
async function admissionWaiters(): Promise<number[]> {
  const { rows } = await own.query<{ pid: number }>(
    `SELECT l.pid FROM pg_locks l
     WHERE l.locktype = 'advisory' AND NOT l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND l.classid::int = hashtext('crm:plugin:workflows:' || $1) AND l.objid::int = hashtext('admission')`,
    [kit.workspace.workspaceId],
  );
  return rows.map((row) => row.pid);
}
const waiterOnAdmission = () => until(async () => (await admissionWaiters())[0]);

describe('an error while a run is let in', () => {
  it('is no try of its step: the run stays as it was and is let in later', async () => {
    // One try only: before the fix, the admission's error was recorded as the wait step's failed try and failed the run.
    const id = await publishedWorkflow(admin, 'Admission error', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'pause', kind: 'wait', for: { hours: 1 }, retry: { attempts: 1 } },
        { id: 'tag', kind: 'addTag', tag: 'let-in' },
      ],
    });
    const run = (await admin.query(RUN, { id, recordId: await customer('Ada Admitted') })).runWorkflow.run.id as string;
    await until(async () => ((await runView(run)).status === 'WAITING' ? true : undefined));
    await holdAdmission();
    // The wait ends now: its step transaction waits for the admission lock. Its statement is cancelled there (an
    // admission that fails: as a deadlock's victim or a lock timeout would).
    await kit.database.prisma.$executeRawUnsafe(
      `UPDATE "WorkflowStepRun" SET input = jsonb_set(input, '{until}', to_jsonb(now())), "dueAt" = now() WHERE "runId" = $1::uuid AND "stepId" = 'pause'`,
      rowIdOf(run),
    );
    const first = await waiterOnAdmission();
    await own.query('SELECT pg_cancel_backend($1)', [first]);
    // The step comes again (it waits for the lock once more), or — the defect — the run failed.
    await until(async () => ((await admissionWaiters()).length || ['FAILED', 'SUCCEEDED'].includes((await runView(run)).status) ? true : undefined));
    expect(await runView(run)).toMatchObject({ status: 'WAITING', steps: [{ stepId: 'pause', status: 'WAITING', attempts: 1, error: null }] });
    await releaseAdmission();
    const ended = await eventually(kit, async () => {
      const view = await runView(run);
      expect(view.status).toBe('SUCCEEDED');
      return view;
    });
    expect(ended.steps.map((s) => [s.stepId, s.status, s.error])).toEqual([
      ['pause', 'SUCCEEDED', null],
      ['tag', 'SUCCEEDED', null],
    ]);
  });
});

describe('lock order: the admission lock before step rows', () => {
  it('a delivery that ends a wait and starts a run writes the waiting step only once it holds the admission lock', async () => {
    const waiter = await publishedWorkflow(admin, 'Waits for an update', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'wait', kind: 'waitForEvent', eventType: 'customer.updated', subjectId: '{{trigger.record.id}}', timeout: { days: 1 } }],
    });
    await publishedWorkflow(admin, 'Starts on an update', {
      trigger: { kind: 'record', object: 'Customer', on: 'updated' },
      steps: [{ id: 'tag', kind: 'addTag', tag: 'updated' }],
    });
    const subject = await customer('Walt Waiting');
    const run = (await admin.query(RUN, { id: waiter, recordId: subject })).runWorkflow.run.id as string;
    await until(async () => ((await runView(run)).status === 'WAITING' ? true : undefined));
    const [step] = await kit.database.prisma.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id::text FROM "WorkflowStepRun" WHERE "runId" = $1::uuid AND "stepId" = 'wait'`,
      rowIdOf(run),
    );

    await holdAdmission();
    await admin.query(UPDATE_CUSTOMER, { id: subject, name: 'Walt Updated' });
    // The delivery of customer.updated waits for the admission lock (it starts a run).
    await waiterOnAdmission();
    // A step transaction holding the admission lock (the test, here) may now need the waiting step's row (a held
    // run's step written back): it is free. Before the fix the delivery held it already, waiting for the admission
    // lock: each side waited for the other (a deadlock, one of them aborted).
    await own.query('BEGIN');
    const locked = await own.query(`SELECT id FROM "WorkflowStepRun" WHERE id = $1::uuid FOR UPDATE NOWAIT`, [step!.id]).then(
      (result) => result.rowCount,
      (error: { code?: string }) => error.code,
    );
    await own.query('ROLLBACK');
    expect(locked).toBe(1);

    await releaseAdmission();
    const ended = await eventually(kit, async () => {
      const view = await runView(run);
      expect(view.status).toBe('SUCCEEDED');
      return view;
    });
    expect(ended.steps).toMatchObject([{ stepId: 'wait', status: 'SUCCEEDED' }]);
  });
});

describe('a claimed batch’s run locks', () => {
  it('are one statement for all its runs, on PostgreSQL too (the keys an array parameter)', async () => {
    const id = await publishedWorkflow(admin, 'Batch locks', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'locked' }] });
    const workflowId = Buffer.from(id, 'base64').toString().split(':')[1]!;
    const targets = await Promise.all(Array.from({ length: 5 }, (_, i) => customer(`Lock ${i}`)));
    const statements = await kit.sql.during(async () => {
      await admin.query(ON_RECORDS, { id, ids: targets });
      await until(async () => {
        const [row] = await kit.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "WorkflowRun" WHERE "workflowId" = $1 AND status = 'SUCCEEDED'`, [workflowId]);
        return Number(row!.n) === 5 ? true : undefined;
      });
    });
    // The batch's locks went in one statement and its steps were done together: had that statement failed, the batch
    // would have been done again step by step (a read of the steps per run).
    const reads = statements.filter((q) => q.includes('to_jsonb(r) AS run')).length;
    expect(statements.filter((q) => q.includes('pg_advisory_xact_lock') && q.includes('unnest')).length).toBeGreaterThan(0);
    expect(reads).toBeLessThan(5);
  });
});
