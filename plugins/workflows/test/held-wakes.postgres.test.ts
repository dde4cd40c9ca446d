// Runs held back by the concurrency limit are woken when places free up (runs/admission.ts `wakeHeld`), never left to
// the 10 s fallback: not when two transactions free places at once (each wakes its own held run), not when a RUNNING
// run is cancelled. On PostgreSQL, with the interleavings made on purpose: the test holds a held step's row lock on a
// connection of its own, so both freeing transactions are under way at once (seen in pg_stat_activity), without
// sleeps. What the rows say is the proof: a woken run's step started before the fallback due time it was held with.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { lockWaiters, PLUGIN_LOCK, pluginLockers } from './plugin-locks.js';
import { CUSTOMER, eventually, ownConnection, publishedWorkflow, rowIdOf, RUN, startReceiver, switchAllOff, until } from './support.js';

const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`;
const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;
const CANCEL = `mutation ($id: ID!) { cancelWorkflowRun(input: { id: $id }) { run { status } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
/** The test's own connection to the gateway's database: it holds a held step's row lock. */
let own: pg.Client;
let hold = false;
const held: (() => void)[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
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
afterEach(async () => {
  hold = false;
  for (const release of held.splice(0)) release();
  await own.query('ROLLBACK').catch(() => {});
  await own.query('SELECT pg_advisory_unlock_all()');
  await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 20 } });
  await switchAllOff(kit, admin);
});
afterAll(async () => {
  hold = false;
  for (const release of held.splice(0)) release();
  await own?.end();
  await receiver?.close();
  await kit?.close();
});

const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;

interface StepRow {
  runId: string;
  stepId: string;
  runStatus: string;
  heldBack: string | null;
  dueAt: Date | null;
  startedAt: Date | null;
}

/** The workflow's runs' first steps, as the rows say. */
async function stepsOf(workflowId: string): Promise<StepRow[]> {
  const { rows } = await own.query<StepRow>(
    `SELECT r.id::text AS "runId", s.id::text AS "stepId", r.status::text AS "runStatus", r."heldBack"::text AS "heldBack", s."dueAt", s."startedAt"
     FROM "WorkflowRun" r JOIN "WorkflowStepRun" s ON s."runId" = r.id WHERE r."workflowId" = $1::uuid ORDER BY s."dueAt", s.id`,
    [workflowId],
  );
  return rows;
}

/** The runs held back by the concurrency limit, once `count` of them are, oldest first (as `wakeHeld` takes them). */
const heldRuns = (workflowId: string, count: number) =>
  until(async () => {
    const found = (await stepsOf(workflowId)).filter((s) => s.runStatus === 'QUEUED' && s.heldBack === 'CONCURRENCY');
    return found.length === count ? found : undefined;
  });

/** Backends waiting for the workspace's admission lock. */
const admissionWaiters = () => pluginLockers(own, kit.workspace.workspaceId, 'admission', 'waiting');

/** Each run's step started before the fallback due time it was held with: it was woken, not left to the fallback. */
async function expectWokenBeforeFallback(workflowId: string, wereHeld: readonly StepRow[]) {
  const now = await until(async () => {
    const found = await stepsOf(workflowId);
    return wereHeld.every((h) => found.find((s) => s.stepId === h.stepId)?.startedAt) ? found : undefined;
  });
  for (const before of wereHeld) {
    const after = now.find((s) => s.stepId === before.stepId)!;
    expect({ run: after.runId, startedBeforeFallback: after.startedAt!.getTime() < before.dueAt!.getTime() }).toEqual({ run: after.runId, startedBeforeFallback: true });
  }
}

describe('held runs woken as places free up', () => {
  it('two runs ending at once wake two held runs, not the same one twice', async () => {
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 2 } });
    const id = await publishedWorkflow(admin, 'Two places at once', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'call', kind: 'httpRequest', url: receiver.url, body: { run: '{{trigger.record.name}}' } }],
    });
    const workflowId = rowIdOf(id);
    hold = true;
    const targets = await Promise.all(Array.from({ length: 4 }, (_, i) => customer(`Twice ${i}`)));
    expect((await admin.query(ON_RECORDS, { id, ids: targets })).runWorkflowOnRecords.started).toBe(4);
    // Two runs execute (their requests held open); two are held back.
    await until(async () => (receiver.received.length === 2 ? true : undefined));
    const wereHeld = await heldRuns(workflowId, 2);

    // The held steps' rows are locked here: both runs' ending transactions get as far as waking one, at once.
    await own.query('BEGIN');
    await own.query(`SELECT id FROM "WorkflowStepRun" WHERE id = ANY($1::uuid[]) FOR UPDATE`, [wereHeld.map((h) => h.stepId)]);
    // The two running runs end; the woken ones stay RUNNING (their requests held open), so that only those two endings
    // can wake anything.
    for (const release of held.splice(0)) release();
    // Both are under way: before the fix both wait for the same row (both read it as the oldest held); with it, one
    // waits for the row and the other for the admission lock (it reads after the first has committed).
    await until(async () => ((await lockWaiters(own)) >= 2 ? true : undefined));
    await own.query('COMMIT');

    // Each held run was woken by one of them: before the fix the second held run waited for the 10 s fallback.
    await expectWokenBeforeFallback(workflowId, wereHeld);
    hold = false;
    for (const release of held.splice(0)) release();
    await eventually(kit, async () => expect((await stepsOf(workflowId)).map((s) => s.runStatus)).toEqual(Array(4).fill('SUCCEEDED')), 30_000);
    expect(receiver.received).toHaveLength(4);
  }, 60_000);

  it('cancelling a RUNNING run lets a held run in at once', async () => {
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 1 } });
    const id = await publishedWorkflow(admin, 'Cancel frees a place', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'call', kind: 'httpRequest', url: receiver.url, body: { run: '{{trigger.record.name}}' } }],
    });
    const workflowId = rowIdOf(id);
    hold = true;
    const sent = receiver.received.length;
    const first = (await admin.query(RUN, { id, recordId: await customer('Cancelled Carl') })).runWorkflow.run.id as string;
    await until(async () => (receiver.received.length === sent + 1 ? true : undefined));
    await admin.query(RUN, { id, recordId: await customer('Held Hanna') });
    const wereHeld = await heldRuns(workflowId, 1);

    expect((await admin.query(CANCEL, { id: first })).cancelWorkflowRun.run.status).toBe('CANCELLED');
    // The held run's request is sent (and held open) long before its fallback: before the fix it waited the 10 s.
    await until(async () => (receiver.received.length === sent + 2 ? true : undefined));
    await expectWokenBeforeFallback(workflowId, wereHeld);
  }, 60_000);

  it('a change of the limits releases held runs through the admission lock, as wakeHeld wakes them', async () => {
    // Both write held steps' rows: through one lock they never do so at once (before, the release's rows in the
    // table's order and a wake's in id order could each wait for the other).
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 1 } });
    const id = await publishedWorkflow(admin, 'Limits changed', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'call', kind: 'httpRequest', url: receiver.url, body: { run: '{{trigger.record.name}}' } }],
    });
    const workflowId = rowIdOf(id);
    hold = true;
    const sent = receiver.received.length;
    await admin.query(RUN, { id, recordId: await customer('Running Rita') });
    await until(async () => (receiver.received.length === sent + 1 ? true : undefined));
    await admin.query(RUN, { id, recordId: await customer('Released Rob') });
    const [wasHeld] = await heldRuns(workflowId, 1);

    await own.query(`SELECT pg_advisory_lock(${PLUGIN_LOCK})`, [kit.workspace.workspaceId, 'admission']);
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 2 } });
    // The release waits for the lock, the held step's row untouched (before the fix it was released at once: its
    // claim, waiting for the lock to admit it, had moved it a lease ahead).
    await until(async () => ((await admissionWaiters()) > 0 ? true : undefined));
    const during = (await stepsOf(workflowId)).find((s) => s.stepId === wasHeld!.stepId)!;
    expect(during.dueAt).toEqual(wasHeld!.dueAt);
    await own.query(`SELECT pg_advisory_unlock(${PLUGIN_LOCK})`, [kit.workspace.workspaceId, 'admission']);
    await until(async () => (receiver.received.length === sent + 2 ? true : undefined));
    await expectWokenBeforeFallback(workflowId, [wasHeld!]);
  }, 60_000);
  it('a run ending while a hold is under way wakes the held run (its wake sees the hold once it has committed)', async () => {
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 1 } });
    const id = await publishedWorkflow(admin, 'Ends under a hold', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'call', kind: 'httpRequest', url: receiver.url, body: { run: '{{trigger.record.name}}' } }],
    });
    const workflowId = rowIdOf(id);
    hold = true;
    const sent = receiver.received.length;
    const first = rowIdOf((await admin.query(RUN, { id, recordId: await customer('Ending Eve') })).runWorkflow.run.id as string);
    await until(async () => (receiver.received.length === sent + 1 ? true : undefined));
    // Its ending transaction stops at its run's row (held here): it has not committed when the next run is held.
    await own.query('BEGIN');
    await own.query(`SELECT 1 FROM "WorkflowRun" WHERE id = $1::uuid FOR NO KEY UPDATE`, [first]);
    for (const release of held.splice(0)) release();
    await until(async () => ((await lockWaiters(own)) >= 1 ? true : undefined));
    await admin.query(RUN, { id, recordId: await customer('Held Hal') });
    const wereHeld = await heldRuns(workflowId, 1);
    await own.query('COMMIT');
    // Before the fix its wake had looked for holds before it blocked (none yet), and the held run waited the 10 s.
    await expectWokenBeforeFallback(workflowId, wereHeld);
  }, 60_000);
});
