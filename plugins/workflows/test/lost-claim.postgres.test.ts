// An email step's claim lost between its read and its RUNNING mark (the claim re-check, runs/execute-step.ts
// `stillClaimed`): claim A reads the step; its lease ends and claim B commits before A's RUNNING mark is written. Without
// the re-check A committed RUNNING and sent; its outcome's transaction found a claim not its own and recorded nothing,
// and B found the step RUNNING and failed it "Interrupted while sending" although the mail was delivered. With it, A
// rolls back and sends nothing, B sends once, and the loss is reported (the host's `onError`: the gateway's stderr) —
// each claim could otherwise lose the same way, once per lease, without a trace.
// The interleaving, on PostgreSQL with the test's own connections: the run's lock (A waits there before its read), then
// the step's row (A's RUNNING mark waits there after its read) while "B" — the test, as a claim would — counts a claim
// on the row and makes it due, and commits.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { lockWaiters, PLUGIN_LOCK } from './plugin-locks.js';
import { CUSTOMER, eventually, ownConnection, publishedWorkflow, rowIdOf, RUN, until } from './support.js';

let kit: PluginTestGateway;
let admin: TestClient;
const mail = testTransport();
/** Holds a customer's row (the run's first step waits for it), then the email step's row. */
let rows: pg.Client;
/** Holds the run's lock (a session-level advisory lock). */
let locks: pg.Client;

beforeAll(async () => {
  // A long lease: the step is claimed again only when the test says so.
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail, pollMs: 50, leaseMs: 60_000 })], database: 'postgres' });
  admin = kit.workspace.client;
  rows = await ownConnection(kit);
  locks = await ownConnection(kit);
}, 120_000);
afterAll(async () => {
  await rows?.query('ROLLBACK').catch(() => {});
  await rows?.end();
  await locks?.end();
  await kit?.close();
});

interface MailRow {
  id: string;
  status: string;
  claims: number;
  attempts: number;
  error: string | null;
}
const mailStep = async (runId: string) =>
  (
    await kit.database.prisma.$queryRawUnsafe<MailRow[]>(
      `SELECT id::text AS id, status::text AS status, claims, attempts, error FROM "WorkflowStepRun" WHERE "runId" = $1::uuid AND "stepId" = 'mail'`,
      runId,
    )
  )[0];

describe('an email step whose claim is taken over before its RUNNING mark', () => {
  it('is sent once, by the later claim, and succeeds; the lost claim is reported', async () => {
    const workspaceId = kit.workspace.workspaceId;
    const id = await publishedWorkflow(admin, 'Tags, then mails', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'tag', kind: 'addTag', tag: 'seen' },
        { id: 'mail', kind: 'sendEmail', to: 'once@example.com', subject: 'Once', text: 'Only once' },
      ],
    });
    const customer = (await admin.query(CUSTOMER, { name: 'Lost Claim Lou' })).createCustomer.customer.id as string;
    const write = vi.spyOn(process.stderr, 'write');
    const logged = () => write.mock.calls.map(([chunk]) => String(chunk)).join('');
    try {
      // The tag step waits for its customer's row, holding the run's lock; the test asks for that lock behind it, so it
      // has it when the tag step commits, before the email step's claim (which comes after that commit) asks.
      await rows.query('BEGIN');
      await rows.query(`SELECT 1 FROM "Customer" WHERE id = $1::uuid FOR UPDATE`, [rowIdOf(customer)]);
      const runId = rowIdOf((await admin.query(RUN, { id, recordId: customer })).runWorkflow.run.id as string);
      await until(async () => ((await lockWaiters(rows)) >= 1 ? true : undefined));
      const runLocked = locks.query(`SELECT pg_advisory_lock(${PLUGIN_LOCK})`, [workspaceId, `run:${runId}`]);
      await until(async () => ((await lockWaiters(rows)) >= 2 ? true : undefined));
      await rows.query('COMMIT');
      await runLocked;

      // Claim A waits for the run's lock.
      const claimed = await until(async () => {
        const step = await mailStep(runId);
        return step && step.claims === 1 && (await lockWaiters(locks)) >= 1 ? step : undefined;
      });
      expect(claimed.status).toBe('PENDING');
      // The test takes the step's row, then lets A read: A's RUNNING mark waits for the row.
      await rows.query('BEGIN');
      await rows.query(`SELECT 1 FROM "WorkflowStepRun" WHERE id = $1::uuid FOR UPDATE`, [claimed.id]);
      await locks.query(`SELECT pg_advisory_unlock(${PLUGIN_LOCK})`, [workspaceId, `run:${runId}`]);
      await until(async () => ((await lockWaiters(rows)) >= 1 ? true : undefined));
      // Claim B, as the queue makes one once A's lease has ended, commits before A's mark.
      await rows.query(`UPDATE "WorkflowStepRun" SET claims = claims + 1, "dueAt" = now() WHERE id = $1::uuid`, [claimed.id]);
      await rows.query('COMMIT');

      const done = await eventually(kit, async () => {
        const step = (await mailStep(runId))!;
        expect(step.status).toMatch(/SUCCEEDED|FAILED/);
        return step;
      });
      // Before the re-check: FAILED "Interrupted while sending", the mail delivered all the same.
      expect({ status: done.status, attempts: done.attempts, error: done.error }).toEqual({ status: 'SUCCEEDED', attempts: 1, error: null });
      expect(mail.sent.filter((message) => message.subject === 'Once')).toHaveLength(1);
      await until(async () => (logged().includes(`workflow step ${claimed.id}: claim taken over before its RUNNING mark`) ? true : undefined), 10_000);
    } finally {
      write.mockRestore();
    }
  }, 60_000);
});
