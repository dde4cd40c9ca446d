// `updateRecord` beyond the trigger's record and its to-one relations, through a real gateway: another record by id
// (`record`: a template holding it, its object known at publish from the id's type or named by `object`), and the
// records of a to-many relation (`relation: "customers"`, `where`, `max`) changed in one bulk write whose statements do
// not grow with their number. Publish refusals name the path; another workspace's record id fails the step and touches
// nothing; a trashed record fails clearly; the dry run says what it would do.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, finishedRuns, PUBLISH, publishedWorkflow, RUN, rowIdOf, startTwoWorkspaces, switchAllOff } from './support.js';

const CUSTOMER = `mutation ($name: String!, $stage: LifecycleStage, $company: ID) {
  createCustomer(input: { name: $name, lifecycleStage: $stage, companyId: $company }) { customer { id } } }`;
const COMPANY = `mutation ($name: String!) { createCompany(input: { name: $name }) { company { id } } }`;
const TASK = `mutation ($title: String!, $customerId: ID) { createTask(input: { title: $title, customerId: $customerId }) { task { id } } }`;
const TASK_VIEW = `query ($id: ID!) { task: node(id: $id) { ... on Task { title status } } }`;
const STAGES = `query ($id: ID!) { company(id: $id) { customers(first: 50) { edges { node { name lifecycleStage } } } } }`;
/** A customer's custom field `ref` set (defined in beforeAll). */
const SET_REF = `mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`;
const DRY_RUN = `query ($id: ID!, $recordId: ID) { testWorkflow(id: $id, recordId: $recordId) { steps { stepId kind input effect } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Elsewhere'));
  // Where a test puts an id the workflow reads from the event (a custom field's change as core writes it, by its stable
  // key, is of no type known at publish; a built-in text field's change is text, not an id).
  await admin.query(`mutation { defineCustomField(input: { object: CUSTOMER, name: "ref", type: TEXT }) { customField { id } } }`);
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

const customer = async (name: string, variables: Record<string, unknown> = {}, client = admin) => (await client.query(CUSTOMER, { name, ...variables })).createCustomer.customer.id as string;
const task = async (title: string, customerId?: string, client = admin) => (await client.query(TASK, { title, customerId })).createTask.task.id as string;

async function publishError(definition: unknown) {
  const id = (await admin.query(CREATE, { name: 'Checked', definition })).createWorkflow.workflow.id;
  return (await admin.request(PUBLISH, { id })).errors?.[0]?.extensions as { code: string; field: string } | undefined;
}

const onCustomer = { kind: 'manual', object: 'Customer' };
const onCompany = { kind: 'manual', object: 'Company' };

describe('updateRecord on a record named by id', () => {
  it('updates the task an earlier step created: its object known at publish from the output’s type', async () => {
    const id = await publishedWorkflow(admin, 'Make and close', {
      trigger: onCustomer,
      steps: [
        { id: 'makeTask', kind: 'createTask', title: 'Call {{trigger.record.name}}' },
        { id: 'close', kind: 'updateRecord', record: '{{steps.makeTask.output.id}}', values: { status: 'DONE', title: 'Called {{trigger.record.name}}' } },
        // Its output is typed by the object publishing found: a Task's id where a Task's id is needed.
        { id: 'again', kind: 'updateRecord', record: '{{steps.close.output.id}}', values: { notes: 'closed by {{steps.close.output.count}} step' } },
      ],
    });
    const target = await customer('Ada');
    await admin.query(RUN, { id, recordId: target });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED' });
    const made = run!.steps.find((s) => s.stepId === 'makeTask')!.output.id as string;
    expect(run!.steps.find((s) => s.stepId === 'close')).toMatchObject({ input: { object: 'Task', record: made, id: made }, output: { id: made, ids: [made], count: 1 } });
    const view = (await admin.query(TASK_VIEW, { id: Buffer.from(`Task:${made}`).toString('base64') })).task;
    expect(view).toEqual({ title: 'Called Ada', status: 'DONE' });
  });

  it('refuses at publish what could not work, naming the path', async () => {
    const step = (extra: Record<string, unknown>) => ({ trigger: onCustomer, steps: [{ id: 'makeTask', kind: 'createTask', title: 'T' }, { id: 'u', kind: 'updateRecord', values: { title: 'x' }, ...extra }] });
    // Not an id: a literal that is no row id, a template holding text.
    expect(await publishError(step({ record: 'task-1', object: 'Task' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.1.record' });
    expect(await publishError(step({ record: '{{trigger.record.name}}', object: 'Task' }))).toMatchObject({ field: 'definition.steps.1.record' });
    // The object: unknown for a literal id (say it), disagreeing with the id's type, not declared.
    expect(await publishError(step({ record: '6f1c1d52-8a53-4d3b-9b8e-3f9f1c2a0b11' }))).toMatchObject({ field: 'definition.steps.1.object' });
    expect(await publishError(step({ record: '{{steps.makeTask.output.id}}', object: 'Deal' }))).toMatchObject({ field: 'definition.steps.1.object' });
    expect(await publishError(step({ record: '6f1c1d52-8a53-4d3b-9b8e-3f9f1c2a0b11', object: 'Nothing' }))).toMatchObject({ field: 'definition.steps.1.object' });
    // Values are the target's fields, typed by them: a Task has no lifecycleStage; its status is one of its values.
    expect(await publishError(step({ record: '{{steps.makeTask.output.id}}', values: { lifecycleStage: 'LEAD' } }))).toMatchObject({ field: 'definition.steps.1.values.lifecycleStage' });
    expect(await publishError(step({ record: '{{steps.makeTask.output.id}}', values: { status: 'FINISHED' } }))).toMatchObject({ field: 'definition.steps.1.values.status' });
    // record and relation together; object without record; where and max without a to-many relation.
    expect(await publishError(step({ record: '{{steps.makeTask.output.id}}', relation: 'company' }))).toMatchObject({ field: 'definition.steps.1.relation' });
    expect(await publishError(step({ object: 'Task' }))).toMatchObject({ field: 'definition.steps.1.object' });
    expect(await publishError(step({ record: '{{steps.makeTask.output.id}}', where: { status: { eq: 'OPEN' } } }))).toMatchObject({ field: 'definition.steps.1.where' });
    expect(await publishError(step({ relation: 'company', max: 3, values: { name: 'x' } }))).toMatchObject({ field: 'definition.steps.1.max' });
    // A schedule has no record, but may update one by id.
    expect(
      await publishError({ trigger: { kind: 'schedule', cron: '0 9 * * *' }, steps: [{ id: 'u', kind: 'updateRecord', record: '6f1c1d52-8a53-4d3b-9b8e-3f9f1c2a0b11', object: 'Task', values: { title: 'x' } }] }),
    ).toBeUndefined();
  });

  it('another workspace’s record id fails the step saying only “not found”, touching nothing; a trashed one fails clearly', async () => {
    const theirs = await task('Their secret task', await customer('Theirs', {}, other), other);
    const mine = await task('Mine');
    await admin.query(`mutation ($id: ID!) { deleteTask(input: { id: $id }) { deletedTaskId } }`, { id: mine });
    // The id comes from the event (a customer's `ref` set to it): unknown at publish, so the object is named.
    const id = await publishedWorkflow(admin, 'Rename the named task', {
      trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['ref'] },
      steps: [{ id: 'touch', kind: 'updateRecord', record: '{{trigger.event.payload.changes.customFields.to.ref}}', object: 'Task', values: { title: 'Touched' } }],
    });
    const named = await customer('Namer');
    await admin.query(SET_REF, { i: { id: named, customFields: { ref: rowIdOf(theirs) } } });
    const [foreign] = await finishedRuns(kit, admin, id, 1);
    expect(foreign).toMatchObject({ status: 'FAILED' });
    expect(foreign!.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(foreign!.steps[0]!.error).toMatch(/not found/i);
    expect(foreign!.steps[0]!.error).not.toMatch(/secret|trash/i);
    expect((await other.query(TASK_VIEW, { id: theirs })).task).toEqual({ title: 'Their secret task', status: 'OPEN' });

    await admin.query(SET_REF, { i: { id: named, customFields: { ref: rowIdOf(mine) } } });
    const runs = await finishedRuns(kit, admin, id, 2);
    const trashed = runs.find((r) => r.id !== foreign!.id)!;
    expect(trashed).toMatchObject({ status: 'FAILED' });
    expect(trashed.steps[0]!.error).toMatch(/is in the trash/);
  });

  it('a live record given a reference to no record fails with the writer’s own NOT_FOUND, not “in the trash”', async () => {
    const live = await customer('Live');
    const id = await publishedWorkflow(admin, 'Give an owner nobody is', {
      trigger: onCustomer,
      steps: [{ id: 'own', kind: 'updateRecord', values: { ownerId: '0190c7f4-1111-7000-8000-000000000001' } }],
    });
    await admin.query(RUN, { id, recordId: live });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(run!.steps[0]!.error).toMatch(/user.*not found/i);
    expect(run!.steps[0]!.error).not.toMatch(/trash/i);
  });
});

it('under “own records only”, another member’s trashed record is only “not found”; the role’s own trashed record is “in the trash”', async () => {
  const user = async (name: string) => (await admin.query(`mutation ($n: String!, $e: String!) { createUser(input: { name: $n, email: $e }) { user { id } } }`, { n: name, e: `${name}@trash.test` })).createUser.user.id as string;
  const [tess, omar] = [await user('tess'), await user('omar')];
  const owned = async (name: string, ownerId: string) =>
    (await admin.query(`mutation ($n: String!, $o: ID) { createCustomer(input: { name: $n, ownerId: $o }) { customer { id } } }`, { n: name, o: ownerId })).createCustomer.customer.id as string;
  const [tessTrashed, omarTrashed, namer] = [await owned('Tess gone', tess), await owned('Omar gone', omar), await owned('Tess namer', tess)];
  for (const gone of [tessTrashed, omarTrashed]) await admin.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: gone });
  const roleId = (await admin.query(`mutation ($n: String!, $p: [ObjectPermissionInput!]!, $pp: [String!]) { createRole(input: { name: $n, permissions: $p, pluginPermissions: $pp }) { role { id } } }`, {
    n: 'Own customers',
    p: [{ object: 'Customer', read: true, create: false, update: true, ownRecordsOnly: true }],
    pp: ['workflows.manage', 'workflows.run'],
  })).createRole.role.id;
  const secret = (await admin.query(`mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`, { i: { name: 'own customers', roleId, userId: tess } })).createApiKey.secret;
  const id = await publishedWorkflow(kit.client(secret), 'Touch the named customer', {
    trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['ref'] },
    steps: [{ id: 'touch', kind: 'updateRecord', record: '{{trigger.event.payload.changes.customFields.to.ref}}', object: 'Customer', values: { lifecycleStage: 'CUSTOMER' } }],
  });
  const rename = (to: string) => admin.query(SET_REF, { i: { id: namer, customFields: { ref: rowIdOf(to) } } });
  await rename(omarTrashed);
  const [hidden] = await finishedRuns(kit, admin, id, 1);
  expect(hidden!.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
  expect(hidden!.steps[0]!.error).toMatch(/not found/i);
  expect(hidden!.steps[0]!.error).not.toMatch(/trash/i);
  await rename(tessTrashed);
  const own = (await finishedRuns(kit, admin, id, 2)).find((r) => r.id !== hidden!.id)!;
  expect(own.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
  expect(own.steps[0]!.error).toMatch(/is in the trash/);
});

describe('updateRecord through a to-many relation', () => {
  const promote = (extra: Record<string, unknown> = {}) => ({
    trigger: onCompany,
    steps: [{ id: 'promote', kind: 'updateRecord', relation: 'customers', where: { lifecycleStage: { eq: 'LEAD' } }, values: { lifecycleStage: 'CUSTOMER' }, ...extra }],
  });
  const company = async (name: string, leads: number, others = 0, client = admin) => {
    const id = (await client.query(COMPANY, { name })).createCompany.company.id as string;
    for (let i = 0; i < leads; i++) await customer(`${name} lead ${i}`, { stage: 'LEAD', company: id }, client);
    for (let i = 0; i < others; i++) await customer(`${name} other ${i}`, { stage: 'ADVOCATE', company: id }, client);
    return id;
  };
  const stages = async (id: string) =>
    ((await admin.query(STAGES, { id })).company.customers.edges as { node: { name: string; lifecycleStage: string } }[]).map((e) => e.node.lifecycleStage).sort();

  it('changes each related record `where` matches, in statements that do not grow with their number, with their events', async () => {
    const small = await company('Small', 3, 1);
    const large = await company('Large', 12, 1);
    const id = await publishedWorkflow(admin, 'Promote leads', promote());
    const customerStatements = async (target: string, runs: number) => {
      const statements = await kit.sql.during(async () => {
        await admin.query(RUN, { id, recordId: target });
        await finishedRuns(kit, admin, id, runs);
      });
      return statements.filter((s) => s.includes('"Customer"')).length;
    };
    const few = await customerStatements(small, 1);
    const many = await customerStatements(large, 2);
    console.info(`to-many update: ${few} statements on customers for 3 records, ${many} for 12`);
    // One read of the matching ids, then the bulk path's few statements: the same for 3 and for 12.
    expect(many).toBe(few);
    expect(await stages(small)).toEqual(['ADVOCATE', 'CUSTOMER', 'CUSTOMER', 'CUSTOMER']);
    expect(await stages(large)).toEqual(['ADVOCATE', ...Array(12).fill('CUSTOMER')]);
    const runs = await finishedRuns(kit, admin, id, 2);
    const outputs = runs.map((r) => r.steps[0]!.output as { count: number; ids: string[] }).sort((a, b) => a.count - b.count);
    expect(outputs.map((o) => o.count)).toEqual([3, 12]);
    // Each record's change is announced as a single update's is.
    const events = await admin.query(`{ events(first: 100, types: ["customer.updated"]) { edges { node { payload } } } }`);
    const promoted = events.events.edges.filter((e: { node: { payload: { changes?: { lifecycleStage?: unknown } } } }) => e.node.payload.changes?.lifecycleStage);
    expect(promoted.map((e: { node: { payload: { changes: { lifecycleStage: unknown } } } }) => e.node.payload.changes.lifecycleStage)).toEqual(Array(15).fill({ from: 'LEAD', to: 'CUSTOMER' }));
  });

  it('more matching than max fails the step and changes none; a run on another workspace’s company is refused', async () => {
    const crowded = await company('Crowded', 3);
    const theirs = await company('Theirs', 2, 0, other);
    const id = await publishedWorkflow(admin, 'Promote two at most', promote({ max: 2 }));
    await admin.query(RUN, { id, recordId: crowded });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'FAILED' });
    expect(run!.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(run!.steps[0]!.error).toMatch(/more than 2 Customer records match/);
    expect(await stages(crowded)).toEqual(['LEAD', 'LEAD', 'LEAD']);
    // Run on the other workspace's company id: not this workspace's record.
    expect((await admin.request(RUN, { id, recordId: theirs })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const theirStages = ((await other.query(STAGES, { id: theirs })).company.customers.edges as { node: { lifecycleStage: string } }[]).map((e) => e.node.lifecycleStage);
    expect(theirStages).toEqual(['LEAD', 'LEAD']);
  });

  it('another workspace’s row pointing at this workspace’s company (written directly) is never reached', async () => {
    const mine = await company('Mine', 1);
    const stray = await customer('Stray lead', { stage: 'LEAD' }, other);
    // A foreign key does not know workspaces: make their customer name our company, below the API.
    await kit.database.prisma.$executeRawUnsafe(`UPDATE "Customer" SET "companyId" = $1::uuid WHERE "id" = $2::uuid`, rowIdOf(mine), rowIdOf(stray));
    const id = await publishedWorkflow(admin, 'Promote leads here', promote());
    await admin.query(RUN, { id, recordId: mine });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED' });
    expect(run!.steps[0]!.output).toMatchObject({ count: 1 });
    expect(run!.steps[0]!.output.ids).not.toContain(rowIdOf(stray));
    expect(await stages(mine)).toEqual(['CUSTOMER']);
    expect((await other.query(`query ($id: ID!) { customer(id: $id) { lifecycleStage } }`, { id: stray })).customer.lifecycleStage).toBe('LEAD');
  });

  it('a refused value of a related record fails the step with its own message, once (not a retried “transaction is aborted”)', async () => {
    const target = await company('Taken', 1);
    await admin.query(`mutation { createCustomer(input: { name: "Holder", email: "taken@x.test" }) { customer { id } } }`);
    const id = await publishedWorkflow(admin, 'Give them the taken address', {
      trigger: onCompany,
      steps: [{ id: 'mail', kind: 'updateRecord', relation: 'customers', values: { email: 'taken@x.test' } }],
    });
    await admin.query(RUN, { id, recordId: target });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'FAILED' });
    expect(run!.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(run!.steps[0]!.error).toMatch(/already exists/);
    expect(run!.steps[0]!.error).not.toMatch(/aborted/);
    expect((await admin.query(`query ($id: ID!) { company(id: $id) { customers(first: 5) { edges { node { email } } } } }`, { id: target })).company.customers.edges).toEqual([{ node: { email: null } }]);
  });

  it('closes a customer’s open tasks (core’s declared batch writer: one UPDATE for all, in the step’s transaction)', async () => {
    const target = await customer('Busy');
    const open = [await task('One', target), await task('Two', target)];
    const done = await task('Three', target);
    await admin.query(`mutation ($id: ID!) { completeTask(input: { id: $id }) { task { id } } }`, { id: done });
    const id = await publishedWorkflow(admin, 'Close open tasks', {
      trigger: onCustomer,
      steps: [{ id: 'close', kind: 'updateRecord', relation: 'tasks', where: { status: { eq: 'OPEN' } }, values: { status: 'CANCELLED' } }],
    });
    await admin.query(RUN, { id, recordId: target });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED' });
    expect(run!.steps[0]!.output).toMatchObject({ count: 2, id: null });
    expect(new Set(run!.steps[0]!.output.ids)).toEqual(new Set(open.map((t) => rowIdOf(t))));
    for (const t of open) expect((await admin.query(TASK_VIEW, { id: t })).task.status).toBe('CANCELLED');
    expect((await admin.query(TASK_VIEW, { id: done })).task.status).toBe('DONE');
  });

  it('acts as the publishing key’s role: refused at publish without the right; through a relation only the role’s own records change', async () => {
    const user = async (name: string) => (await admin.query(`mutation ($n: String!, $e: String!) { createUser(input: { name: $n, email: $e }) { user { id } } }`, { n: name, e: `${name}@targets.test` })).createUser.user.id as string;
    const [ulla, otto] = [await user('ulla'), await user('otto')];
    const shared = (await admin.query(COMPANY, { name: 'Shared' })).createCompany.company.id as string;
    const lead = async (name: string, ownerId: string) =>
      (await admin.query(`mutation ($n: String!, $o: ID, $c: ID) { createCustomer(input: { name: $n, ownerId: $o, companyId: $c, lifecycleStage: LEAD }) { customer { id } } }`, { n: name, o: ownerId, c: shared })).createCustomer.customer.id as string;
    await lead('Ulla one', ulla);
    await lead('Ulla two', ulla);
    const ottos = await lead('Otto one', otto);
    // A rep updating only their own customers, who may read tasks but not change them; the key is Ulla's.
    const permissions = [
      { object: 'Customer', read: true, create: false, update: true, ownRecordsOnly: true },
      { object: 'Company', read: true, create: false, update: false },
      { object: 'Task', read: true, create: true, update: false },
    ];
    const roleId = (await admin.query(`mutation ($n: String!, $p: [ObjectPermissionInput!]!, $pp: [String!]) { createRole(input: { name: $n, permissions: $p, pluginPermissions: $pp }) { role { id } } }`, {
      n: 'Target rep',
      p: permissions,
      pp: ['workflows.manage', 'workflows.run'],
    })).createRole.role.id;
    const secret = (await admin.query(`mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`, { i: { name: 'target rep', roleId, userId: ulla } })).createApiKey.secret;
    const rep = kit.client(secret);
    const id = (await rep.query(CREATE, { name: 'Close the task', definition: { trigger: onCustomer, steps: [{ id: 'm', kind: 'createTask', title: 'T' }, { id: 'u', kind: 'updateRecord', record: '{{steps.m.output.id}}', values: { title: 'x' } }] } }))
      .createWorkflow.workflow.id;
    expect((await rep.request(PUBLISH, { id })).errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'definition.steps.1.record' });

    const flow = await publishedWorkflow(rep, 'Promote my leads', promote());
    await admin.query(RUN, { id: flow, recordId: shared });
    const [run] = await finishedRuns(kit, admin, flow, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED' });
    expect(run!.steps[0]!.output).toMatchObject({ count: 2 });
    expect(run!.steps[0]!.output.ids).not.toContain(rowIdOf(ottos));
    expect(await stages(shared)).toEqual(['CUSTOMER', 'CUSTOMER', 'LEAD']);
  });

  it('refuses at publish a relation it cannot update through and a where that is no filter of the related object', async () => {
    expect(await publishError(promote({ relation: 'nothing' }))).toMatchObject({ field: 'definition.steps.0.relation' });
    expect(await publishError(promote({ where: { color: { eq: 'red' } } }))).toMatchObject({ field: expect.stringMatching(/^definition\.steps\.0\.where/) });
    expect(await publishError(promote({ max: 101 }))).toMatchObject({ field: 'definition.steps.0.max' });
    expect(await publishError(promote({ values: { lifecycleStage: 'BOSS' } }))).toMatchObject({ field: 'definition.steps.0.values.lifecycleStage' });
  });

  it('refuses at publish a to-many step’s output.id (always null: it names ids) and templates in its where (a fixed filter)', async () => {
    const refusal = async (definition: unknown) => {
      const id = (await admin.query(CREATE, { name: 'Checked', definition })).createWorkflow.workflow.id;
      const error = (await admin.request(PUBLISH, { id })).errors?.[0];
      return { message: error?.message, ...(error?.extensions as { code: string; field: string }) };
    };
    const after = (step: Record<string, unknown>) => ({ trigger: onCompany, steps: [promote().steps[0], step] });
    expect(await refusal(after({ id: 'u', kind: 'updateRecord', record: '{{steps.promote.output.id}}', values: { name: 'x' } }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.1.record',
      message: expect.stringMatching(/steps\.promote\.output\.ids/),
    });
    expect(await refusal(after({ id: 't', kind: 'createTask', title: 'Promoted {{steps.promote.output.id}}' }))).toMatchObject({ field: 'definition.steps.1.title' });
    // Its ids and count are what it has.
    expect((await refusal(after({ id: 't', kind: 'createTask', title: 'Promoted {{steps.promote.output.count}}: {{steps.promote.output.ids}}' }))).message).toBeUndefined();
    // A template in where: refused whatever the field's type, naming where it is.
    expect(await refusal(promote({ where: { name: { eq: '{{trigger.record.name}}' } } }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.where.name.eq',
      message: expect.stringMatching(/takes no templates/),
    });
    expect(await refusal(promote({ where: { and: [{ lifecycleStage: { eq: 'LEAD' } }, { ownerId: { eq: '{{trigger.record.ownerId}}' } }] } }))).toMatchObject({
      field: 'definition.steps.0.where.and.1.ownerId.eq',
      message: expect.stringMatching(/takes no templates/),
    });
  });

  it('the dry run describes the change (relation, filter, bound) and writes nothing; and the record by id', async () => {
    const target = await company('Dry', 1);
    const id = (await admin.query(CREATE, { name: 'Dry', definition: promote() })).createWorkflow.workflow.id;
    const [step] = (await admin.query(DRY_RUN, { id, recordId: target })).testWorkflow.steps;
    expect(step.effect).toBe(`update the record's customers (each of Customer matching {"lifecycleStage":{"eq":"LEAD"}}, at most 100): lifecycleStage`);
    expect(await stages(target)).toEqual(['LEAD']);

    const byId = (await admin.query(CREATE, {
      name: 'Dry by id',
      definition: { trigger: onCustomer, steps: [{ id: 'm', kind: 'createTask', title: 'T' }, { id: 'u', kind: 'updateRecord', record: '{{steps.m.output.id}}', values: { title: 'x' } }] },
    })).createWorkflow.workflow.id;
    const steps = (await admin.query(DRY_RUN, { id: byId, recordId: await customer('Dry one') })).testWorkflow.steps;
    expect(steps[1].effect).toMatch(/^update the Task .*: title$/);
  });
});
