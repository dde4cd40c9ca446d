// The send hold's due time by the database's clock (runs/send-hold.ts `heldUntil`): a step being sent stays claimed
// until its sender's limit plus a lease, and claims compare due times with the database's `now()` — so the hold is
// counted from the database's time of the step's read, not from the gateway's clock. The gateway's clock is set 30
// minutes behind (test/clock-skew.ts) between the email step's claim and its read: before, the hold ended 30 minutes
// early by the database's clock (a claim could find the step RUNNING while it was being sent and fail it "Interrupted
// while sending" although the mail went out). While it is skewed the test reads rows directly (clock-skew.ts: the rate
// limiter). Every other due time a step gets: test/due-clock.postgres.test.ts.
// Likewise a run held back by the concurrency limit and released by a limits change (admission.ts `releaseHeldRuns`):
// made due at the database's time, not the gateway's (30 minutes ahead there: before, held that long).
// The interleaving, as in lost-claim.postgres.test.ts: the run's first step waits for its customer's row (held by the
// test) while the test asks for the run's lock behind it; the email step is then queued and claimed, and its
// transaction waits for the run's lock, which the test releases once the clock is set back.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MailMessage, MailTransport } from '../src/mail/transport.js';
import { workflowsPlugin } from '../src/index.js';
import { databaseNow, SKEW_MS, skewClock, unskewClock } from './clock-skew.js';
import { lockWaiters, PLUGIN_LOCK } from './plugin-locks.js';
import { CUSTOMER, finishedRuns, ownConnection, publishedWorkflow, RUN, rowIdOf, switchAllOff, until } from './support.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;

const LEASE_MS = 5000;
const MAIL_LIMIT_MS = 20_000;

/** A transport that holds every message until `release()`; its limit `MAIL_LIMIT_MS`. */
const holding: (() => void)[] = [];
const release = () => holding.splice(0).forEach((resolve) => resolve());
const sent: MailMessage[] = [];
const mail: MailTransport = {
  timeoutMs: MAIL_LIMIT_MS,
  async send(message) {
    await new Promise<void>((resolve) => holding.push(resolve));
    sent.push(message);
    return { messageId: `held-${sent.length}@workflows` };
  },
};

let kit: PluginTestGateway;
let admin: TestClient;
/** Holds the customer's row (the run's first step waits for it). */
let rows: pg.Client;
/** Holds the run's lock (a session-level advisory lock). */
let locks: pg.Client;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail, pollMs: 50, leaseMs: LEASE_MS })], database: 'postgres' });
  admin = kit.workspace.client;
  rows = await ownConnection(kit);
  locks = await ownConnection(kit);
}, 120_000);
afterEach(async () => {
  unskewClock();
  release();
  await switchAllOff(kit, admin);
});
afterAll(async () => {
  unskewClock();
  release();
  await rows?.query('ROLLBACK').catch(() => {});
  await rows?.end();
  await locks?.end();
  await kit?.close();
});

interface MailRow {
  claims: number;
  status: string;
  dueAt: Date | null;
}
const mailStep = async (runId: string) =>
  (await kit.database.sql.query<MailRow>(`SELECT claims, status::text AS status, "dueAt" FROM "WorkflowStepRun" WHERE "runId" = $1::uuid AND "stepId" = 'mail'`, [runId]))[0];

describe('a step being sent, with the gateway’s clock behind the database’s', () => {
  it('is held until its limit plus a lease after its read, by the database’s clock', async () => {
    const workspaceId = kit.workspace.workspaceId;
    const id = await publishedWorkflow(admin, 'Tags, then mails', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'tag', kind: 'addTag', tag: 'seen' },
        { id: 'mail', kind: 'sendEmail', to: 'held@example.com', subject: 'Held', text: 'Held for its send' },
      ],
    });
    const customer = (await admin.query(CUSTOMER, { name: 'Skewed Sam' })).createCustomer.customer.id as string;
    // The tag step waits for its customer's row, holding the run's lock; the test asks for the lock behind it.
    await rows.query('BEGIN');
    await rows.query(`SELECT 1 FROM "Customer" WHERE id = $1::uuid FOR UPDATE`, [rowIdOf(customer)]);
    const runId = rowIdOf((await admin.query(RUN, { id, recordId: customer })).runWorkflow.run.id as string);
    await until(async () => ((await lockWaiters(rows)) >= 1 ? true : undefined));
    const runLocked = locks.query(`SELECT pg_advisory_lock(${PLUGIN_LOCK})`, [workspaceId, `run:${runId}`]);
    await until(async () => ((await lockWaiters(rows)) >= 2 ? true : undefined));
    await rows.query('COMMIT');
    await runLocked;
    // The email step claimed, its transaction waiting for the run's lock (its read not made yet).
    await until(async () => ((await mailStep(runId))?.claims === 1 && (await lockWaiters(locks)) >= 1 ? true : undefined));

    // The gateway's (this process's) clock 30 minutes behind from here on, running; then the step reads and is sent.
    skewClock(-SKEW_MS);
    const before = await databaseNow(kit);
    await locks.query(`SELECT pg_advisory_unlock(${PLUGIN_LOCK})`, [workspaceId, `run:${runId}`]);
    const marked = await until(async () => {
      const step = await mailStep(runId);
      return step && step.status !== 'PENDING' ? step : undefined;
    });
    const after = await databaseNow(kit);
    unskewClock();

    // Claimed until the send's limit plus a lease after the step's read, by the database's clock. Before: 30 minutes
    // early, so in the past — claimed again at once while being sent, and failed "Interrupted while sending".
    expect({ status: marked.status, claims: marked.claims }).toEqual({ status: 'RUNNING', claims: 1 });
    const dueAt = new Date(marked.dueAt!).getTime();
    expect(dueAt).toBeGreaterThanOrEqual(before + MAIL_LIMIT_MS + LEASE_MS);
    expect(dueAt).toBeLessThanOrEqual(after + MAIL_LIMIT_MS + LEASE_MS);

    release();
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED' });
    expect(sent.map((message) => message.to)).toEqual(['held@example.com']);
  }, 60_000);
});

describe('a run held back by the concurrency limit, with the gateway’s clock ahead of the database’s', () => {
  it('is let in at once when the limit is raised (releaseHeldRuns: due at the database’s "now")', async () => {
    // A workspace of its own: its API key is not used again once the clock is set back (the rate limiter's window).
    const held = (await kit.createWorkspace('Held back')).client;
    const id = await publishedWorkflow(held, 'Mails one at a time', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'mail', kind: 'sendEmail', to: 'one@example.com', subject: 'One', text: 'One at a time' }],
    });
    await held.query(SETTINGS, { settings: { maxConcurrentRuns: 1 } });
    try {
      const [first, second] = await Promise.all(['First', 'Second'].map(async (name) => (await held.query(CUSTOMER, { name })).createCustomer.customer.id as string));
      // The first run holds the one place while its email is being sent; the second is held back.
      const firstRun = rowIdOf((await held.query(RUN, { id, recordId: first })).runWorkflow.run.id as string);
      await until(async () => ((await mailStep(firstRun))?.status === 'RUNNING' ? true : undefined));
      const secondRun = rowIdOf((await held.query(RUN, { id, recordId: second })).runWorkflow.run.id as string);
      await until(async () => {
        const [run] = await kit.database.sql.query<{ heldBack: string | null }>(`SELECT "heldBack"::text AS "heldBack" FROM "WorkflowRun" WHERE id = $1::uuid`, [secondRun]);
        return run?.heldBack === 'CONCURRENCY' ? true : undefined;
      });

      // The gateway's clock 30 minutes ahead (its rate limiter takes a clock going on); the limit raised.
      skewClock(SKEW_MS);
      await held.query(SETTINGS, { settings: { maxConcurrentRuns: 5 } });
      // Let in and sending, beside the first. Before: made due at the gateway's "now", 30 minutes away by the
      // database's clock — held that long, its own fallback overwritten.
      const step = await until(async () => {
        const found = await mailStep(secondRun);
        return found?.status === 'RUNNING' ? found : undefined;
      });
      expect(step.status).toBe('RUNNING');
    } finally {
      unskewClock();
      release();
    }
  }, 60_000);
});
