// Due times by the database's clock (runs/database-clock.ts): claims compare a step's `dueAt` with the database's
// `now()`, so every due time a run's steps get counts from the database's time, as the statements that already run
// answer it — a run's first step, a wait's end, a retry's backoff, a wait's timeout. With the gateway's clock 30
// minutes off (test/clock-skew.ts), each way: before, a clock ahead delayed each step by the skew (the run never went
// on within the test), and one behind ended waits and backoffs early (due in the past, by the database's clock).
// Rows are read directly and each test has a workspace of its own (clock-skew.ts: the rate limiter).
import { type PluginTestGateway, startPluginTestGateway } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { databaseNow, SKEW_MS, skewedWorkspace, unskewClock } from './clock-skew.js';
import { CUSTOMER, publishedWorkflow, RUN, rowIdOf, startReceiver, until } from './support.js';

let kit: PluginTestGateway;
/** The database's time of each request the receiver got; the first is answered 500 (tried again), the others 200. */
const arrivals: number[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  kit = await startPluginTestGateway({
    plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 5000 })],
    database: 'postgres',
    webhooks: { allowPrivateTargets: true },
  });
  receiver = await startReceiver(
    () => (arrivals.length === 1 ? 500 : 200),
    async () => {
      arrivals.push(await databaseNow(kit));
    },
  );
}, 120_000);
afterEach(() => {
  unskewClock();
  arrivals.length = 0;
});
afterAll(async () => {
  unskewClock();
  await receiver?.close();
  await kit?.close();
});

interface StepRow {
  stepId: string;
  status: string;
  attempts: number;
  input: { until?: string } | null;
  output: { received?: boolean } | null;
  startedAt: Date | null;
}
const stepsOf = (runId: string) =>
  kit.database.sql.query<StepRow>(
    `SELECT "stepId", status::text AS status, attempts, input, output, "startedAt" FROM "WorkflowStepRun" WHERE "runId" = $1::uuid ORDER BY seq`,
    [runId],
  );
/** The run once it has finished (by the test's deadline: a step delayed by the skew never is). */
const finished = (runId: string) =>
  until(async () => {
    const [run] = await kit.database.sql.query<{ status: string; error: string | null }>(`SELECT status::text AS status, error FROM "WorkflowRun" WHERE id = $1::uuid`, [runId]);
    return run && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(run.status) ? run : undefined;
  });
const at = (value: Date | string | null | undefined) => new Date(value!).getTime();

describe.each([
  ['ahead of', SKEW_MS],
  ['behind', -SKEW_MS],
])('with the gateway’s clock 30 minutes %s the database’s', (way, skew) => {
  /** A workspace of its own under the skew, the workflow published, and a run of it started on a customer. */
  async function started(steps: unknown[]) {
    const client = await skewedWorkspace(kit, `Skewed ${way} ${Math.random()}`, skew);
    const id = await publishedWorkflow(client, 'Skewed', { trigger: { kind: 'manual', object: 'Customer' }, steps });
    const customer = (await client.query(CUSTOMER, { name: 'Clocky' })).createCustomer.customer.id as string;
    const before = await databaseNow(kit);
    const runId = rowIdOf((await client.query(RUN, { id, recordId: customer })).runWorkflow.run.id as string);
    return { runId, before };
  }

  it('a run waits 1 s, then does its next step: the wait ends 1 s after it began, by the database’s clock', async () => {
    const { runId, before } = await started([
      { id: 'wait', kind: 'wait', for: { seconds: 1 } },
      { id: 'tag', kind: 'addTag', tag: 'waited' },
    ]);
    const run = await finished(runId);
    const after = await databaseNow(kit);
    expect(run).toEqual({ status: 'SUCCEEDED', error: null });
    const [wait, tag] = await stepsOf(runId);
    const end = at(wait!.input!.until);
    expect(end).toBeGreaterThanOrEqual(before + 1000);
    expect(end).toBeLessThanOrEqual(after);
    // The next step no sooner than the wait's end.
    expect(tag).toMatchObject({ stepId: 'tag', status: 'SUCCEEDED' });
    expect(at(tag!.startedAt)).toBeGreaterThanOrEqual(end);
  }, 60_000);

  it('a failed HTTP step is tried again after its backoff, by the database’s clock', async () => {
    const { runId } = await started([{ id: 'call', kind: 'httpRequest', method: 'POST', url: receiver.url, retry: { attempts: 2, backoff: { seconds: 2 } } }]);
    const run = await finished(runId);
    expect(run).toEqual({ status: 'SUCCEEDED', error: null });
    const [call] = await stepsOf(runId);
    expect(call).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    expect(arrivals).toHaveLength(2);
    // Before: behind, tried again at once (the backoff's due time 30 minutes in the past); ahead, not in 30 minutes.
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(2000);
  }, 60_000);

  it('a wait for an event that does not come times out after its timeout, by the database’s clock', async () => {
    const { runId, before } = await started([
      { id: 'reply', kind: 'waitForEvent', eventType: 'customer.updated', subjectId: '{{trigger.record.id}}', timeout: { seconds: 2 } },
      { id: 'tag', kind: 'addTag', tag: 'no-reply' },
    ]);
    const run = await finished(runId);
    const after = await databaseNow(kit);
    expect(run).toEqual({ status: 'SUCCEEDED', error: null });
    const [reply, tag] = await stepsOf(runId);
    expect(reply!.output).toMatchObject({ received: false });
    const timeout = at(reply!.input!.until);
    expect(timeout).toBeGreaterThanOrEqual(before + 2000);
    expect(timeout).toBeLessThanOrEqual(after);
    expect(at(tag!.startedAt)).toBeGreaterThanOrEqual(timeout);
  }, 60_000);
});
