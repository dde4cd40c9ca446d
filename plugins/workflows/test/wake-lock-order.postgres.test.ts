// Waking held runs never deadlocks with the event subscriber (runs/admission.ts `wakeHeld`, after the freeing
// transaction commits). The interleaving that did, made on purpose on PostgreSQL: a `waitForEvent` that is its run's
// last step times out (its transaction locks its own step row, then frees a place) while its awaited event arrives in a
// batch that also starts a run (the subscriber takes the admission lock, then writes that row). Before the fix the step
// transaction then took the admission lock too: each waited for the other ("deadlock detected"; its victim, the step's
// batch transaction, was done again alone, so PostgreSQL's count of deadlocks is what shows it). The test's own
// connection makes the order: it holds the run's lock until the step's claim waits for it, then the step's row until
// both transactions wait for it, in that order; it sleeps nowhere.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, ownConnection, publishedWorkflow, rowIdOf, RUN, startReceiver, until } from './support.js';

const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`;
const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;
const RENAME = `mutation ($id: ID!, $name: String!) { updateCustomer(input: { id: $id, name: $name }) { customer { id } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
/** The test's own connection to the gateway's database: it holds a run's lock and a step's row. */
let own: pg.Client;
let hold = true;
const held: (() => void)[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;
/** What the gateway wrote to stderr (its logger: errors only). */
const logged: string[] = [];
const write = process.stderr.write.bind(process.stderr);

beforeAll(async () => {
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    logged.push(String(chunk));
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  kit = await startPluginTestGateway({
    plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 })],
    webhooks: { allowPrivateTargets: true },
    database: 'postgres',
  });
  admin = kit.workspace.client;
  own = await ownConnection(kit);
  // Holds each request open while `hold` is set: a run whose HTTP step is in flight is executing (RUNNING).
  receiver = await startReceiver(() => 200, () => (hold ? new Promise<void>((release) => held.push(release)) : Promise.resolve()));
}, 120_000);
afterAll(async () => {
  process.stderr.write = write;
  hold = false;
  for (const release of held.splice(0)) release();
  await own?.query('ROLLBACK').catch(() => {});
  await own?.end();
  await receiver?.close();
  await kit?.close();
});

const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;

/** Backends of the gateway's database waiting for a lock (a row's, an advisory lock). */
async function lockWaiters(): Promise<number> {
  const { rows } = await own.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
  );
  return Number(rows[0]!.n);
}

/** Deadlocks PostgreSQL detected in the gateway's database so far. */
async function deadlocks(): Promise<number> {
  await own.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await own.query<{ n: number }>(`SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()`);
  return Number(rows[0]!.n);
}

/** A run's lock, as the SDK's `lock('run:<id>')` of the workflows plugin takes it (plugin-lock.ts). */
const RUN_LOCK = `hashtext('crm:plugin:workflows:' || $1), hashtext('run:' || $2)`;

describe('a held run woken while an event resumes the same wait', () => {
  it('a waitForEvent timing out as its event arrives with a batch that starts a run: no deadlock', async () => {
    const before = await deadlocks();
    // The run whose last step waits for the customer's change.
    const waiting = await publishedWorkflow(admin, 'Waits for the change', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'reply', kind: 'waitForEvent', eventType: 'customer.updated', timeout: { days: 3 } }],
    });
    const target = await customer('Tess Timeout');
    const run = rowIdOf((await admin.query(RUN, { id: waiting, recordId: target })).runWorkflow.run.id as string);
    const step = await until(async () => {
      const { rows } = await own.query<{ id: string; waitKey: string | null; dueAt: Date | null }>(
        `SELECT id::text, "waitKey", "dueAt" FROM "WorkflowStepRun" WHERE "runId" = $1::uuid AND status = 'WAITING'`,
        [run],
      );
      // Both looks done: due at its timeout, days away.
      return rows[0]?.waitKey && rows[0].dueAt && rows[0].dueAt.getTime() > Date.now() + 86_400_000 ? rows[0] : undefined;
    });
    // The same change starts a run of another workflow: the subscriber's batch takes the admission lock.
    await publishedWorkflow(admin, 'Starts on the change', {
      trigger: { kind: 'event', eventType: 'customer.updated', object: 'Customer' },
      steps: [{ id: 't', kind: 'addTag', tag: 'changed' }],
    });

    // Runs held back by the concurrency limit (so a freed place wakes them), then a place made free for the wait's run.
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 1 } });
    const calls = await publishedWorkflow(admin, 'Keeps places', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'call', kind: 'httpRequest', url: receiver.url, body: {} }],
    });
    expect((await admin.query(ON_RECORDS, { id: calls, ids: [await customer('Kim Keeps'), await customer('Kai Keeps')] })).runWorkflowOnRecords.started).toBe(2);
    await until(async () => {
      const { rows } = await own.query(`SELECT 1 FROM "WorkflowRun" WHERE "workflowId" = $1::uuid AND "heldBack" = 'CONCURRENCY'`, [rowIdOf(calls)]);
      return rows.length === 1 ? true : undefined;
    });
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 3 } });
    await until(async () => (receiver.received.length === 2 ? true : undefined));

    // The wait's timeout made due while the test holds its run's lock: the step's claim waits for it.
    await own.query(`SELECT pg_advisory_lock(${RUN_LOCK})`, [kit.workspace.workspaceId, run]);
    await own.query(
      `UPDATE "WorkflowStepRun" SET input = jsonb_set(input, '{until}', '"2000-01-01T00:00:00.000Z"'), "dueAt" = now() WHERE id = $1::uuid`,
      [step.id],
    );
    await until(async () => ((await lockWaiters()) >= 1 ? true : undefined));
    // Now its row: the step's transaction, let in, stops at its timeout's write of that row.
    await own.query('BEGIN');
    await own.query(`SELECT 1 FROM "WorkflowStepRun" WHERE id = $1::uuid FOR UPDATE`, [step.id]);
    await own.query(`SELECT pg_advisory_unlock(${RUN_LOCK})`, [kit.workspace.workspaceId, run]);
    await until(async () => {
      const { rows } = await own.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'transactionid'`);
      return rows.length === 1 ? true : undefined;
    });
    // The awaited change: its batch starts a run (the admission lock), then resumes the wait (the same row).
    await admin.query(RENAME, { id: target, name: 'Tess Changed' });
    const change = await kit.lastEvent('customer.updated');
    await until(async () => ((await lockWaiters()) >= 2 ? true : undefined));
    await own.query('COMMIT');

    // The wait timed out (its transaction had the row first) and the run ended; the delivery went through once.
    await eventually(kit, async () => {
      const { rows } = await own.query(`SELECT status::text FROM "WorkflowRun" WHERE id = $1::uuid`, [run]);
      expect(rows[0]?.status).toBe('SUCCEEDED');
    }, 30_000);
    const { rows: steps } = await own.query(`SELECT attempts, error, output FROM "WorkflowStepRun" WHERE id = $1::uuid`, [step.id]);
    expect(steps[0]).toMatchObject({ attempts: 1, error: null, output: { received: false } });
    const delivery = await until(async () => {
      const { rows } = await own.query(
        `SELECT status::text, attempts, "lastError" FROM "PluginDelivery" WHERE "pluginId" = 'workflows' AND "eventId" = $1::uuid`,
        [change.id],
      );
      return rows[0]?.status === 'DONE' || rows[0]?.lastError ? rows[0] : undefined;
    });
    expect(delivery).toMatchObject({ status: 'DONE', attempts: 1, lastError: null });
    expect(logged.join('').match(/deadlock detected.*/)?.[0] ?? null).toBeNull();
    expect(await deadlocks()).toBe(before);

    hold = false;
    for (const release of held.splice(0)) release();
  }, 90_000);
});
