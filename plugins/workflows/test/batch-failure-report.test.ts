// A claimed batch whose transaction fails is done again one step at a time (runs/claimed-batch.ts `batchTransaction`,
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

describe('a claimed batch with a step refused on its own', () => {
  it('is no queue failure: that step fails alone, the others commit as one batch', async () => {
    // Three runs whose next step sets the customer's name from its email: one customer has none ("cannot be removed").
    const ids = [];
    for (const [who, email] of [['Ann', 'ann@own.test'], ['Bob', null], ['Cy', 'cy@own.test']] as const) {
      const created = await admin.query(`mutation ($name: String!, $email: String) { createCustomer(input: { name: $name, email: $email }) { customer { id } } }`, { name: `Own ${who}`, email });
      ids.push(created.createCustomer.customer.id as string);
    }
    const id = await publishedWorkflow(admin, 'Own refusal', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'pause', kind: 'wait', for: { hours: 1 } },
        { id: 'rename', kind: 'updateRecord', values: { name: '{{trigger.record.email}}' } },
      ],
    });
    expect((await admin.query(ON_RECORDS, { id, ids })).runWorkflowOnRecords.started).toBe(3);
    const waiting = `SELECT count(*)::int AS n FROM "WorkflowStepRun" s JOIN "WorkflowRun" r ON r.id = s."runId" JOIN "Workflow" w ON w.id = r."workflowId"
      WHERE w.name = 'Own refusal' AND s.status = 'WAITING' AND s."dueAt" > now()`;
    await eventually(kit, async () => expect(Number((await kit.database.sql.query<{ n: number }>(waiting))[0]!.n)).toBe(3));
    const write = vi.spyOn(process.stderr, 'write');
    let lines: string;
    try {
      await sql(`UPDATE "WorkflowStepRun" s SET "dueAt" = now(), input = jsonb_build_object('until', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        FROM "WorkflowRun" r JOIN "Workflow" w ON w.id = r."workflowId" WHERE r.id = s."runId" AND w.name = 'Own refusal' AND s.status = 'WAITING'`);
      const runs = await finishedRuns(kit, admin, id, 3, ['SUCCEEDED', 'FAILED'], 30_000);
      expect(runs.map((run) => run.status).sort()).toEqual(['FAILED', 'SUCCEEDED', 'SUCCEEDED']);
    } finally {
      lines = write.mock.calls.map(([chunk]) => String(chunk)).join('');
      write.mockRestore();
    }
    // Before: the whole batch rolled back, "a claimed batch's transaction failed" was reported and every step went alone.
    expect(lines.split('\n').filter((line) => line.includes('"plugin queue failed"'))).toEqual([]);
    const renamed = await kit.database.sql.query<{ name: string; tx: string }>(
      `SELECT c.name, s.xmin::text AS tx FROM "WorkflowStepRun" s JOIN "WorkflowRun" r ON r.id = s."runId" JOIN "Customer" c ON c.id = r."recordId"
        WHERE s."stepId" = 'rename' AND s.status = 'SUCCEEDED' ORDER BY c.name`,
    );
    expect(renamed.map((row) => row.name)).toEqual(['ann@own.test', 'cy@own.test']);
    // One transaction wrote both (the batch again without the refused step).
    expect(new Set(renamed.map((row) => row.tx)).size).toBe(1);
    const refused = await kit.database.sql.query<{ error: string }>(`SELECT s.error FROM "WorkflowStepRun" s WHERE s."stepId" = 'rename' AND s.status = 'FAILED'`);
    expect(refused.map((row) => row.error)).toEqual([expect.stringContaining('cannot be removed')]);
  }, 60_000);
});

describe('lone steps of a claimed batch that fail', () => {
  it('are reported one by one, each naming its own step', async () => {
    const id = await batchOfThree('Lone failures');
    // Every admission refused (a run's status change): the batch's admission fails, then each step alone cannot begin
    // and, at its fifth return (`comeAgain`; four counted already), cannot even be failed: its handler throws.
    const name = 'test_refuse_every_run';
    await sql(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'run refused by the test'; END $$`);
    await sql(`CREATE TRIGGER ${name} BEFORE UPDATE ON "WorkflowRun" FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status) EXECUTE FUNCTION ${name}()`);
    const write = vi.spyOn(process.stderr, 'write');
    let lines = '';
    try {
      await sql(`UPDATE "WorkflowStepRun" SET returns = 4, "dueAt" = now(), input = jsonb_build_object('until', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        WHERE status = 'WAITING' AND "dueAt" > now()`);
      await eventually(
        kit,
        async () => {
          lines = write.mock.calls.map(([chunk]) => String(chunk)).join('');
          const own = reportsOf(lines, 'run refused by the test').filter((report) => !report.error.includes('a claimed batch'));
          expect(new Set(own.flatMap((report) => report.item.split(','))).size).toBe(3);
        },
        60_000,
      );
    } finally {
      write.mockRestore();
      await sql(`DROP TRIGGER ${name} ON "WorkflowRun"`);
      await sql(`DROP FUNCTION ${name}()`);
      await admin.query(`mutation ($id: ID!) { cancelWorkflowRuns(input: { workflowId: $id }) { cancelled } }`, { id });
    }
    const own = reportsOf(lines, 'run refused by the test').filter((report) => !report.error.includes('a claimed batch'));
    // Before: the first failure was thrown out of the batch's handler, named with all three steps; the others were lost.
    expect(own.filter((report) => report.item.includes(','))).toEqual([]);
  }, 90_000);
});
