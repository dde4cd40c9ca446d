// A `waitForEvent` against events committing around it, on PostgreSQL (concurrent connections), each interleaving made
// on purpose: a step held at a gate (step-gate.ts), a row lock the test's own connection holds, seen in pg_stat_activity.
// - An event that commits while the wait's transaction is under way (after its look, before its commit: no subscriber
//   can see its key yet) ends the wait: the step looks once more right after its commit.
// - An event a look already took for the run's first wait, delivered to the subscriber late (its lane busy), does not
//   end the run's second wait for the same event type and subject.
// - An event committed before the run started, delivered late, does not end its wait (the resume's `seq` bound).
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { arm, gatePlugin, hold } from './step-gate.js';
import { CUSTOMER, eventually, ownConnection, publishedWorkflow, rowIdOf, RUN, switchAllOff, until } from './support.js';

const RENAME = `mutation ($id: ID!, $name: String!) { updateCustomer(input: { id: $id, name: $name }) { customer { id } } }`;
const VIEW = `query ($id: ID!) { node(id: $id) { ... on WorkflowRun { status steps { stepId status output } } } }`;

interface View {
  status: string;
  steps: { stepId: string; status: string; output: { received?: boolean; event?: { id: string } } | null }[];
}

let kit: PluginTestGateway;
let admin: TestClient;
/** The test's own connection to the gateway's database: it holds row locks. */
let own: pg.Client;

beforeAll(async () => {
  kit = await startPluginTestGateway({
    plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 }), gatePlugin],
    database: 'postgres',
  });
  admin = kit.workspace.client;
  own = await ownConnection(kit);
}, 120_000);
afterEach(async () => {
  await own.query('ROLLBACK');
  await switchAllOff(kit, admin);
});
afterAll(async () => {
  await own?.end();
  await kit?.close();
});

const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;
const view = async (run: string) => (await admin.query(VIEW, { id: run })).node as View;
const stepOf = (v: View, stepId: string) => v.steps.find((s) => s.stepId === stepId);

/** Resolves once a statement of the test database whose text has `text` waits for a lock. */
const waitingForLock = (text: string) =>
  until(async () => {
    const [row] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND position($1 in query) > 0`,
      text,
    );
    return Number(row!.n) > 0 ? true : undefined;
  });

/** A waiting step's row: its due time (the timeout once both looks are done) and whether it still has its key. */
async function waitRow(runId: string, stepId: string) {
  const rows = await kit.database.prisma.$queryRawUnsafe<{ id: string; status: string; dueAt: Date | null; waitKey: string | null }[]>(
    `SELECT id::text, status::text, "dueAt", "waitKey" FROM "WorkflowStepRun" WHERE "runId" = $1::uuid AND "stepId" = $2`,
    runId,
    stepId,
  );
  return rows[0];
}
/** Resolves once the step waits with both its looks done (due at its timeout, days away). */
const waitingAfterBothLooks = (runId: string, stepId: string) =>
  until(async () => {
    const row = await waitRow(runId, stepId);
    return row?.status === 'WAITING' && row.waitKey && row.dueAt && row.dueAt.getTime() > Date.now() + 86_400_000 ? row : undefined;
  });

/**
 * A run waiting on another customer, whose step's row the test can hold (`hold`): a delivery resuming it then waits,
 * and the subscriber's lane in this workspace with it (later events queue behind). `ended`: once the lane went on, the
 * blocker's own change ended its wait.
 */
async function laneBlocker(name: string) {
  const blocker = await publishedWorkflow(admin, name, {
    trigger: { kind: 'manual', object: 'Customer' },
    steps: [{ id: 'w', kind: 'waitForEvent', eventType: 'customer.updated', timeout: { days: 3 } }],
  });
  const other = await customer(`${name} Other`);
  const blocked = (await admin.query(RUN, { id: blocker, recordId: other })).runWorkflow.run.id as string;
  const blockedStep = await waitingAfterBothLooks(rowIdOf(blocked), 'w');
  return {
    async hold() {
      await own.query('BEGIN');
      await own.query(`SELECT 1 FROM "WorkflowStepRun" WHERE id = $1::uuid FOR UPDATE`, [blockedStep.id]);
      await admin.query(RENAME, { id: other, name: `${name} Changed` });
      await waitingForLock('"WorkflowStepRun"');
    },
    ended: () => eventually(kit, async () => expect((await view(blocked)).status).toBe('SUCCEEDED'), 60_000),
  };
}

/** Whether the workflows subscriber has handled the event (its delivery mark). */
async function delivered(eventId: string): Promise<boolean> {
  const rows = await kit.database.prisma.$queryRawUnsafe<{ status: string }[]>(
    `SELECT status::text FROM "PluginDelivery" WHERE "pluginId" = 'workflows' AND "eventId" = $1::uuid`,
    eventId,
  );
  return rows[0]?.status === 'DONE';
}

describe('waitForEvent and an event committing around the wait', () => {
  it('an event committed while the wait’s transaction is under way ends it (the look right after the commit)', async () => {
    const id = await publishedWorkflow(admin, 'Look after commit', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [hold('look-after-commit'), { id: 'reply', kind: 'waitForEvent', eventType: 'customer.updated', timeout: { days: 3 } }],
    });
    const target = await customer('Cora Commit');
    const gate = arm('look-after-commit');
    const run = (await admin.query(RUN, { id, recordId: target })).runWorkflow.run.id as string;
    await gate.entered;
    // The run's row held: the wait's transaction will look, then wait to write the run WAITING (its last statement).
    await own.query('BEGIN');
    await own.query(`SELECT 1 FROM "WorkflowRun" WHERE id = $1::uuid FOR NO KEY UPDATE`, [rowIdOf(run)]);
    gate.release();
    await waitingForLock('UPDATE "WorkflowRun"');
    // The change commits now, and its delivery finds no key to resume (the wait's row is not committed).
    await admin.query(RENAME, { id: target, name: 'Cora Answered' });
    await kit.settled();
    const change = await kit.lastEvent('customer.updated');
    expect(await delivered(change.id)).toBe(true);
    expect((await waitRow(rowIdOf(run), 'reply'))?.status).toBe('PENDING');
    await own.query('ROLLBACK');
    const ended = await eventually(kit, async () => {
      const found = await view(run);
      expect(found.status).toBe('SUCCEEDED');
      return found;
    });
    expect(stepOf(ended, 'reply')?.output).toMatchObject({ received: true, event: { id: change.id } });
  });

  it('an event a look took for the first wait, delivered late, does not end the second wait', async () => {
    const lane = await laneBlocker('Blocker');

    const id = await publishedWorkflow(admin, 'Twice late', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        hold('late-delivery'),
        { id: 'first', kind: 'waitForEvent', eventType: 'customer.updated', timeout: { days: 3 } },
        { id: 'second', kind: 'waitForEvent', eventType: 'customer.updated', timeout: { days: 3 } },
      ],
    });
    const target = await customer('Tia Twice');
    const gate = arm('late-delivery');
    const run = (await admin.query(RUN, { id, recordId: target })).runWorkflow.run.id as string;
    await gate.entered;

    await lane.hold();
    // The awaited change commits; its delivery waits in the lane.
    await admin.query(RENAME, { id: target, name: 'Tia Once' });
    const change = await kit.lastEvent('customer.updated');
    expect(await delivered(change.id)).toBe(false);
    // The first wait's look takes it; the second wait starts, looks (the change is the first's) and waits.
    gate.release();
    await waitingAfterBothLooks(rowIdOf(run), 'second');
    expect(stepOf(await view(run), 'first')?.output).toMatchObject({ received: true, event: { id: change.id } });

    // The lane goes on: the change is delivered now, after the second wait began.
    await own.query('ROLLBACK');
    await kit.settled();
    expect(await delivered(change.id)).toBe(true);
    // It resumed nothing: the second wait still listens, with no event (a resumed wait keeps WAITING until its run wakes).
    expect(await waitRow(rowIdOf(run), 'second')).toMatchObject({ status: 'WAITING', waitKey: `customer.updated:${rowIdOf(target)}` });
    expect(stepOf(await view(run), 'second')?.output).toBeNull();
    // A new change ends it.
    await admin.query(RENAME, { id: target, name: 'Tia Twice Again' });
    const again = await kit.lastEvent('customer.updated');
    const ended = await eventually(kit, async () => {
      const found = await view(run);
      expect(found.status).toBe('SUCCEEDED');
      return found;
    });
    expect(stepOf(ended, 'second')?.output).toMatchObject({ received: true, event: { id: again.id } });
    await lane.ended();
  });

  it('an event committed before the run started, delivered late, does not end its wait', async () => {
    const lane = await laneBlocker('Blocker before start');
    const id = await publishedWorkflow(admin, 'From before', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'reply', kind: 'waitForEvent', eventType: 'customer.updated', timeout: { days: 3 } }],
    });
    const target = await customer('Bea Before');
    await lane.hold();
    // The change commits (its delivery waits in the lane), THEN the run starts: the change is at or below its startSeq.
    await admin.query(RENAME, { id: target, name: 'Bea Renamed' });
    const change = await kit.lastEvent('customer.updated');
    expect(await delivered(change.id)).toBe(false);
    const run = (await admin.query(RUN, { id, recordId: target })).runWorkflow.run.id as string;
    // Both looks start after the run's start: they do not see the change, and the step listens.
    await waitingAfterBothLooks(rowIdOf(run), 'reply');

    // The lane goes on: the change is delivered now, to a wait that started after it committed.
    await own.query('ROLLBACK');
    await kit.settled();
    expect(await delivered(change.id)).toBe(true);
    expect(await waitRow(rowIdOf(run), 'reply')).toMatchObject({ status: 'WAITING', waitKey: `customer.updated:${rowIdOf(target)}` });
    const found = await view(run);
    expect(found.status).toBe('WAITING');
    expect(stepOf(found, 'reply')?.output).toBeNull();
    await lane.ended();
  });
});
