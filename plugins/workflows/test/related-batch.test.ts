// `updateRecord` through a to-many relation of tasks, deals and tickets: written by core's declared batch writer (one
// UPDATE for all, no savepoint per record), so 3 or 12 related records cost the same statements; each record checked
// and announced as its single update does it; all or none, a refused record named by its id; another workspace's rows
// never reached; the acting role's rights applied when the step runs.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { finishedRuns, publishedWorkflow, RUN, rowIdOf, startTwoWorkspaces, switchAllOff } from './support.js';

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Batch elsewhere'));
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

const customer = async (name: string, client = admin) =>
  (await client.query(`mutation ($n: String!) { createCustomer(input: { name: $n }) { customer { id } } }`, { n: name })).createCustomer.customer.id as string;
const tasks = async (customerId: string, count: number, client = admin) => {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push((await client.query(`mutation ($t: String!, $c: ID) { createTask(input: { title: $t, customerId: $c }) { task { id } } }`, { t: 'Follow up', c: customerId })).createTask.task.id);
  }
  return ids;
};
const deals = async (customerId: string, count: number) => {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push((await admin.query(`mutation ($c: ID!) { createDeal(input: { title: "Renewal", customerId: $c, amount: "100.00" }) { deal { id } } }`, { c: customerId })).createDeal.deal.id);
  }
  return ids;
};
const onCustomer = { kind: 'manual', object: 'Customer' };
const related = (relation: string, values: Record<string, unknown>, where?: unknown) => ({
  trigger: onCustomer,
  steps: [{ id: 'each', kind: 'updateRecord', relation, values, ...(where ? { where } : {}) }],
});

/** The statements of one run of `workflow` on `record`, and how many of them name `table` or open a savepoint. */
async function runCosts(workflow: string, record: string, runs: number, table: string) {
  const statements = await kit.sql.during(async () => {
    await admin.query(RUN, { id: workflow, recordId: record });
    await finishedRuns(kit, admin, workflow, runs);
  });
  return { table: statements.filter((s) => s.includes(`"${table}"`)).length, savepoints: statements.filter((s) => /^SAVEPOINT/i.test(s)).length };
}

/** The payloads of `type` events about `ids` (row ids), by subject, read straight from the database. */
async function payloads(type: string, ids: string[]) {
  const events = await kit.database.prisma.event.findMany({ where: { type, subjectId: { in: ids.map(rowIdOf) } }, orderBy: { seq: 'asc' } });
  return events.map((event) => event.payload);
}

describe('to-many updates of tasks, deals and tickets in one batch', () => {
  it('closing 3 or 12 tasks costs the same statements; each task gets the events updateTask gives it', async () => {
    const [few, many, single] = [await customer('Few tasks'), await customer('Many tasks'), await customer('One task')];
    const [fewTasks, manyTasks, [alone]] = [await tasks(few, 3), await tasks(many, 12), await tasks(single, 1)];
    const workflow = await publishedWorkflow(admin, 'Close open tasks', related('tasks', { status: 'DONE', notes: 'closed in bulk' }, { status: { eq: 'OPEN' } }));
    const small = await runCosts(workflow, few, 1, 'Task');
    const large = await runCosts(workflow, many, 2, 'Task');
    console.info(`to-many task update: ${small.table} statements on tasks for 3 records, ${large.table} for 12; savepoints ${small.savepoints} / ${large.savepoints}`);
    expect(large).toEqual(small);
    expect(small.table).toBeLessThanOrEqual(6);
    const outputs = (await finishedRuns(kit, admin, workflow, 2)).map((run) => run.steps[0]!.output.count).sort((a, b) => Number(a) - Number(b));
    expect(outputs).toEqual([3, 12]);
    // The single update of the same change: the same events with the same payloads, per record.
    await admin.query(`mutation ($id: ID!) { updateTask(input: { id: $id, status: DONE, notes: "closed in bulk" }) { task { id } } }`, { id: alone });
    const [singleUpdated] = await payloads('task.updated', [alone!]);
    expect(singleUpdated).toEqual({ changed: ['notes', 'status'], changes: { notes: { from: null, to: 'closed in bulk' }, status: { from: 'OPEN', to: 'DONE' } } });
    expect(await payloads('task.updated', [...fewTasks, ...manyTasks])).toEqual(Array(15).fill(singleUpdated));
    expect(await payloads('task.completed', [...fewTasks, ...manyTasks])).toEqual(Array(15).fill((await payloads('task.completed', [alone!]))[0]));
    const view = await admin.query(`query ($id: ID!) { node(id: $id) { ... on Task { status notes completedAt } } }`, { id: manyTasks[5] });
    expect(view.node).toMatchObject({ status: 'DONE', notes: 'closed in bulk', completedAt: expect.any(String) });
  });

  it('3 or 12 deals: the same statements; each deal.updated as updateDeal announces it (its customer, its changes)', async () => {
    const owner = (await admin.query(`mutation { createUser(input: { name: "Bo", email: "bo@batch.test" }) { user { id } } }`)).createUser.user.id;
    const [few, many, single] = [await customer('Few deals'), await customer('Many deals'), await customer('One deal')];
    const [fewDeals, manyDeals, [alone]] = [await deals(few, 3), await deals(many, 12), await deals(single, 1)];
    const workflow = await publishedWorkflow(admin, 'Hand deals to Bo', related('deals', { ownerId: rowIdOf(owner), expectedCloseAt: '2027-01-31T00:00:00.000Z' }));
    const small = await runCosts(workflow, few, 1, 'Deal');
    const large = await runCosts(workflow, many, 2, 'Deal');
    expect(large).toEqual(small);
    await admin.query(`mutation ($id: ID!, $o: ID) { updateDeal(input: { id: $id, ownerId: $o, expectedCloseAt: "2027-01-31T00:00:00.000Z" }) { deal { id } } }`, { id: alone, o: owner });
    const withoutCustomer = ({ customerId: _, ...rest }: Record<string, unknown>) => rest;
    const [singlePayload] = (await payloads('deal.updated', [alone!])) as Record<string, unknown>[];
    const batchPayloads = (await payloads('deal.updated', [...fewDeals, ...manyDeals])) as Record<string, unknown>[];
    expect(batchPayloads.map(withoutCustomer)).toEqual(Array(15).fill(withoutCustomer(singlePayload!)));
    expect(new Set(batchPayloads.map((p) => p.customerId))).toEqual(new Set([few, many].map(rowIdOf)));
  });

  it('all or none: one ticket that cannot take the value fails the step naming it, and no ticket is changed', async () => {
    const holder = await customer('Rated');
    const ticket = async (subject: string) =>
      (await admin.query(`mutation ($c: ID!, $s: String!) { createTicket(input: { customerId: $c, subject: $s }) { ticket { id } } }`, { c: holder, s: subject })).createTicket.ticket.id as string;
    const [closedOne, closedTwo, open] = [await ticket('Solved one'), await ticket('Solved two'), await ticket('Still open')];
    for (const id of [closedOne, closedTwo]) await admin.query(`mutation ($id: ID!) { updateTicket(input: { id: $id, status: RESOLVED }) { ticket { id } } }`, { id });
    const workflow = await publishedWorkflow(admin, 'Rate them all', related('tickets', { satisfactionRating: 4 }));
    await admin.query(RUN, { id: workflow, recordId: holder });
    const [run] = await finishedRuns(kit, admin, workflow, 1);
    expect(run).toMatchObject({ status: 'FAILED' });
    expect(run!.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(run!.steps[0]!.error).toContain(`the Ticket ${rowIdOf(open)} cannot be changed`);
    expect(run!.steps[0]!.error).toMatch(/only a RESOLVED or CLOSED ticket can be rated; nothing was changed/);
    const ratings = await kit.database.prisma.ticket.findMany({ where: { id: { in: [closedOne, closedTwo, open].map(rowIdOf) } }, select: { satisfactionRating: true } });
    expect(ratings.map((t) => t.satisfactionRating)).toEqual([null, null, null]);
    expect(await kit.database.prisma.surveyResponse.count({ where: { ticketId: { in: [closedOne, closedTwo].map(rowIdOf) } } })).toBe(0);
    expect(await payloads('ticket.updated', [closedOne, closedTwo, open])).toHaveLength(2); // the two RESOLVED moves only
  });

  it('another workspace’s task pointing at this workspace’s customer (written below the API) is never updated', async () => {
    const mine = await customer('Mine with tasks');
    const [own] = await tasks(mine, 1);
    const theirs = await customer('Theirs', other);
    const [stray] = await tasks(theirs, 1, other);
    await kit.database.prisma.$executeRawUnsafe(`UPDATE "Task" SET "customerId" = $1::uuid WHERE "id" = $2::uuid`, rowIdOf(mine), rowIdOf(stray!));
    const workflow = await publishedWorkflow(admin, 'Cancel all tasks', related('tasks', { status: 'CANCELLED' }));
    await admin.query(RUN, { id: workflow, recordId: mine });
    const [run] = await finishedRuns(kit, admin, workflow, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED' });
    expect(run!.steps[0]!.output.ids).toEqual([rowIdOf(own!)]);
    const rows = await kit.database.prisma.task.findMany({ where: { id: { in: [own!, stray!].map(rowIdOf) } }, select: { id: true, status: true } });
    expect(Object.fromEntries(rows.map((row) => [row.id, row.status]))).toEqual({ [rowIdOf(own!)]: 'CANCELLED', [rowIdOf(stray!)]: 'OPEN' });
  });

  it('a role that may no longer update deals when the step runs: FORBIDDEN, no deal changed', async () => {
    const permissions = (dealUpdate: boolean) => [
      { object: 'Customer', read: true, create: false, update: false },
      { object: 'Deal', read: true, create: false, update: dealUpdate },
    ];
    const ROLE = `mutation ($i: UpdateRoleInput!) { updateRole(input: $i) { role { id } } }`;
    const roleId = (await admin.query(`mutation ($n: String!, $p: [ObjectPermissionInput!]!, $pp: [String!]) { createRole(input: { name: $n, permissions: $p, pluginPermissions: $pp }) { role { id } } }`, {
      n: 'Deal desk',
      p: permissions(true),
      pp: ['workflows.manage', 'workflows.run'],
    })).createRole.role.id;
    const secret = (await admin.query(`mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`, { i: { name: 'deal desk', roleId } })).createApiKey.secret;
    const target = await customer('Guarded');
    const guarded = await deals(target, 2);
    const workflow = await publishedWorkflow(kit.client(secret), 'Retitle deals', related('deals', { title: 'Retitled' }));
    await admin.query(ROLE, { i: { id: roleId, permissions: permissions(false), pluginPermissions: ['workflows.manage', 'workflows.run'] } });
    await admin.query(RUN, { id: workflow, recordId: target });
    const [run] = await finishedRuns(kit, admin, workflow, 1);
    expect(run).toMatchObject({ status: 'FAILED' });
    expect(run!.steps[0]!.error).toMatch(/Deal/);
    const titles = await kit.database.prisma.deal.findMany({ where: { id: { in: guarded.map(rowIdOf) } }, select: { title: true } });
    expect(titles.map((d) => d.title)).toEqual(['Renewal', 'Renewal']);
  });
});
