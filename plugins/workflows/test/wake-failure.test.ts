// A step transaction that frees a place wakes held runs once it has committed (runs/execute-step.ts `committed`,
// admission.ts `wakeHeld`). Should that wake fail, the step has committed all the same: the error is logged, not
// recorded as the step's failure — before, the step's catch took it for a failed try, and a `waitForEvent` that had
// started waiting was turned into a retry with the wake's error. The held run is then left to its fallback. The wake is
// made to fail by the database: a trigger the test adds refuses the held step's row being made due early. The error
// goes to the host's report (QueueContext.report: the gateway's log, here its stderr), not to console.warn.
// On a claimed batch's path too (admission.ts `afterCommit`): before, the wake's error was thrown out of the batch, and
// the claim's other items (an HTTP step) waited for their lease to end.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, publishedWorkflow, rowIdOf, RUN, startReceiver, until } from './support.js';

/** The host's log lines (the test kit's gateway logs errors to stderr) written while `work` runs, and its answer. */
async function logged<T>(work: (lines: () => string) => Promise<T>): Promise<{ value: T; lines: string }> {
  const write = vi.spyOn(process.stderr, 'write');
  const lines = () => write.mock.calls.map(([chunk]) => String(chunk)).join('');
  try {
    return { value: await work(lines), lines: lines() };
  } finally {
    write.mockRestore();
  }
}

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
/** Requests naming "Running" are held open until released: that run executes meanwhile. */
const held: (() => void)[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;
/** The next request of the run named "Called" is answered 500. */
let failNext = false;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 })], webhooks: { allowPrivateTargets: true } });
  admin = kit.workspace.client;
  receiver = await startReceiver(
    () => {
      const fail = failNext && receiver.received.at(-1)!.body.includes('Called');
      if (fail) failNext = false;
      return fail ? 500 : 200;
    },
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

/**
 * Runs `work` while the database refuses the held step's row being made due early (a trigger the test adds): a wake's
 * transaction fails. The trigger is dropped after it, whatever happens.
 */
async function refusingWake<T>(heldStepId: string, work: () => Promise<T>): Promise<T> {
  await sql(`CREATE FUNCTION test_refuse_wake() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'wake refused by the test'; END $$`);
  await sql(
    `CREATE TRIGGER test_refuse_wake BEFORE UPDATE ON "WorkflowStepRun" FOR EACH ROW
     WHEN (OLD.id = '${heldStepId}'::uuid AND NEW."dueAt" < OLD."dueAt") EXECUTE FUNCTION test_refuse_wake()`,
  );
  try {
    return await work();
  } finally {
    await sql(`DROP TRIGGER test_refuse_wake ON "WorkflowStepRun"`);
    await sql(`DROP FUNCTION test_refuse_wake()`);
  }
}

/** Runs the workflow by hand on a new customer named `name`; the run's row id. */
async function runOf(workflow: string, name: string): Promise<string> {
  const customer = (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;
  return rowIdOf((await admin.query(RUN, { id: workflow, recordId: customer })).runWorkflow.run.id as string);
}

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
    const run = (name: string) => runOf(id, name);
    const running = await run('Running Rae');
    await until(async () => (held.length === 1 ? true : undefined));
    const heldRun = await run('Held Hob');
    const [heldStep] = await until(async () => {
      const steps = await stepsOf(heldRun);
      return steps[0]?.heldBack === 'CONCURRENCY' ? steps : undefined;
    });

    // The database refuses the held step's row being made due early: the wake's transaction fails.
    const { lines: warnings } = await refusingWake(heldStep!.id, () =>
      // The running run's request is answered: its next step starts waiting for an event, which frees its place, and
      // the wake after that transaction's commit fails.
      logged(async (lines) => {
        for (const release of held.splice(0)) release();
        await until(async () => {
          const wait = (await stepsOf(running))[1];
          return lines().includes('wake refused by the test') || wait?.error ? true : undefined;
        });
      }),
    );
    // The waitForEvent waits as it committed, no try failed (before, the wake's error was recorded on it as a failed try).
    const [, wait] = await stepsOf(running);
    expect({ status: wait!.status, error: wait!.error, run: wait!.runStatus }).toEqual({ status: 'WAITING', error: null, run: 'WAITING' });
    expect(warnings).toContain('wake refused by the test');
    // The held run goes on at its fallback.
    await eventually(kit, async () => expect((await stepsOf(heldRun)).map((s) => s.status)).toEqual(['SUCCEEDED', 'WAITING']), 30_000);
  }, 60_000);

  it('on a claimed batch: is reported, and the claim\'s other items go on at once (an HTTP step in it is sent)', async () => {
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 3 } });
    // Two runs waiting (their wait ends when the test says: the runs end, freeing their places) and a run whose HTTP
    // step failed once (answered 500) and waits an hour for its retry.
    const waits = await publishedWorkflow(admin, 'Waits', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'pause', kind: 'wait', for: { days: 1 } }] });
    const call = await publishedWorkflow(admin, 'Calls again', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'call', kind: 'httpRequest', url: receiver.url, body: { run: '{{trigger.record.name}}' }, retry: { attempts: 3, backoff: { hours: 1 } } }],
    });
    const waiting = [await runOf(waits, 'Waits one'), await runOf(waits, 'Waits two')];
    failNext = true;
    const calling = await runOf(call, 'Called Cal');
    const [failed] = await until(async () => {
      const steps = await stepsOf(calling);
      return steps[0]?.status === 'PENDING' && steps[0].runStatus === 'WAITING' && steps[0].attempts === 1 ? steps : undefined;
    });
    for (const run of waiting) await until(async () => ((await stepsOf(run))[0]?.status === 'WAITING' ? true : undefined));
    // The places taken (three requests held open) and a fourth run held back: this process holds a run of the workspace.
    const blocking = await publishedWorkflow(admin, 'Blocks', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'call', kind: 'httpRequest', url: receiver.url, body: { run: '{{trigger.record.name}}' } }] });
    for (const name of ['Running one', 'Running two', 'Running three']) await runOf(blocking, name);
    await until(async () => (held.length === 3 ? true : undefined));
    const heldRun = await runOf(blocking, 'Held Hal');
    const [heldStep] = await until(async () => {
      const steps = await stepsOf(heldRun);
      return steps[0]?.heldBack === 'CONCURRENCY' ? steps : undefined;
    });
    await refusingWake(heldStep!.id, async () => {
      const { value: claim, lines } = await logged(async () => {
        // The three blocking runs end (their wakes refused: the held run stays held).
        for (const release of held.splice(0)) release();
        for (const name of ['Running one', 'Running two', 'Running three']) await until(async () => (receiver.received.some((r) => r.body.includes(name)) ? true : undefined));
        await until(async () => {
          const [row] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM "WorkflowRun" WHERE status = 'RUNNING'`);
          return row!.n === 0 ? true : undefined;
        });
        // In one statement: the two waits over and the retry due now (one claim takes them together), and the held
        // step's fallback moved a few seconds on (a later due time: the trigger lets it), so it is still held when the
        // claim's batch frees two places and wakes.
        const waitIds = await Promise.all(waiting.map(async (run) => (await stepsOf(run))[0]!.id));
        const [claims] = await sql<{ claims: number }>(
          `WITH due AS (
             UPDATE "WorkflowStepRun" SET
               "dueAt" = CASE WHEN id = $2::uuid THEN greatest("dueAt", now() + interval '8 seconds') ELSE now() END,
               input = CASE WHEN id = ANY($1::uuid[]) THEN jsonb_build_object('until', now() - interval '1 second') ELSE input END
             WHERE id = ANY($1::uuid[]) OR id = $2::uuid OR id = $3::uuid RETURNING id, claims)
           SELECT claims FROM due WHERE id = $3::uuid`,
          waitIds,
          heldStep!.id,
          failed!.id,
        );
        // The HTTP step is sent again and succeeds on that claim (before the fix: after its 60 s lease, on another).
        await until(async () => ((await stepsOf(calling))[0]?.status === 'SUCCEEDED' ? true : undefined), 45_000);
        return claims!.claims;
      });
      const [row] = await sql<{ claims: number }>(`SELECT claims FROM "WorkflowStepRun" WHERE id = $1::uuid`, failed!.id);
      expect(row!.claims).toBe(claim + 1);
      expect(lines).toContain('wake refused by the test');
      // The waits ended on that claim, no error.
      for (const run of waiting) expect((await stepsOf(run)).map((step) => [step.status, step.error, step.runStatus])).toEqual([['SUCCEEDED', null, 'SUCCEEDED']]);
    });
  }, 120_000);
});
