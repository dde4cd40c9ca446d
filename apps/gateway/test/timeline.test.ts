import { globalId, rowId } from '@crm/graph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

const LOG = /* GraphQL */ `
  mutation Log($input: LogActivityInput!) {
    logActivity(input: $input) { activity { id type channel direction subject body occurredAt customer { name } deal { title } ticket { subject } } }
  }
`;
const TIMELINE = /* GraphQL */ `
  query Timeline($id: ID!, $first: Int, $after: String) {
    customer(id: $id) {
      activities(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node { channel subject occurredAt } }
      }
    }
  }
`;
const TASK_FIELDS = 'id title notes status dueAt completedAt assignee { name } customer { name } deal { title }';

async function newCustomer(client: TestClient, name: string): Promise<string> {
  const data = await client.query(`mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`, { name });
  return data.createCustomer.customer.id;
}

/** A deal in the workspace's default pipeline, written directly: deals are another area's mutations. */
async function newDeal(workspaceId: string, customerGlobalId: string, title: string): Promise<string> {
  const { prisma } = t.database;
  const stage = await prisma.stage.findFirstOrThrow({ where: { workspaceId, pipeline: { isDefault: true } }, orderBy: { position: 'asc' } });
  const customerId = rowId(customerGlobalId, 'Customer', 'customerId');
  const deal = await prisma.deal.create({
    data: { workspaceId, title, amount: '1000.00', customerId, pipelineId: stage.pipelineId, stageId: stage.id },
  });
  return globalId('Deal', deal.id);
}

/** The events recorded about one row (its global id's type is whatever the row is). */
const eventsOf = (subjectGlobalId: string) =>
  t.database.prisma.event.findMany({ where: { subjectId: rowId(subjectGlobalId, ['Activity', 'Task'], 'id') }, orderBy: { seq: 'asc' } });

describe('the interaction timeline', () => {
  it('logs an activity on every channel and reads the timeline newest first, page by page', async () => {
    const { client } = t.workspace;
    const customerId = await newCustomer(client, 'Timeline Tina');
    const channels = ['WEB', 'PHONE', 'CHAT', 'EMAIL', 'SOCIAL', 'IN_PERSON'] as const;
    const types = { WEB: 'WEB_VISIT', PHONE: 'CALL', CHAT: 'CHAT', EMAIL: 'EMAIL', SOCIAL: 'SOCIAL_POST', IN_PERSON: 'MEETING' } as const;
    const hour = 3_600_000;
    const base = Date.now() - 10 * hour;
    for (const [i, channel] of channels.entries()) {
      const { logActivity } = await client.query(LOG, {
        input: {
          customerId,
          type: types[channel],
          channel,
          direction: i % 2 ? 'OUTBOUND' : 'INBOUND',
          subject: `${channel} contact`,
          body: i === 3 ? 'Asked how we compare to Globex' : null,
          occurredAt: new Date(base + i * hour).toISOString(),
        },
      });
      expect(logActivity.activity).toMatchObject({ channel, type: types[channel], subject: `${channel} contact`, customer: { name: 'Timeline Tina' } });
    }

    const page1 = await client.query(TIMELINE, { id: customerId, first: 4 });
    const first = page1.customer.activities;
    expect(first.totalCount).toBe(6);
    expect(first.edges.map((e: any) => e.node.channel)).toEqual(['IN_PERSON', 'SOCIAL', 'EMAIL', 'CHAT']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const page2 = await client.query(TIMELINE, { id: customerId, first: 4, after: first.pageInfo.endCursor });
    const rest = page2.customer.activities;
    expect(rest.edges.map((e: any) => e.node.channel)).toEqual(['PHONE', 'WEB']);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const times = [...first.edges, ...rest.edges].map((e: any) => Date.parse(e.node.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    // The workspace-wide timeline filters by channel too.
    const email = await client.query(`{ activities(filter: { channel: { in: [EMAIL] } }) { edges { node { subject body customer { name } } } } }`);
    expect(email.activities.edges).toContainEqual({ node: { subject: 'EMAIL contact', body: 'Asked how we compare to Globex', customer: { name: 'Timeline Tina' } } });
  });

  it('defaults occurredAt to now, refuses a time more than a day ahead, and emits activity.logged with the body', async () => {
    const { client } = t.workspace;
    const customerId = await newCustomer(client, 'Clock Carl');
    const before = Date.now();
    const { logActivity } = await client.query(LOG, {
      input: { customerId, type: 'NOTE', channel: 'PHONE', subject: 'Left a voicemail', body: 'Mentioned Initech pricing' },
    });
    const occurredAt = Date.parse(logActivity.activity.occurredAt);
    expect(occurredAt).toBeGreaterThanOrEqual(before - 1000);
    expect(occurredAt).toBeLessThanOrEqual(Date.now() + 1000);

    const events = await eventsOf(logActivity.activity.id);
    expect(events.map((e) => e.type)).toEqual(['activity.logged']);
    expect(events[0]!.payload).toEqual({
      customerId: rowId(customerId, 'Customer', 'customerId'),
      type: 'NOTE',
      channel: 'PHONE',
      subject: 'Left a voicemail',
      body: 'Mentioned Initech pricing',
    });

    const future = await client.request(LOG, {
      input: { customerId, type: 'CALL', channel: 'PHONE', subject: 'Later', occurredAt: new Date(Date.now() + 2 * 86_400_000).toISOString() },
    });
    expect(future.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'occurredAt' });
    const tomorrow = await client.request(LOG, {
      input: { customerId, type: 'CALL', channel: 'PHONE', subject: 'Tomorrow', occurredAt: new Date(Date.now() + 12 * 3_600_000).toISOString() },
    });
    expect(tomorrow.errors).toBeUndefined();
    const empty = await client.request(LOG, { input: { customerId, type: 'CALL', channel: 'PHONE', subject: '   ' } });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subject' });
  });

  it('links a deal and a ticket of the same customer, and rejects those of another customer without writing', async () => {
    const { client, workspaceId } = t.workspace;
    const ann = await newCustomer(client, 'Ann');
    const bob = await newCustomer(client, 'Bob');
    const annDeal = await newDeal(workspaceId, ann, 'Ann renewal');
    const bobDeal = await newDeal(workspaceId, bob, 'Bob upsell');
    const bobTicket = (await client.query(`mutation ($c: ID!) { createTicket(input: { customerId: $c, subject: "Broken" }) { ticket { id } } }`, { c: bob }))
      .createTicket.ticket.id;

    const linked = await client.query(LOG, { input: { customerId: ann, type: 'MEETING', channel: 'IN_PERSON', subject: 'Renewal talk', dealId: annDeal } });
    expect(linked.logActivity.activity.deal).toEqual({ title: 'Ann renewal' });

    const wrongDeal = await client.request(LOG, { input: { customerId: ann, type: 'CALL', channel: 'PHONE', subject: 'x', dealId: bobDeal } });
    expect(wrongDeal.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'dealId' });
    const wrongTicket = await client.request(LOG, { input: { customerId: ann, type: 'CALL', channel: 'PHONE', subject: 'x', ticketId: bobTicket } });
    expect(wrongTicket.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ticketId' });
    const notADeal = await client.request(LOG, { input: { customerId: ann, type: 'CALL', channel: 'PHONE', subject: 'x', dealId: bobTicket } });
    expect(notADeal.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'dealId' });
    expect((await client.query(TIMELINE, { id: ann })).customer.activities.totalCount).toBe(1);

    // Another workspace cannot see, let alone link, these rows.
    const other = await t.createWorkspace('Other');
    const carol = await newCustomer(other.client, 'Carol');
    const foreign = await other.client.request(LOG, { input: { customerId: carol, type: 'CALL', channel: 'PHONE', subject: 'x', dealId: annDeal } });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'dealId' });
    const foreignCustomer = await other.client.request(LOG, { input: { customerId: ann, type: 'CALL', channel: 'PHONE', subject: 'x' } });
    expect(foreignCustomer.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customerId' });
  });

  it('refuses writes from a READ_ONLY key', async () => {
    const customerId = await newCustomer(t.workspace.client, 'Read Only Rita');
    const readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    expect(await readOnly.errorCode(LOG, { input: { customerId, type: 'NOTE', channel: 'WEB', subject: 'x' } })).toBe('FORBIDDEN');
    expect(await readOnly.errorCode(`mutation { createTask(input: { title: "x" }) { task { id } } }`)).toBe('FORBIDDEN');
  });
});

describe('tasks', () => {
  it('creates, updates, completes and reopens a task', async () => {
    const { client, workspaceId } = t.workspace;
    const customerId = await newCustomer(client, 'Task Tom');
    const dealId = await newDeal(workspaceId, customerId, 'Tom expansion');
    const user = await client.query(`mutation { createUser(input: { name: "Sam Seller", email: "sam@team.test" }) { user { id } } }`);
    const assigneeId = user.createUser.user.id;

    const created = await client.query(
      `mutation ($input: CreateTaskInput!) { createTask(input: $input) { task { ${TASK_FIELDS} } } }`,
      { input: { title: 'Send proposal', customerId, dealId, assigneeId, dueAt: '2030-01-15T09:00:00Z' } },
    );
    const task = created.createTask.task;
    expect(task).toMatchObject({
      title: 'Send proposal',
      status: 'OPEN',
      dueAt: '2030-01-15T09:00:00.000Z',
      completedAt: null,
      assignee: { name: 'Sam Seller' },
      customer: { name: 'Task Tom' },
      deal: { title: 'Tom expansion' },
    });

    const updated = await client.query(
      `mutation ($input: UpdateTaskInput!) { updateTask(input: $input) { task { ${TASK_FIELDS} } } }`,
      { input: { id: task.id, title: 'Send revised proposal', notes: 'With volume discount', dueAt: null } },
    );
    expect(updated.updateTask.task).toMatchObject({ title: 'Send revised proposal', notes: 'With volume discount', dueAt: null, status: 'OPEN' });
    const open = await client.query(`query ($a: ID) { tasks(filter: { status: { eq: OPEN }, assigneeId: { eq: $a } }) { edges { node { id } } } }`, { a: assigneeId });
    expect(open.tasks.edges.map((e: any) => e.node.id)).toEqual([task.id]);

    const done = await client.query(`mutation ($id: ID!) { completeTask(input: { id: $id }) { task { status completedAt } } }`, { id: task.id });
    expect(done.completeTask.task.status).toBe('DONE');
    expect(Date.parse(done.completeTask.task.completedAt)).toBeGreaterThan(Date.now() - 60_000);
    const again = await client.query(`mutation ($id: ID!) { completeTask(input: { id: $id }) { task { status completedAt } } }`, { id: task.id });
    expect(again.completeTask.task).toEqual(done.completeTask.task);
    expect((await eventsOf(task.id)).map((e) => e.type)).toEqual(['task.created', 'task.updated', 'task.completed']);

    const reopened = await client.query(`mutation ($id: ID!) { updateTask(input: { id: $id, status: OPEN }) { task { status completedAt } } }`, { id: task.id });
    expect(reopened.updateTask.task).toEqual({ status: 'OPEN', completedAt: null });
    const customer = await client.query(`query ($id: ID!) { customer(id: $id) { tasks { totalCount edges { node { title status } } } } }`, { id: customerId });
    expect(customer.customer.tasks).toEqual({ totalCount: 1, edges: [{ node: { title: 'Send revised proposal', status: 'OPEN' } }] });
  });

  it('puts a task given only a deal on that deal’s customer, and validates its input', async () => {
    const { client, workspaceId } = t.workspace;
    const customerId = await newCustomer(client, 'Deal Dora');
    const otherId = await newCustomer(client, 'Other Otto');
    const dealId = await newDeal(workspaceId, customerId, 'Dora deal');
    const viaDeal = await client.query(`mutation ($d: ID!) { createTask(input: { title: "Call back", dealId: $d }) { task { customer { name } deal { title } } } }`, { d: dealId });
    expect(viaDeal.createTask.task).toEqual({ customer: { name: 'Deal Dora' }, deal: { title: 'Dora deal' } });

    const mismatch = await client.request(`mutation ($c: ID!, $d: ID!) { createTask(input: { title: "x", customerId: $c, dealId: $d }) { task { id } } }`, { c: otherId, d: dealId });
    expect(mismatch.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'dealId' });
    // A customer that does not exist (or another workspace's) is NOT_FOUND on customerId, with a deal or without (the
    // insert itself checks it when no deal is named), and nothing is written.
    const nobody = globalId('Customer', '00000000-0000-7000-8000-000000000000');
    const unknownWithDeal = await client.request(`mutation ($c: ID!, $d: ID!) { createTask(input: { title: "x", customerId: $c, dealId: $d }) { task { id } } }`, { c: nobody, d: dealId });
    expect(unknownWithDeal.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customerId' });
    const unknown = await client.request(`mutation ($c: ID!) { createTask(input: { title: "x", customerId: $c }) { task { id } } }`, { c: nobody });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customerId' });
    const other = await t.createWorkspace('Tasks elsewhere');
    const foreign = await other.client.request(`mutation ($c: ID!) { createTask(input: { title: "x", customerId: $c }) { task { id } } }`, { c: customerId });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customerId' });
    const trashed = await newCustomer(client, 'Trashed Tess');
    await client.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: trashed });
    const toTrashed = await client.request(`mutation ($c: ID!) { createTask(input: { title: "x", customerId: $c }) { task { id } } }`, { c: trashed });
    expect(toTrashed.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customerId' });
    const xs = await client.query(`{ tasks(filter: { title: { eq: "x" } }) { totalCount } }`);
    expect(xs.tasks.totalCount).toBe(0);
    const noTitle = await client.request(`mutation { createTask(input: { title: "" }) { task { id } } }`);
    expect(noTitle.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'title' });
    const standalone = await client.query(`mutation { createTask(input: { title: "Tidy the pipeline" }) { task { title customer { name } deal { title } } } }`);
    expect(standalone.createTask.task).toEqual({ title: 'Tidy the pipeline', customer: null, deal: null });
    const missing = await client.request(`mutation ($id: ID!) { completeTask(input: { id: $id }) { task { id } } }`, {
      id: globalId('Task', '00000000-0000-7000-8000-000000000000'),
    });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
  });
});
