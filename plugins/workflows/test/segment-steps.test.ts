// The segment steps (`addToSegment`, `removeFromSegment`) through core's `updateSegmentMemberships`: a workflow adds a
// customer to a STATIC segment and removes them (segment.entered / segment.left, signed by the step; nothing the second
// time); publishing refuses a FILTER segment, another workspace's and a value that is no segment id; the dry run says
// what would change and writes nothing; a segment deleted or turned FILTER after publishing fails the step, as another
// workspace's customer does; a claimed batch's segment steps go to the core in one call (one write statement), not one
// per run.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, eventually, finishedRuns, PUBLISH, publishedWorkflow, rowIdOf, switchAllOff } from './support.js';

const CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
const SEGMENT = `mutation ($i: CreateSegmentInput!) { createSegment(input: $i) { segment { id } } }`;
const MEMBERS = `query ($id: ID!) { node(id: $id) { ... on Segment { memberCount members(first: 50) { edges { node { customer { id } } } } } } }`;
const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`;
const DRY_RUN = `query ($id: ID!, $recordId: ID) { testWorkflow(id: $id, recordId: $recordId) { wouldTrigger steps { stepId input effect } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let vip: string;
let byFilter: string;

const customer = async (name: string, client = admin) => (await client.query(CUSTOMER, { name })).createCustomer.customer.id as string;
const segment = async (input: object, client = admin) => (await client.query(SEGMENT, { i: input })).createSegment.segment.id as string;
const memberIds = async (segmentId: string) =>
  ((await admin.query(MEMBERS, { id: segmentId })).node.members.edges as { node: { customer: { id: string } } }[]).map((e) => e.node.customer.id);
const onCustomer = { kind: 'manual', object: 'Customer' };

/** The segment.entered / segment.left events of a segment: type, customer (row id), actor; oldest first. */
async function membershipEvents(segmentId: string) {
  return kit.database.sql.query<{ type: string; customer: string; actor: string; payload: unknown }>(
    `SELECT type, "subjectId"::text AS customer, actor, payload FROM "Event" WHERE type IN ('segment.entered', 'segment.left') AND payload->>'segmentId' = $1 ORDER BY seq`,
    [rowIdOf(segmentId)],
  );
}

async function runOn(workflowId: string, customerId: string, count = 1) {
  await admin.query(ON_RECORDS, { id: workflowId, ids: [customerId] });
  return (await finishedRuns(kit, admin, workflowId, count))[0]!;
}

/** The error of publishing a workflow of `steps` (null: it published). */
async function publishError(steps: unknown[]) {
  const id = (await admin.query(CREATE, { name: 'Checked', definition: { trigger: onCustomer, steps } })).createWorkflow.workflow.id;
  const [error] = (await admin.request(PUBLISH, { id })).errors ?? [];
  return error ? { code: error.extensions?.code as string, field: error.extensions?.field as string, message: error.message } : null;
}

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 5000 })] });
  admin = kit.workspace.client;
  vip = await segment({ name: 'VIP list', kind: 'STATIC' });
  byFilter = await segment({ name: 'Everyone', filter: {} });
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

describe('addToSegment and removeFromSegment', () => {
  it('add the run’s customer to a STATIC segment and remove them, with the events a refresh emits, signed by the steps; nothing the second time', async () => {
    const id = await publishedWorkflow(admin, 'In and out', {
      trigger: onCustomer,
      steps: [
        { id: 'join', kind: 'addToSegment', segment: vip },
        { id: 'again', kind: 'addToSegment', segment: '{{steps.join.output.segmentId}}' },
        { id: 'leave', kind: 'removeFromSegment', segment: rowIdOf(vip), customerId: '{{trigger.record.id}}' },
      ],
    });
    const target = await customer('Sam Segment');
    const run = await runOn(id, target);
    expect(run.status, JSON.stringify(run.steps)).toBe('SUCCEEDED');
    expect(run.steps.map((s) => [s.stepId, s.output])).toEqual([
      ['join', { segmentId: rowIdOf(vip), segment: 'VIP list', changed: true }],
      ['again', { segmentId: rowIdOf(vip), segment: 'VIP list', changed: false }],
      ['leave', { segmentId: rowIdOf(vip), segment: 'VIP list', changed: true }],
    ]);
    const events = await membershipEvents(vip);
    expect(events.map((e) => [e.type, e.customer, e.payload])).toEqual([
      ['segment.entered', rowIdOf(target), { segmentId: rowIdOf(vip), segment: 'VIP list' }],
      ['segment.left', rowIdOf(target), { segmentId: rowIdOf(vip), segment: 'VIP list' }],
    ]);
    for (const event of events) expect(event.actor).toMatch(/^plugin:workflows:step:/);
    expect(await memberIds(vip)).toEqual([]);
  });

  it('publishing refuses a FILTER segment, another workspace’s, a value that is no segment id (a loop’s step too)', async () => {
    const other = await kit.createWorkspace('Segments B');
    const theirs = await segment({ name: 'Their list', kind: 'STATIC' }, other.client);
    expect(await publishError([{ id: 's', kind: 'addToSegment', segment: byFilter }])).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.segment',
      message: expect.stringContaining('only a STATIC segment takes members by hand'),
    });
    expect(await publishError([{ id: 's', kind: 'removeFromSegment', segment: theirs }])).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.segment',
      message: expect.stringContaining('no segment'),
    });
    expect(await publishError([{ id: 's', kind: 'addToSegment', segment: 'not-an-id' }])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.segment' });
    expect(await publishError([{ id: 's', kind: 'addToSegment', segment: '{{trigger.record.id}}' }])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.segment' });
    expect(
      await publishError([{ id: 'each', kind: 'forEach', items: ['a'], do: { id: 'one', kind: 'addToSegment', segment: rowIdOf(byFilter) } }]),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.do.segment' });
    expect(await publishError([{ id: 's', kind: 'addToSegment', segment: vip }])).toBeNull();
  });

  it('the dry run says what would change, as the earlier steps would leave it, and writes nothing', async () => {
    const id = (await admin.query(CREATE, {
      name: 'Dry',
      definition: {
        trigger: onCustomer,
        steps: [
          { id: 'join', kind: 'addToSegment', segment: vip },
          { id: 'again', kind: 'addToSegment', segment: vip },
          { id: 'leave', kind: 'removeFromSegment', segment: vip },
        ],
      },
    })).createWorkflow.workflow.id;
    const target = await customer('Dee Dry');
    const dry = (await admin.query(DRY_RUN, { id, recordId: target })).testWorkflow;
    expect(dry.wouldTrigger).toBe(true);
    expect(dry.steps.map((s: { stepId: string; effect: string }) => [s.stepId, s.effect])).toEqual([
      ['join', 'add the customer to the segment "VIP list": they would enter it (segment.entered)'],
      ['again', 'add the customer to the segment "VIP list": a member already, nothing changes'],
      ['leave', 'remove the customer from the segment "VIP list": they would leave it (segment.left)'],
    ]);
    expect(dry.steps[0].input).toEqual({ segment: vip, customerId: rowIdOf(target) });
    expect(await memberIds(vip)).toEqual([]);
    expect((await membershipEvents(vip)).filter((e) => e.customer === rowIdOf(target))).toEqual([]);
  });

  it('a segment deleted, or turned FILTER, after publishing fails the step at once; nothing is written', async () => {
    const doomed = await segment({ name: 'Doomed', kind: 'STATIC' });
    const turned = await segment({ name: 'Turned', kind: 'STATIC' });
    const gone = await publishedWorkflow(admin, 'Gone', { trigger: onCustomer, steps: [{ id: 'join', kind: 'addToSegment', segment: doomed }] });
    const filtered = await publishedWorkflow(admin, 'Filtered', { trigger: onCustomer, steps: [{ id: 'join', kind: 'addToSegment', segment: turned }] });
    await admin.query(`mutation ($i: DeleteSegmentInput!) { deleteSegment(input: $i) { deletedSegmentId } }`, { i: { id: doomed } });
    await admin.query(`mutation ($i: UpdateSegmentInput!) { updateSegment(input: $i) { segment { id } } }`, { i: { id: turned, kind: 'FILTER', filter: { name: { eq: 'nobody' } } } });
    const target = await customer('Fay Fail');
    const first = await runOn(gone, target);
    expect(first.status).toBe('FAILED');
    expect(first.steps[0]).toMatchObject({ stepId: 'join', status: 'FAILED', attempts: 1 });
    expect(first.steps[0]!.error).toContain('Segment not found');
    const second = await runOn(filtered, target);
    expect(second.status).toBe('FAILED');
    expect(second.steps[0]!.error).toContain('only a STATIC segment takes members by hand');
    expect(await memberIds(turned)).toEqual([]);
    // Another workspace's customer, by its row id: not there for the step (as an unknown one), nothing written.
    const other = await kit.createWorkspace('Segments C');
    const theirs = await customer('Their customer', other.client);
    const elsewhere = await publishedWorkflow(admin, 'Elsewhere', { trigger: onCustomer, steps: [{ id: 'join', kind: 'addToSegment', segment: vip, customerId: rowIdOf(theirs) }] });
    const third = await runOn(elsewhere, target);
    expect(third.status).toBe('FAILED');
    expect(third.steps[0]!.error).toContain('Customer not found');
    expect(await memberIds(vip)).not.toContain(theirs);
    expect((await membershipEvents(vip)).filter((e) => e.customer === rowIdOf(theirs))).toEqual([]);
  });

  it('a claimed batch’s segment steps go to the core in one call: one write statement, not one per run', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => customer(`Batch ${i}`)));
    const id = await publishedWorkflow(admin, 'Batched', {
      trigger: onCustomer,
      steps: [
        { id: 'pause', kind: 'wait', for: { hours: 1 } },
        { id: 'join', kind: 'addToSegment', segment: vip },
      ],
    });
    const statements = await kit.sql.during(async () => {
      expect((await admin.query(ON_RECORDS, { id, ids })).runWorkflowOnRecords.started).toBe(10);
      // The runs wait; their waits end at one instant, so their next steps are claimed as one batch.
      const waiting = async () => Number((await kit.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "WorkflowStepRun" WHERE status = 'WAITING' AND "dueAt" > now()`))[0]!.n);
      await eventually(kit, async () => expect(await waiting()).toBe(10));
      await kit.database.sql.query(
        `UPDATE "WorkflowStepRun" SET "dueAt" = now(), input = jsonb_build_object('until', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
         WHERE status = 'WAITING' AND "dueAt" > now()`,
      );
      await finishedRuns(kit, admin, id, 10, undefined, 30_000);
    });
    for (const run of await finishedRuns(kit, admin, id, 10)) expect(run.status).toBe('SUCCEEDED');
    expect((await memberIds(vip)).sort()).toEqual([...ids].sort());
    // One statement writes a call's memberships, and one call takes a claimed batch (one or two here); one by one it
    // would be 10.
    const writes = statements.filter((s) => s.includes('INSERT INTO "SegmentMember"')).length;
    console.info(`segment steps' write statements for 10 runs: ${writes}`);
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThanOrEqual(4);
  });
});
