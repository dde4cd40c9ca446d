// A step transaction that frees a place wakes held runs once it has committed (runs/execute-step.ts `committed`,
// admission.ts `wakeHeld`). Should that wake fail, the step has committed all the same: the error is logged, not
// recorded as the step's failure — before, the step's catch took it for a failed try, and a `waitForEvent` that had
// started waiting was turned into a retry with the wake's error. The held run is then left to its fallback. The wake is
// made to fail by the database: a trigger the test adds refuses the held step's row being made due early.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, publishedWorkflow, rowIdOf, RUN, startReceiver, until } from './support.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
/** Requests naming "Running" are held open until released: that run executes meanwhile. */
const held: (() => void)[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 })], webhooks: { allowPrivateTargets: true } });
  admin = kit.workspace.client;
  receiver = await startReceiver(
    () => 200,
    () => (receiver.received.at(-1)!.body.includes('Running') ? new Promise<void>((release) => held.push(release)) : Promise.resolve()),
  );
});
afterAll(async () => {
  for (const release of held.splice(0)) release();
  await receiver?.close();
  await kit?.close();
});

const sql = <T>(text: string, ...values: unknown[]) => kit.database.prisma.$queryRawUnsafe<T[]>(text, ...values);
const stepsOf = (runId: string) =>
  sql<{ id: string; stepId: string; status: string; error: string | null; attempts: number; runStatus: string; heldBack: string | null }>(
    `SELECT s.id::text AS id, s."stepId", s.status::text AS status, s.error, s.attempts, r.status::text AS "runStatus", r."heldBack"::text AS "heldBack"
     FROM "WorkflowStepRun" s JOIN "WorkflowRun" r ON r.id = s."runId" WHERE r.id = $1::uuid ORDER BY s.seq`,
    runId,
  );

describe('a wake failing after its step committed', () => {
  it('is logged; the step that freed the place keeps what it committed (a waitForEvent waiting)', async () => {
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 1 } });
    const id = await publishedWorkflow(admin, 'Calls, then waits', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'call', kind: 'httpRequest', url: receiver.url, body: { run: '{{trigger.record.name}}' } },
        { id: 'wait', kind: 'waitForEvent', eventType: 'customer.updated', subjectId: '{{trigger.record.id}}', timeout: { days: 1 } },
      ],
    });
    const run = async (name: string) => {
      const customer = (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;
      return rowIdOf((await admin.query(RUN, { id, recordId: customer })).runWorkflow.run.id as string);
    };
    const running = await run('Running Rae');
    await until(async () => (held.length === 1 ? true : undefined));
    const heldRun = await run('Held Hob');
    const [heldStep] = await until(async () => {
      const steps = await stepsOf(heldRun);
      return steps[0]?.heldBack === 'CONCURRENCY' ? steps : undefined;
    });

    // The database refuses the held step's row being made due early: the wake's transaction fails.
    await sql(`CREATE FUNCTION test_refuse_wake() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'wake refused by the test'; END $$`);
    await sql(
      `CREATE TRIGGER test_refuse_wake BEFORE UPDATE ON "WorkflowStepRun" FOR EACH ROW
       WHEN (OLD.id = '${heldStep!.id}'::uuid AND NEW."dueAt" < OLD."dueAt") EXECUTE FUNCTION test_refuse_wake()`,
    );
    const warn = vi.spyOn(console, 'warn');
    let warnings = '';
    try {
      // The running run's request is answered: its next step starts waiting for an event, which frees its place, and
      // the wake after that transaction's commit fails.
      for (const release of held.splice(0)) release();
      await until(async () => {
        const wait = (await stepsOf(running))[1];
        const warned = warn.mock.calls.some(([message]) => String(message).includes('wake refused by the test'));
        return warned || wait?.error ? true : undefined;
      });
      warnings = warn.mock.calls.map(([message]) => String(message)).join('\n');
    } finally {
      warn.mockRestore();
      await sql(`DROP TRIGGER test_refuse_wake ON "WorkflowStepRun"`);
      await sql(`DROP FUNCTION test_refuse_wake()`);
    }
    // The waitForEvent waits as it committed, no try failed (before, the wake's error was recorded on it as a failed try).
    const [, wait] = await stepsOf(running);
    expect({ status: wait!.status, error: wait!.error, run: wait!.runStatus }).toEqual({ status: 'WAITING', error: null, run: 'WAITING' });
    expect(warnings).toContain('wake refused by the test');
    // The held run goes on at its fallback.
    await eventually(kit, async () => expect((await stepsOf(heldRun)).map((s) => s.status)).toEqual(['SUCCEEDED', 'WAITING']), 30_000);
  }, 60_000);
});
