// A claimed batch whose transaction fails is done again one step at a time (runs/execute-step.ts `batchTransaction`,
// `admitBatch`): nothing is lost, but before, nothing was said either — a batch path failing every time showed only as
// slowness. Now the failure goes to the host's report (QueueContext.report: the gateway's log, here its stderr), naming
// the batch's steps. The database makes each path fail once: a trigger the test adds refuses the first status change of
// a step row (the batch's transaction) or of a run row (the batch's admission); the steps done one by one then pass.
// The runs wait first and their waits end at one instant, so that their next steps are claimed as one batch.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, finishedRuns, publishedWorkflow } from './support.js';

const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 5000 })] });
  admin = kit.workspace.client;
}, 120_000);
afterAll(async () => {
  await kit?.close();
});

const sql = (text: string) => kit.database.sql.query(text);

/** Runs of a new workflow (wait an hour, then tag) on three new customers, their waits ended at one instant. */
async function batchOfThree(name: string): Promise<string> {
  const ids = [];
  for (const who of ['Ann', 'Bob', 'Cy']) ids.push((await admin.query(CUSTOMER, { name: `${name} ${who}` })).createCustomer.customer.id as string);
  const id = await publishedWorkflow(admin, name, {
    trigger: { kind: 'manual', object: 'Customer' },
    steps: [
      { id: 'pause', kind: 'wait', for: { hours: 1 } },
      { id: 'tag', kind: 'addTag', tag: 'batched' },
    ],
  });
  expect((await admin.query(ON_RECORDS, { id, ids })).runWorkflowOnRecords.started).toBe(3);
  const waiting = async () =>
    Number((await kit.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "WorkflowStepRun" WHERE status = 'WAITING' AND "dueAt" > now()`))[0]!.n);
  await eventually(kit, async () => expect(await waiting()).toBe(3));
  return id;
}

/** `table`'s first status change (once: a sequence, not rolled back with the transaction) is refused while `work` runs. */
async function refusedOnce(table: string, work: () => Promise<void>): Promise<string> {
  const name = `test_refuse_${table.toLowerCase()}`;
  await sql(`CREATE SEQUENCE ${name}`);
  await sql(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    IF nextval('${name}') = 1 THEN RAISE EXCEPTION 'batch refused by the test (${table})'; END IF; RETURN NEW; END $$`);
  await sql(`CREATE TRIGGER ${name} BEFORE UPDATE ON "${table}" FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status) EXECUTE FUNCTION ${name}()`);
  const write = vi.spyOn(process.stderr, 'write');
  try {
    await work();
    return write.mock.calls.map(([chunk]) => String(chunk)).join('');
  } finally {
    write.mockRestore();
    await sql(`DROP TRIGGER ${name} ON "${table}"`);
    await sql(`DROP FUNCTION ${name}()`);
    await sql(`DROP SEQUENCE ${name}`);
  }
}

/** The host's `plugin queue failed` lines naming `what`. */
const reportsOf = (lines: string, what: string) =>
  lines
    .split('\n')
    .filter((line) => line.includes('"plugin queue failed"') && line.includes(what))
    .map((line) => JSON.parse(line) as { plugin: string; queue: string; item: string; error: string });

describe('a claimed batch whose transaction fails', () => {
  it.each([
    { path: 'the batch transaction', table: 'WorkflowStepRun' },
    { path: 'the batch admission', table: 'WorkflowRun' },
  ])('$path: is reported, naming its steps; the steps are done one by one', async ({ table }) => {
    const id = await batchOfThree(`Refused ${table}`);
    const lines = await refusedOnce(table, async () => {
      await sql(`UPDATE "WorkflowStepRun" SET "dueAt" = now(), input = jsonb_build_object('until', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        WHERE status = 'WAITING' AND "dueAt" > now()`);
      const runs = await finishedRuns(kit, admin, id, 3, ['SUCCEEDED', 'FAILED'], 30_000);
      // Done one by one: every run goes on as if nothing happened.
      expect(runs.map((run) => run.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    });
    // Before: nothing said.
    const [report, ...more] = reportsOf(lines, `batch refused by the test (${table})`);
    expect(more).toEqual([]);
    expect({ plugin: report!.plugin, queue: report!.queue, items: report!.item.split(',').length }).toEqual({ plugin: 'workflows', queue: 'steps', items: 3 });
    expect(report!.error).toContain('done one by one');
  }, 60_000);
});
