// A claimed batch's tag and task steps go to the core in one call per kind and acting role (runs/step-waves.ts): each
// step still acts alone as far as anyone can tell. A step whose customer is gone, whose input is refused, whose
// publisher lost the right to write tags, or which names another workspace's customer fails alone (its run fails as a
// step alone would), and the other runs of the same batch commit their tags, tasks and events, each event naming the
// step of its own run. The runs wait first, and their waits end at one instant, so that their steps are claimed as one
// batch.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { eventually, finishedRuns, publishedWorkflow, rowIdOf, type RunView, switchAllOff } from './support.js';

const CUSTOMER = `mutation ($name: String!, $tags: [String!]) { createCustomer(input: { name: $name, tags: $tags }) { customer { id } } }`;
const DELETE = `mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`;
const TAGS = `query ($id: ID!) { customer(id: $id) { tags } }`;
const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`;
const CREATE_ROLE = `mutation ($n: String!, $p: [ObjectPermissionInput!]!, $pp: [String!]) { createRole(input: { name: $n, permissions: $p, pluginPermissions: $pp }) { role { id } } }`;
const UPDATE_ROLE = `mutation ($id: ID!, $p: [ObjectPermissionInput!]) { updateRole(input: { id: $id, permissions: $p }) { role { id } } }`;
const CREATE_KEY = `mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 5000 })] });
  admin = kit.workspace.client;
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

const customer = async (name: string, tags: string[] = [], client = admin) => (await client.query(CUSTOMER, { name, tags })).createCustomer.customer.id as string;
/** Runs that wait (an hour) until `bringDue` ends their waits at one instant: their next steps are claimed as one batch. */
const waitThen = (...steps: object[]) => ({ trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'pause', kind: 'wait', for: { hours: 1 } }, ...steps] });

/** Every waiting step of the workspace due now, as if its hour had passed (the time it keeps, and its due time). */
async function bringDue(count: number) {
  const waiting = async () =>
    Number((await kit.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "WorkflowStepRun" WHERE status = 'WAITING' AND "dueAt" > now()`))[0]!.n);
  await eventually(kit, async () => expect(await waiting()).toBe(count));
  await kit.database.sql.query(
    `UPDATE "WorkflowStepRun" SET "dueAt" = now(), input = jsonb_build_object('until', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
     WHERE status = 'WAITING' AND "dueAt" > now()`,
  );
}
const tag = { id: 'tag', kind: 'addTag', tag: 'batched' };
const task = { id: 'task', kind: 'createTask', title: 'Call {{trigger.record.name}}' };

/** The events the steps caused on a workspace's rows: type, subject (row id), actor. */
async function stepEvents(workspaceId: string) {
  return kit.database.sql.query<{ type: string; subject: string; actor: string; payload: { changes?: { tags?: { from: string[]; to: string[] } } } }>(
    `SELECT type, "subjectId"::text AS subject, actor, payload FROM "Event" WHERE "workspaceId" = $1::uuid AND actor LIKE 'plugin:workflows:step:%' ORDER BY seq`,
    [workspaceId],
  );
}

/** The run of `record` among `runs`, and the step ids of that run (what its events must name). */
async function stepIdsOf(run: RunView): Promise<string[]> {
  const rows = await kit.database.sql.query<{ id: string }>(`SELECT id::text AS id FROM "WorkflowStepRun" WHERE "runId" = $1::uuid`, [rowIdOf(run.id)]);
  return rows.map((row) => row.id);
}

describe('a claimed batch’s steps, called together', () => {
  it('a customer gone or over the tag limit fails its own run; the others commit their tags, tasks and events, signed per run (few statements)', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `Batch ${i}`);
    const ids = await Promise.all(names.map((name) => customer(name)));
    const full = await customer('Batch full', Array.from({ length: 50 }, (_, i) => `t${i}`));
    const id = await publishedWorkflow(admin, 'Batched', waitThen(tag, task));
    const statements = await kit.sql.during(async () => {
      expect((await admin.query(ON_RECORDS, { id, ids: [...ids, full] })).runWorkflowOnRecords.started).toBe(11);
      // While the runs wait: one customer goes to the trash.
      await admin.query(DELETE, { id: ids[3] });
      await bringDue(11);
      await finishedRuns(kit, admin, id, 11, ['SUCCEEDED', 'FAILED'], 30_000);
    });
    const runs = await finishedRuns(kit, admin, id, 11);
    const byRecord = new Map(runs.map((run) => [run.recordId, run]));
    const gone = byRecord.get(ids[3]!)!;
    expect(gone.status, JSON.stringify(gone.steps)).toBe('FAILED');
    expect(gone.steps.find((s) => s.stepId === 'tag')).toMatchObject({ status: 'FAILED' });
    expect(gone.steps.find((s) => s.stepId === 'tag')!.error).toContain('Customer not found');
    expect(gone.steps.find((s) => s.stepId === 'task')).toBeUndefined();
    const tooMany = byRecord.get(full)!;
    expect(tooMany.status).toBe('FAILED');
    expect(tooMany.steps.find((s) => s.stepId === 'tag')!.error).toMatch(/50/);
    expect((await admin.query(TAGS, { id: full })).customer.tags).toHaveLength(50);

    const done = ids.filter((_, i) => i !== 3);
    for (const customerId of done) {
      const run = byRecord.get(customerId)!;
      expect(run.status, JSON.stringify(run.steps)).toBe('SUCCEEDED');
      expect((await admin.query(TAGS, { id: customerId })).customer.tags).toEqual(['batched']);
    }
    // One event per record, each naming a step of the run on that very record; nothing for the failed ones.
    const events = await stepEvents(kit.workspace.workspaceId);
    const tasks = await kit.database.sql.query<{ id: string; customer: string }>(
      `SELECT id::text AS id, "customerId"::text AS customer FROM "Task" WHERE "workspaceId" = $1::uuid AND title LIKE 'Call Batch%'`,
      [kit.workspace.workspaceId],
    );
    expect(tasks.map((t) => t.customer).sort()).toEqual(done.map(rowIdOf).sort());
    for (const customerId of done) {
      const run = byRecord.get(customerId)!;
      const actors = new Set((await stepIdsOf(run)).map((stepId) => `plugin:workflows:step:${stepId}`));
      const updated = events.filter((e) => e.type === 'customer.updated' && e.subject === rowIdOf(customerId));
      expect(updated).toHaveLength(1);
      expect(updated[0]!.payload.changes?.tags).toEqual({ from: [], to: ['batched'] });
      expect(actors.has(updated[0]!.actor)).toBe(true);
      const created = events.filter((e) => e.type === 'task.created' && tasks.find((t) => t.id === e.subject)?.customer === rowIdOf(customerId));
      expect(created).toHaveLength(1);
      expect(actors.has(created[0]!.actor)).toBe(true);
    }
    expect(events.filter((e) => e.subject === rowIdOf(ids[3]!) || e.subject === rowIdOf(full))).toEqual([]);
    // The batch was not rolled back and redone step by step: the tag steps' customers were locked and read with one
    // statement per claimed batch (one or two here), and one for each failed step done again alone (4 measured; one
    // by one it would be at least 11).
    const locks = statements.filter((s) => s.includes('FROM "Customer" WHERE "id" = k."id"') && s.includes('FOR UPDATE')).length;
    console.info(`tag steps' lock-and-read statements for 11 runs: ${locks}`);
    expect(locks).toBeGreaterThan(0);
    expect(locks).toBeLessThanOrEqual(6);
    // The runs' locks: one statement per step transaction whatever its runs (sent with its read of the steps, the
    // claim having said which runs), besides the admissions (the selection's, and one per claimed batch let in, whose
    // steps are read twice): 12 for 9 reads measured; one statement per run, the batch's 11 runs alone, was 20 or more.
    // The `renames` lock (shared) is one more statement beside each read (claimed-steps.ts).
    const runLocks = statements.filter((s) => s.includes('pg_advisory_xact_lock(')).length;
    const renames = statements.filter((s) => s.includes('pg_advisory_xact_lock_shared(')).length;
    const reads = statements.filter((s) => s.includes('to_jsonb(r) AS run')).length;
    console.info(`lock statements for 11 runs: ${runLocks} (and ${renames} shared) for ${reads} reads of claimed steps`);
    expect(runLocks).toBeLessThanOrEqual(reads + 1 + Math.ceil(reads / 2));
    expect(renames).toBeLessThanOrEqual(reads);
  });

  it('a step whose publisher may no longer write tags fails FORBIDDEN alone; another workspace’s customer is NOT_FOUND and untouched', async () => {
    const grants = (tags: boolean) => [
      { object: 'Customer', read: true, create: false, update: true, readOnlyFields: tags ? [] : ['tags'] },
      { object: 'Task', read: true, create: true, update: true },
    ];
    const roleId = (await admin.query(CREATE_ROLE, { n: 'Tagger', p: grants(true), pp: ['workflows.manage', 'workflows.run'] })).createRole.role.id;
    const tagger = kit.client((await admin.query(CREATE_KEY, { i: { name: 'tagger', roleId } })).createApiKey.secret);
    const other = await kit.createWorkspace('Batched B');
    const theirs = await customer('Theirs', ['their-own'], other.client);

    const mine = await Promise.all(Array.from({ length: 4 }, (_, i) => customer(`Role ${i}`)));
    const byAdmin = await publishedWorkflow(admin, 'By admin', waitThen(tag));
    const byTagger = await publishedWorkflow(tagger, 'By tagger', waitThen(tag));
    const elsewhere = await publishedWorkflow(admin, 'Elsewhere', waitThen({ ...tag, customerId: rowIdOf(theirs) }));
    await admin.query(ON_RECORDS, { id: byAdmin, ids: mine.slice(0, 2) });
    await admin.query(ON_RECORDS, { id: byTagger, ids: mine.slice(2) });
    await admin.query(ON_RECORDS, { id: elsewhere, ids: mine.slice(0, 1) });
    // While they wait, the tagger's role loses writing tags.
    await admin.query(UPDATE_ROLE, { id: roleId, p: grants(false) });
    await bringDue(5);

    for (const run of await finishedRuns(kit, admin, byAdmin, 2, undefined, 30_000)) expect(run.status).toBe('SUCCEEDED');
    for (const run of await finishedRuns(kit, admin, byTagger, 2, undefined, 30_000)) {
      expect(run.status).toBe('FAILED');
      expect(run.steps.find((s) => s.stepId === 'tag')!.error).toContain('tags');
    }
    const [away] = await finishedRuns(kit, admin, elsewhere, 1, undefined, 30_000);
    expect(away!.status).toBe('FAILED');
    expect(away!.steps.find((s) => s.stepId === 'tag')!.error).toContain('Customer not found');
    for (const [i, customerId] of mine.entries()) expect((await admin.query(TAGS, { id: customerId })).customer.tags).toEqual(i < 2 ? ['batched'] : []);
    expect((await other.client.query(TAGS, { id: theirs })).customer.tags).toEqual(['their-own']);
    expect(await stepEvents(other.workspaceId)).toEqual([]);
  });
});
