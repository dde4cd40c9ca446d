// Record `updated` triggers against what commands really announce: a deal's stage move and a task's completion are
// updates of the record (once per change), `from`/`to` typed by their field and kept in the events' form, "only when
// the condition becomes true", a `deleted` trigger's condition and switch steps reading the trash, and the traces of a
// chain cut by the depth limit and a cron that never fires. Live, and in the dry run.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, CUSTOMER, eventually, finishedRuns, publishedWorkflow, RUN, runsOf, startTwoWorkspaces, switchAllOff } from './support.js';

const DEAL = `mutation ($c: ID!, $p: ID!, $s: ID!) { createDeal(input: { title: "Fleet", customerId: $c, pipelineId: $p, stageId: $s, amount: "100.00" }) { deal { id } } }`;
const MOVE = `mutation ($id: ID!, $s: ID!, $r: String) { moveDeal(input: { id: $id, stageId: $s, lostReason: $r }) { deal { id } } }`;
const TASK = `mutation ($c: ID!, $t: String!) { createTask(input: { title: $t, customerId: $c }) { task { id } } }`;
const COMPLETE = `mutation ($id: ID!) { completeTask(input: { id: $id }) { task { id } } }`;
const DRY_RUN = `query ($id: ID!, $recordId: ID, $sample: JSON) { testWorkflow(id: $id, recordId: $recordId, sample: $sample) { wouldTrigger trigger steps { stepId branch } } }`;
const UPDATE_CUSTOMER = `mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`;
const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let pipeline: { id: string; open: string; lost: string };

beforeAll(async () => {
  ({ kit, admin } = await startTwoWorkspaces('Trigger changes, other'));
  const [first] = (await admin.query(`{ pipelines { id stages { id isLost isWon } } }`)).pipelines as { id: string; stages: { id: string; isLost: boolean; isWon: boolean }[] }[];
  pipeline = { id: first!.id, open: first!.stages.find((s) => !s.isLost && !s.isWon)!.id, lost: first!.stages.find((s) => s.isLost)!.id };
});
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;
const draft = async (definition: unknown) => (await admin.query(CREATE, { name: 'Draft', definition })).createWorkflow.workflow.id as string;
const publishError = async (definition: unknown) => {
  const id = await draft(definition);
  const answer = await admin.request(`mutation ($id: ID!) { publishWorkflow(input: { id: $id }) { version { number } } }`, { id });
  return answer.errors?.[0]?.extensions as { code: string; field: string } | undefined;
};
/** A step that only records its branch: the run's record is tested, nothing written. */
const check = { id: 'check', kind: 'condition', if: { name: { startsWith: 'VIP' } } };
const note = (id: string) => ({ id, kind: 'wait', for: { seconds: 0 } });
/** After `settled`, exactly `count` runs, however long more would have taken to appear. */
const exactly = async (id: string, count: number) => {
  const runs = await finishedRuns(kit, admin, id, count);
  await kit.settled();
  expect(await runsOf(admin, id)).toHaveLength(count);
  return runs;
};

describe('a stage move and a task completion are updates of their record', () => {
  it('moveDeal sets off `updated` triggers on stageId and status once per move; the dry run agrees', async () => {
    const lostStageGlobal = pipeline.lost;
    const onStage = await publishedWorkflow(admin, 'Deal lost (stage)', {
      trigger: { kind: 'record', object: 'Deal', on: 'updated', fields: ['stageId'], to: lostStageGlobal },
      steps: [note('n')],
    });
    const onStatus = await publishedWorkflow(admin, 'Deal lost (status)', { trigger: { kind: 'record', object: 'Deal', on: 'updated', fields: ['status'], to: 'LOST' }, steps: [note('n')] });
    const anyUpdate = await publishedWorkflow(admin, 'Any deal update', { trigger: { kind: 'record', object: 'Deal', on: 'updated' }, steps: [note('n')] });
    const deal = (await admin.query(DEAL, { c: await customer('Moved Mo'), p: pipeline.id, s: pipeline.open })).createDeal.deal.id;
    await admin.query(MOVE, { id: deal, s: pipeline.lost, r: 'price' });
    // One move: `deal.stage_changed` (with the changes) and `deal.lost` — one update, so one run of each.
    await exactly(onStage, 1);
    await exactly(onStatus, 1);
    await exactly(anyUpdate, 1);

    const dry = await draft({ trigger: { kind: 'record', object: 'Deal', on: 'updated', fields: ['stageId'], to: lostStageGlobal }, steps: [note('n')] });
    const rowOf = (global: string) => Buffer.from(global, 'base64').toString().split(':')[1];
    expect((await admin.query(DRY_RUN, { id: dry, recordId: deal, sample: { stageId: { from: rowOf(pipeline.open), to: rowOf(pipeline.lost) } } })).testWorkflow.wouldTrigger).toBe(true);
    expect((await admin.query(DRY_RUN, { id: dry, recordId: deal, sample: { stageId: { from: rowOf(pipeline.lost), to: rowOf(pipeline.open) } } })).testWorkflow.wouldTrigger).toBe(false);
  });

  it('completeTask sets off a status → DONE trigger once, as updateTask does', async () => {
    const id = await publishedWorkflow(admin, 'Task done', { trigger: { kind: 'record', object: 'Task', on: 'updated', fields: ['status'], to: 'DONE' }, steps: [note('n')] });
    const owner = await customer('Tasked Tia');
    const task = (await admin.query(TASK, { c: owner, t: 'Call' })).createTask.task.id;
    await admin.query(COMPLETE, { id: task });
    await exactly(id, 1);
    // updateTask's completion: `task.updated` carries the change, its `task.completed` does not (no second run).
    const other = (await admin.query(TASK, { c: owner, t: 'Write' })).createTask.task.id;
    await admin.query(`mutation ($id: ID!) { updateTask(input: { id: $id, status: DONE }) { task { id } } }`, { id: other });
    await exactly(id, 2);
    const dry = await draft({ trigger: { kind: 'record', object: 'Task', on: 'updated', fields: ['status'], to: 'DONE' }, steps: [note('n')] });
    expect((await admin.query(DRY_RUN, { id: dry, recordId: task, sample: { status: { from: 'OPEN', to: 'DONE' } } })).testWorkflow.wouldTrigger).toBe(true);
  });
});

describe('a deleted trigger reads its record in the trash', () => {
  it("condition and switch steps test the deleted record (live and in testWorkflow), not take else/default", async () => {
    const definition = {
      trigger: { kind: 'record', object: 'Customer', on: 'deleted' },
      steps: [check, { id: 'pick', kind: 'switch', cases: [{ name: 'vip', when: { name: { startsWith: 'VIP' } }, steps: [] }], default: [] }],
    };
    const id = await publishedWorkflow(admin, 'Gone VIP', definition);
    const gone = await customer('VIP Vera');
    await admin.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: gone });
    const [run] = await exactly(id, 1);
    expect(run!.steps.map((s) => [s.stepId, s.output?.branch])).toEqual([
      ['check', 'then'],
      ['pick', 'vip'],
    ]);
    const dry = await admin.query(DRY_RUN, { id: await draft(definition), recordId: gone });
    expect(dry.testWorkflow.steps.map((s: { branch: string }) => s.branch)).toEqual(['then', 'vip']);
  });
});

describe('from and to are typed by their field', () => {
  it('refuses a value of the wrong type or an unknown enum value, naming definition.trigger.to', async () => {
    const on = (field: string, to: unknown) => ({ trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: [field], to }, steps: [note('n')] });
    expect(await publishError(on('name', 5000))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.trigger.to' });
    expect(await publishError(on('lifecycleStage', 'GOLDEN'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.trigger.to' });
    expect(await publishError(on('ownerId', 'not an id'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.trigger.to' });
    expect(await publishError({ ...on('lifecycleStage', 'LEAD'), trigger: { ...on('lifecycleStage', 'LEAD').trigger, from: 7 } })).toMatchObject({ field: 'definition.trigger.from' });
  });

  it('fires on a global id (ownerId) and on money given as a number (amount), stored as events carry them', async () => {
    const user = (await admin.query(`mutation { createUser(input: { name: "Oda Owner", email: "oda@example.com" }) { user { id } } }`)).createUser.user.id as string;
    const onOwner = await publishedWorkflow(admin, 'Owner set', { trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['ownerId'], to: user }, steps: [note('n')] });
    const onAmount = await publishedWorkflow(admin, 'Amount 5000', { trigger: { kind: 'record', object: 'Deal', on: 'updated', fields: ['amount'], to: 5000 }, steps: [note('n')] });
    const versions = `query ($id: ID!) { workflow(id: $id) { versions { definition } } }`;
    expect((await admin.query(versions, { id: onAmount })).workflow.versions[0].definition.trigger.to).toBe('5000.00');
    expect((await admin.query(versions, { id: onOwner })).workflow.versions[0].definition.trigger.to).toBe(Buffer.from(user, 'base64').toString().split(':')[1]);

    const owned = await customer('Owned Otto');
    await admin.query(UPDATE_CUSTOMER, { i: { id: owned, ownerId: user } });
    await exactly(onOwner, 1);
    const deal = (await admin.query(DEAL, { c: owned, p: pipeline.id, s: pipeline.open })).createDeal.deal.id;
    await admin.query(`mutation ($id: ID!) { updateDeal(input: { id: $id, amount: "5000" }) { deal { id } } }`, { id: deal });
    await exactly(onAmount, 1);
  });
});

describe('only when the record starts to match the condition', () => {
  const gold = { kind: 'record', object: 'Customer', on: 'updated', condition: { lifecycleStage: { eq: 'CUSTOMER' } } };

  it('fires on the change that makes the record match, not on later changes of a matching record', async () => {
    const entering = await publishedWorkflow(admin, 'Became a customer', { trigger: { ...gold, onlyWhenConditionBecomesTrue: true }, steps: [note('n')] });
    const every = await publishedWorkflow(admin, 'Is a customer', { trigger: gold, steps: [note('n')] });
    const who = (await admin.query(`mutation { createCustomer(input: { name: "Pia", lifecycleStage: PROSPECT }) { customer { id } } }`)).createCustomer.customer.id;
    await admin.query(UPDATE_CUSTOMER, { i: { id: who, lifecycleStage: 'CUSTOMER' } });
    await exactly(entering, 1);
    await admin.query(UPDATE_CUSTOMER, { i: { id: who, name: 'Pia P.' } });
    await exactly(every, 2);
    await exactly(entering, 1);
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { name lifecycleStage } }`, { id: who })).customer).toEqual({ name: 'Pia P.', lifecycleStage: 'CUSTOMER' });

    const dry = await draft({ trigger: { ...gold, onlyWhenConditionBecomesTrue: true }, steps: [note('n')] });
    const renamed = await admin.query(DRY_RUN, { id: dry, recordId: who, sample: { name: { from: 'Pia', to: 'Pia Q.' } } });
    expect(renamed.testWorkflow).toMatchObject({ wouldTrigger: false, trigger: expect.stringContaining('before the change too') });
    const entered = await admin.query(DRY_RUN, { id: dry, recordId: who, sample: { lifecycleStage: { from: 'LEAD', to: 'CUSTOMER' } } });
    expect(entered.testWorkflow.wouldTrigger).toBe(true);
  });

  it('is refused on other triggers and without a condition', async () => {
    expect(await publishError({ trigger: { kind: 'record', object: 'Customer', on: 'updated', onlyWhenConditionBecomesTrue: true }, steps: [note('n')] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.trigger.onlyWhenConditionBecomesTrue',
    });
    expect(await publishError({ trigger: { ...gold, on: 'created', onlyWhenConditionBecomesTrue: true }, steps: [note('n')] })).toMatchObject({
      field: 'definition.trigger.onlyWhenConditionBecomesTrue',
    });
  });
});

describe('runs by hand of a record-triggered workflow', () => {
  it("test the trigger's condition: a MEMBER's key cannot aim the workflow at records it does not select", async () => {
    const id = await publishedWorkflow(admin, 'VIP renamed', {
      trigger: { kind: 'record', object: 'Customer', on: 'updated', condition: { name: { startsWith: 'VIP' } } },
      steps: [note('n')],
    });
    const member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
    const [plain, vip, vip2] = [await customer('Plain Paul'), await customer('VIP Val'), await customer('VIP Vic')];
    expect(await member.request(RUN, { id, recordId: plain })).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'recordId' } }] });
    await kit.settled();
    expect(await runsOf(admin, id)).toHaveLength(0);
    await member.query(RUN, { id, recordId: vip });
    const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started skipped } }`;
    expect((await member.query(ON_RECORDS, { id, ids: [plain, vip2] })).runWorkflowOnRecords).toEqual({ started: 1, skipped: [plain] });
    const runs = await exactly(id, 2);
    expect(runs.map((r) => r.recordId).sort()).toEqual([vip, vip2].sort());
  });
});

describe('traces', () => {
  it('refuses a cron that never fires', async () => {
    expect(await publishError({ trigger: { kind: 'schedule', cron: '0 0 30 2 *' }, steps: [note('n')] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.trigger.cron' });
  });

  it('records a chain cut by the depth limit as an event an ADMIN reads', async () => {
    await admin.query(SETTINGS, { settings: { maxDepth: 1 } });
    const id = await publishedWorkflow(admin, 'Chain', {
      trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['name'] },
      steps: [{ id: 'rename', kind: 'updateRecord', values: { name: '{{trigger.record.name}}+' } }],
      options: { allowSelfTrigger: true },
    });
    const target = await customer('Chain');
    await admin.query(UPDATE_CUSTOMER, { i: { id: target, name: 'Chain0' } });
    await exactly(id, 2);
    const cuts = await eventually(kit, async () => {
      const found = (await admin.query(`{ events(first: 5, types: ["workflow.depth_limit_reached"]) { edges { node { subjectType payload } } } }`)).events.edges;
      expect(found).toHaveLength(1);
      return found;
    });
    expect(cuts[0].node).toMatchObject({ subjectType: 'Workflow', payload: { maxDepth: 1, eventType: 'customer.updated', workflowIds: [expect.any(String)] } });
    await admin.query(SETTINGS, { settings: { maxDepth: 5 } });
  });
});
