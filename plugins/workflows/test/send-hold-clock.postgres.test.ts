// The send hold's due time by the database's clock (runs/send-hold.ts `heldUntil`): a step being sent stays claimed
// until its sender's limit plus a lease, and claims compare due times with the database's `now()` — so the hold is
// counted from the database's time of the step's read, not from the gateway's clock. The gateway runs in this process
// on PostgreSQL (a server of its own, with its own clock). Its clock is set 30 minutes behind (only `Date` faked,
// running on) between the email step's claim and its read: before, the hold ended 30 minutes early by the database's
// clock (a claim could find the step RUNNING while it was being sent and fail it "Interrupted while sending" although
// the mail went out). Only then: every other due time a step writes is still the gateway's (docs: "Not built yet"),
// and while it is skewed the test reads rows directly (the in-process gateway's rate limiter counts its windows by the
// same clock and refuses the API's requests of a clock set back).
// The interleaving, as in lost-claim.postgres.test.ts: the run's first step waits for its customer's row (held by the
// test) while the test asks for the run's lock behind it; the email step is then queued and claimed, and its
// transaction waits for the run's lock, which the test releases once the clock is set back.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MailMessage, MailTransport } from '../src/mail/transport.js';
import { workflowsPlugin } from '../src/index.js';
import { lockWaiters, PLUGIN_LOCK } from './plugin-locks.js';
import { CUSTOMER, finishedRuns, ownConnection, publishedWorkflow, RUN, rowIdOf, until } from './support.js';

const LEASE_MS = 5000;
const MAIL_LIMIT_MS = 20_000;
const SKEW_MS = 30 * 60_000;

/** A transport that holds every message until `release()`; its limit `MAIL_LIMIT_MS`. */
let release: () => void = () => {};
const sent: MailMessage[] = [];
const mail: MailTransport = {
  timeoutMs: MAIL_LIMIT_MS,
  async send(message) {
    await new Promise<void>((resolve) => {
      release = resolve;
    });
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
afterAll(async () => {
  vi.useRealTimers();
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
const databaseNow = async () => new Date((await kit.database.sql.query<{ now: Date }>('SELECT clock_timestamp() AS now'))[0]!.now).getTime();

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
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date(Date.now() - SKEW_MS));
    const before = await databaseNow();
    await locks.query(`SELECT pg_advisory_unlock(${PLUGIN_LOCK})`, [workspaceId, `run:${runId}`]);
    const marked = await until(async () => {
      const step = await mailStep(runId);
      return step && step.status !== 'PENDING' ? step : undefined;
    });
    const after = await databaseNow();
    vi.useRealTimers();

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
