// The fix round of the trigger changes: "only when the condition becomes true" tested on the record as it was by one
// read (no write, one statement for every such workflow of an event), `stageChangedAt` among a move's changes,
// versions published before from/to were normalised still firing, the depth limit naming only the workflows that would
// have run (and refusing its own event as a trigger), and one rule for which records a date trigger selects (runs by
// hand and the dry run), the dry run's sample applied alike on both sides of a change.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, CUSTOMER, eventually, finishedRuns, publishedWorkflow, rowIdOf, RUN, runsOf, startTwoWorkspaces, switchAllOff } from './support.js';

const DEAL = `mutation ($c: ID!, $p: ID!, $s: ID!) { createDeal(input: { title: "Fleet", customerId: $c, pipelineId: $p, stageId: $s, amount: "100.00" }) { deal { id } } }`;
const MOVE = `mutation ($id: ID!, $s: ID!) { moveDeal(input: { id: $id, stageId: $s }) { deal { id } } }`;
const DRY_RUN = `query ($id: ID!, $recordId: ID, $sample: JSON) { testWorkflow(id: $id, recordId: $recordId, sample: $sample) { wouldTrigger trigger } }`;
const UPDATE_CUSTOMER = `mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`;
const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let pipeline: { id: string; open: string; other: string };

beforeAll(async () => {
  ({ kit, admin } = await startTwoWorkspaces('Trigger fixes, other'));
  const [first] = (await admin.query(`{ pipelines { id stages { id isLost isWon } } }`)).pipelines as { id: string; stages: { id: string; isLost: boolean; isWon: boolean }[] }[];
  const open = first!.stages.filter((s) => !s.isLost && !s.isWon);
  pipeline = { id: first!.id, open: open[0]!.id, other: open[1]!.id };
});
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;
const draft = async (definition: unknown) => (await admin.query(CREATE, { name: 'Draft', definition })).createWorkflow.workflow.id as string;
const note = (id: string) => ({ id, kind: 'wait', for: { seconds: 0 } });
const exactly = async (id: string, count: number) => {
  const runs = await finishedRuns(kit, admin, id, count);
  await kit.settled();
  expect(await runsOf(admin, id)).toHaveLength(count);
  return runs;
};

describe('only when the condition becomes true: the record before the change, read, not written', () => {
  it('tests every such workflow of an event in one read-only statement, writing nothing to the record', async () => {
    const becomes = (name: string, condition: unknown) =>
      publishedWorkflow(admin, name, { trigger: { kind: 'record', object: 'Customer', on: 'updated', condition, onlyWhenConditionBecomesTrue: true }, steps: [note('n')] });
    const toCustomer = await becomes('Became a customer', { lifecycleStage: { eq: 'CUSTOMER' } });
    const toVip = await becomes('Became a VIP', { name: { startsWith: 'VIP' } });
    const who = (await admin.query(`mutation { createCustomer(input: { name: "Quinn", lifecycleStage: PROSPECT }) { customer { id updatedAt } } }`)).createCustomer.customer;
    await kit.settled();
    const statements = await kit.sql.during(async () => {
      await admin.query(UPDATE_CUSTOMER, { i: { id: who.id, name: 'VIP Quinn', lifecycleStage: 'CUSTOMER' } });
      await kit.settled();
    });
    await exactly(toCustomer, 1);
    await exactly(toVip, 1);
    // Both workflows' "before" in one statement; no savepoint, and the customer written once (by the mutation).
    expect(statements.filter((s) => s.includes('jsonb_populate_record(t,'))).toHaveLength(1);
    expect(statements.filter((s) => /SAVEPOINT/i.test(s))).toEqual([]);
    expect(statements.filter((s) => /^\s*UPDATE "Customer"/i.test(s) || /UPDATE "public"\."Customer"/i.test(s))).toHaveLength(1);
    console.info(`an update tested by two onlyWhenConditionBecomesTrue workflows: ${statements.length} statements (mutation and delivery)`);
  });

  it('the dry run applies a system-kept field of the sample on both sides (orderCount 0 → 1)', async () => {
    const dry = await draft({
      trigger: { kind: 'record', object: 'Customer', on: 'updated', condition: { orderCount: { gte: 1 } }, onlyWhenConditionBecomesTrue: true },
      steps: [note('n')],
    });
    const who = await customer('Orderless Olga');
    const first = await admin.query(DRY_RUN, { id: dry, recordId: who, sample: { orderCount: { from: 0, to: 1 } } });
    expect(first.testWorkflow).toMatchObject({ wouldTrigger: true, trigger: expect.stringContaining('did not before it') });
    const again = await admin.query(DRY_RUN, { id: dry, recordId: who, sample: { orderCount: { from: 1, to: 2 } } });
    expect(again.testWorkflow).toMatchObject({ wouldTrigger: false, trigger: expect.stringContaining('before the change too') });
  });
});

describe('a stage move', () => {
  it('carries stageChangedAt among its changes: `fields: ["stageChangedAt"]` fires once per move', async () => {
    const id = await publishedWorkflow(admin, 'Stage clock', { trigger: { kind: 'record', object: 'Deal', on: 'updated', fields: ['stageChangedAt'] }, steps: [note('n')] });
    const deal = (await admin.query(DEAL, { c: await customer('Clocked Cleo'), p: pipeline.id, s: pipeline.open })).createDeal.deal.id;
    await admin.query(MOVE, { id: deal, s: pipeline.other });
    await exactly(id, 1);
  });
});

describe('versions published before from/to were normalised', () => {
  it('fire on a global id stored as written (put in the events’ form when read for matching)', async () => {
    const id = await publishedWorkflow(admin, 'Old form', {
      trigger: { kind: 'record', object: 'Deal', on: 'updated', fields: ['stageId'], to: pipeline.other },
      steps: [note('n')],
    });
    // Such a version as it was stored (the global id itself), inserted as a new published version: the one published
    // now keeps the row id, and a process may hold it planned already.
    const inserted = await kit.database.prisma.$executeRawUnsafe(
      `WITH v AS (
         INSERT INTO "WorkflowVersion"
         SELECT (jsonb_populate_record(v, jsonb_build_object('id', gen_random_uuid(), 'number', v.number + 1,
                 'definition', jsonb_set(v.definition, '{trigger,to}', to_jsonb($1::text))))).*
         FROM "WorkflowVersion" v WHERE v."workflowId" = $2::uuid RETURNING id)
       UPDATE "Workflow" SET "publishedVersionId" = (SELECT id FROM v) WHERE id = $2::uuid`,
      pipeline.other,
      rowIdOf(id),
    );
    expect(inserted).toBe(1);
    const deal = (await admin.query(DEAL, { c: await customer('Old Olaf'), p: pipeline.id, s: pipeline.open })).createDeal.deal.id;
    await admin.query(MOVE, { id: deal, s: pipeline.other });
    await exactly(id, 1);
  });
});

describe('the depth limit', () => {
  it('names only the workflows whose condition held, and its event cannot trigger a workflow', async () => {
    await admin.query(SETTINGS, { settings: { maxDepth: 1 } });
    try {
      const chain = await publishedWorkflow(admin, 'Chain', {
        trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['name'] },
        steps: [{ id: 'rename', kind: 'updateRecord', values: { name: '{{trigger.record.name}}+' } }],
        options: { allowSelfTrigger: true },
      });
      const never = await publishedWorkflow(admin, 'Never matches', {
        trigger: { kind: 'record', object: 'Customer', on: 'updated', condition: { name: { startsWith: 'Nobody' } } },
        steps: [note('n')],
      });
      const target = await customer('Deep');
      await admin.query(UPDATE_CUSTOMER, { i: { id: target, name: 'Deep0' } });
      await exactly(chain, 2);
      const cut = await eventually(kit, async () => {
        const found = (await admin.query(`{ events(first: 5, types: ["workflow.depth_limit_reached"]) { edges { node { payload } } } }`)).events.edges;
        expect(found.length).toBeGreaterThan(0);
        return found.at(0).node.payload as { workflowIds: string[] };
      });
      expect(cut.workflowIds).toEqual([rowIdOf(chain)]);
      expect(cut.workflowIds).not.toContain(rowIdOf(never));
    } finally {
      await admin.query(SETTINGS, { settings: { maxDepth: 5 } });
    }
    const id = await draft({ trigger: { kind: 'event', eventType: 'workflow.depth_limit_reached' }, steps: [note('n')] });
    const answer = await admin.request(`mutation ($id: ID!) { publishWorkflow(input: { id: $id }) { version { number } } }`, { id });
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.trigger.eventType' });
  });
});

describe('a date trigger selects records with the date', () => {
  it('refuses a run by hand on a record without it (and skips it in a selection), as the dry run says', async () => {
    const definition = { trigger: { kind: 'date', object: 'Deal', field: 'expectedCloseAt' }, steps: [note('n')] };
    const id = await publishedWorkflow(admin, 'Closing soon', definition);
    const owner = await customer('Dated Dora');
    const undated = (await admin.query(DEAL, { c: owner, p: pipeline.id, s: pipeline.open })).createDeal.deal.id;
    const dated = (await admin.query(`mutation ($c: ID!, $p: ID!, $s: ID!) { createDeal(input: { title: "Dated", customerId: $c, pipelineId: $p, stageId: $s, amount: "1.00", expectedCloseAt: "2027-01-01T00:00:00.000Z" }) { deal { id } } }`, { c: owner, p: pipeline.id, s: pipeline.open })).createDeal.deal.id;
    expect(await admin.request(RUN, { id, recordId: undated })).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'recordId' } }] });
    const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started skipped } }`;
    expect((await admin.query(ON_RECORDS, { id, ids: [undated, dated] })).runWorkflowOnRecords).toEqual({ started: 1, skipped: [undated] });
    await exactly(id, 1);
    const dry = await draft(definition);
    expect((await admin.query(DRY_RUN, { id: dry, recordId: undated })).testWorkflow).toMatchObject({ wouldTrigger: false, trigger: expect.stringContaining('expectedCloseAt is empty') });
    expect((await admin.query(DRY_RUN, { id: dry, recordId: dated })).testWorkflow.wouldTrigger).toBe(true);
  });
});
