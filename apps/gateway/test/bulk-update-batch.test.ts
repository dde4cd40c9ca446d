import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

// updateTasks / updateDeals / updateTickets through core's declared batch writer (services/bulk/declared-update-batch.ts):
// a call over 3 or 12 records costs the same statements; each record's events as its single update's; another
// workspace's ids, another owner's records and a role without the right change nothing.

let t: TestGateway;
let admin: TestClient;
let readOnly: TestClient;
let other: TestWorkspace;
let customerId: string;

beforeAll(async () => {
  t = await startTestGateway({ rateLimit: { perMinute: 0 } });
  admin = t.workspace.client;
  readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
  other = await t.createWorkspace('Batch B');
  customerId = (await admin.query(`mutation { createCustomer(input: { name: "Holder" }) { customer { id } } }`)).createCustomer.customer.id;
});
afterAll(async () => {
  await t?.close();
});

type RowError = { index: number; field: string | null; message: string; code: string };
const UPDATE_TASKS = `mutation ($ids: [ID!]!, $patch: TaskPatch!) { updateTasks(where: { ids: $ids }, patch: $patch) { count } }`;
const UPDATE_DEALS = `mutation ($ids: [ID!]!, $patch: DealPatch!) { updateDeals(where: { ids: $ids }, patch: $patch) { count } }`;
const UPDATE_TICKETS = `mutation ($ids: [ID!]!, $patch: TicketPatch!) { updateTickets(where: { ids: $ids }, patch: $patch) { count } }`;
const rowIdOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
// The workspace's "has segments" fact is cached per process: its read is one statement or none, whatever the size.
const segmentPresence = (sql: string) => /FROM "public"\."Segment" AS "t0" WHERE "t0"\."workspaceId" = \$1 ORDER BY/.test(sql);
const during = async (work: () => Promise<unknown>) => (await t.sql.during(work)).filter((sql) => !segmentPresence(sql));

const tasks = async (count: number, client = admin, customer = customerId) =>
  Promise.all(Array.from({ length: count }, (_, i) => client.query(`mutation ($t: String!, $c: ID) { createTask(input: { title: $t, customerId: $c }) { task { id } } }`, { t: `Task ${i}`, c: customer }))).then((r) =>
    r.map((x) => x.createTask.task.id as string),
  );
const deals = async (count: number, client = admin, customer = customerId) =>
  Promise.all(Array.from({ length: count }, () => client.query(`mutation ($c: ID!) { createDeal(input: { title: "Deal", customerId: $c }) { deal { id } } }`, { c: customer }))).then((r) =>
    r.map((x) => x.createDeal.deal.id as string),
  );
const tickets = async (count: number) =>
  Promise.all(Array.from({ length: count }, (_, i) => admin.query(`mutation ($c: ID!, $s: String!) { createTicket(input: { customerId: $c, subject: $s }) { ticket { id } } }`, { c: customerId, s: `Case ${i}` }))).then((r) =>
    r.map((x) => x.createTicket.ticket.id as string),
  );

describe('bulk updates of tasks, deals and tickets in one batch', () => {
  it('3 or 12 tasks, deals, tickets: the same statements per call', async () => {
    const owner = (await admin.query(`mutation { createUser(input: { name: "Owner", email: "owner@batch.test" }) { user { id } } }`)).createUser.user.id;
    for (const [make, mutation, patch] of [
      [tasks, UPDATE_TASKS, { status: 'DONE', assigneeId: owner }],
      [deals, UPDATE_DEALS, { title: 'Renamed', ownerId: owner, amount: '12.50' }],
      [tickets, UPDATE_TICKETS, { status: 'RESOLVED', priority: 'HIGH', assigneeId: owner }],
    ] as const) {
      const [few, many] = [await make(3), await make(12)];
      const small = await during(() => admin.query(mutation, { ids: few, patch }));
      const large = await during(() => admin.query(mutation, { ids: many, patch }));
      expect(large.length, `${mutation}\n${large.join('\n')}`).toBe(small.length);
      expect(small.length).toBeLessThanOrEqual(12);
    }
    const deal = (await admin.query(`{ deals(first: 1, filter: { title: { eq: "Renamed" } }) { edges { node { amount owner { id } } } } }`)).deals.edges[0].node;
    expect(deal).toEqual({ amount: '12.50', owner: { id: owner } });
  });

  it('each ticket closed in a batch gets the events updateTicket gives one, with the same payloads', async () => {
    const [alone, ...batch] = await tickets(3);
    await admin.query(`mutation ($id: ID!) { updateTicket(input: { id: $id, status: CLOSED }) { ticket { id } } }`, { id: alone });
    await admin.query(UPDATE_TICKETS, { ids: batch, patch: { status: 'CLOSED' } });
    const eventsOf = async (id: string) =>
      (await t.database.prisma.event.findMany({ where: { subjectId: rowIdOf(id) }, orderBy: { seq: 'asc' } })).map((e) => ({ type: e.type, payload: e.payload }));
    const single = await eventsOf(alone!);
    expect(single.map((e) => e.type)).toEqual(['ticket.opened', 'ticket.updated', 'ticket.closed']);
    for (const id of batch) {
      const [opened, ...rest] = await eventsOf(id);
      expect(opened!.type).toBe('ticket.opened');
      expect(rest).toEqual(single.slice(1));
    }
  });

  it('another workspace’s task id is its row’s NOT_FOUND and nothing is written', async () => {
    const [mine] = await tasks(1);
    const theirCustomer = (await other.client.query(`mutation { createCustomer(input: { name: "B" }) { customer { id } } }`)).createCustomer.customer.id;
    const [theirs] = await tasks(1, other.client, theirCustomer);
    const result = await admin.request(UPDATE_TASKS, { ids: [mine, theirs], patch: { title: 'Taken over' } });
    expect(result.errors?.[0]?.extensions?.rows as RowError[]).toEqual([expect.objectContaining({ index: 1, code: 'NOT_FOUND' })]);
    const titles = await t.database.prisma.task.findMany({ where: { id: { in: [mine!, theirs!].map(rowIdOf) } }, select: { title: true } });
    expect(titles.map((row) => row.title).sort()).toEqual(['Task 0', 'Task 0']);
  });

  it('a role without deal updates is FORBIDDEN; one with own deals only cannot reach another owner’s deal', async () => {
    const [ids] = [await deals(2)];
    expect((await readOnly.request(UPDATE_DEALS, { ids, patch: { title: 'Nope' } })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const user = async (name: string) => (await admin.query(`mutation ($n: String!, $e: String!) { createUser(input: { name: $n, email: $e }) { user { id } } }`, { n: name, e: `${name}@deals.test` })).createUser.user.id as string;
    const [ana, ben] = [await user('ana'), await user('ben')];
    const owned = async (ownerId: string) => (await admin.query(`mutation ($c: ID!, $o: ID) { createDeal(input: { title: "Owned", customerId: $c, ownerId: $o }) { deal { id } } }`, { c: customerId, o: ownerId })).createDeal.deal.id as string;
    const [anas, bens] = [await owned(ana), await owned(ben)];
    const roleId = (await admin.query(`mutation ($p: [ObjectPermissionInput!]!) { createRole(input: { name: "Own deals", permissions: $p }) { role { id } } }`, {
      p: [
        { object: 'Customer', read: true, create: false, update: false },
        { object: 'Deal', read: true, create: false, update: true, ownRecordsOnly: true },
      ],
    })).createRole.role.id;
    const secret = (await admin.query(`mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`, { i: { name: 'ana', roleId, userId: ana } })).createApiKey.secret;
    const rep = t.client(secret);
    expect(((await rep.request(UPDATE_DEALS, { ids: [anas, bens], patch: { title: 'Mine now' } })).errors?.[0]?.extensions?.rows as RowError[])).toEqual([
      expect.objectContaining({ index: 1, code: 'NOT_FOUND' }),
    ]);
    expect((await rep.query(UPDATE_DEALS, { ids: [anas], patch: { title: 'Mine now' } })).updateDeals.count).toBe(1);
    const titles = await t.database.prisma.deal.findMany({ where: { id: { in: [anas, bens].map(rowIdOf) } }, select: { id: true, title: true } });
    expect(Object.fromEntries(titles.map((d) => [d.id, d.title]))).toEqual({ [rowIdOf(anas)]: 'Mine now', [rowIdOf(bens)]: 'Owned' });
  });

  it('an own-records key cannot hand its records to anyone else, in a batch or alone: FORBIDDEN naming the owner field, nothing written', async () => {
    const user = async (name: string) => (await admin.query(`mutation ($n: String!, $e: String!) { createUser(input: { name: $n, email: $e }) { user { id } } }`, { n: name, e: `${name}@handoff.test` })).createUser.user.id as string;
    const [ana, ben] = [await user('ana'), await user('ben')];
    const roleId = (await admin.query(`mutation ($p: [ObjectPermissionInput!]!) { createRole(input: { name: "Own everything", permissions: $p }) { role { id } } }`, {
      p: [
        { object: 'User', read: true },
        ...['Customer', 'Company', 'Deal', 'Task', 'Ticket'].map((object) => ({ object, read: true, create: false, update: true, ownRecordsOnly: true })),
      ],
    })).createRole.role.id;
    const secret = (await admin.query(`mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`, { i: { name: 'ana handoff', roleId, userId: ana } })).createApiKey.secret;
    const rep = t.client(secret);
    const objects = [
      { name: 'Deal', owner: 'ownerId', many: 'updateDeals', one: 'updateDeal', patch: 'DealPatch', rename: { title: 'Kept' },
        create: (o: string) => admin.query(`mutation ($c: ID!, $o: ID) { createDeal(input: { title: "Handed", customerId: $c, ownerId: $o }) { deal { id } } }`, { c: customerId, o }).then((r) => r.createDeal.deal.id as string),
        ownerOf: async (id: string) => (await t.database.prisma.deal.findUniqueOrThrow({ where: { id: rowIdOf(id) } })).ownerId },
      { name: 'Task', owner: 'assigneeId', many: 'updateTasks', one: 'updateTask', patch: 'TaskPatch', rename: { title: 'Kept' },
        create: (o: string) => admin.query(`mutation ($c: ID, $o: ID) { createTask(input: { title: "Handed", customerId: $c, assigneeId: $o }) { task { id } } }`, { c: customerId, o }).then((r) => r.createTask.task.id as string),
        ownerOf: async (id: string) => (await t.database.prisma.task.findUniqueOrThrow({ where: { id: rowIdOf(id) } })).assigneeId },
      { name: 'Ticket', owner: 'assigneeId', many: 'updateTickets', one: 'updateTicket', patch: 'TicketPatch', rename: { subject: 'Kept' },
        create: (o: string) => admin.query(`mutation ($c: ID!, $o: ID) { createTicket(input: { subject: "Handed", customerId: $c, assigneeId: $o }) { ticket { id } } }`, { c: customerId, o }).then((r) => r.createTicket.ticket.id as string),
        ownerOf: async (id: string) => (await t.database.prisma.ticket.findUniqueOrThrow({ where: { id: rowIdOf(id) } })).assigneeId },
      { name: 'Company', owner: 'ownerId', many: 'updateCompanies', one: 'updateCompany', patch: 'CompanyPatch', rename: { name: 'Kept' },
        create: (o: string) => admin.query(`mutation ($o: ID) { createCompany(input: { name: "Handed", ownerId: $o }) { company { id } } }`, { o }).then((r) => r.createCompany.company.id as string),
        ownerOf: async (id: string) => (await t.database.prisma.company.findUniqueOrThrow({ where: { id: rowIdOf(id) } })).ownerId },
      { name: 'Customer', owner: 'ownerId', many: 'updateCustomers', one: 'updateCustomer', patch: 'CustomerPatch', rename: { name: 'Kept' },
        create: (o: string) => admin.query(`mutation ($o: ID) { createCustomer(input: { name: "Handed", ownerId: $o }) { customer { id } } }`, { o }).then((r) => r.createCustomer.customer.id as string),
        ownerOf: async (id: string) => (await t.database.prisma.customer.findUniqueOrThrow({ where: { id: rowIdOf(id) } })).ownerId },
    ];
    for (const object of objects) {
      const [batched, alone] = [await object.create(ana), await object.create(ana)];
      const many = `mutation ($ids: [ID!]!, $patch: ${object.patch}!) { ${object.many}(where: { ids: $ids }, patch: $patch) { count } }`;
      const one = `mutation ($input: Update${object.name}Input!) { ${object.one}(input: $input) { __typename } }`;
      for (const to of [ben, null]) {
        const batch = await rep.request(many, { ids: [batched], patch: { ...object.rename, [object.owner]: to } });
        expect(batch.errors?.[0]?.extensions?.rows, `${object.many} ${JSON.stringify(batch)}`).toEqual([expect.objectContaining({ index: 0, field: object.owner, code: 'FORBIDDEN' })]);
        const single = await rep.request(one, { input: { id: alone, ...object.rename, [object.owner]: to } });
        expect(single.errors?.[0]?.extensions, `${object.one} ${JSON.stringify(single)}`).toMatchObject({ code: 'FORBIDDEN', field: object.owner });
      }
      expect([await object.ownerOf(batched), await object.ownerOf(alone)], object.name).toEqual([rowIdOf(ana), rowIdOf(ana)]);
      // Keeping the record its own is allowed, in both, and announced as the single update announces it.
      const events = async (id: string) => (await t.database.prisma.event.findMany({ where: { subjectId: rowIdOf(id) }, orderBy: { seq: 'asc' } })).map((e) => ({ type: e.type, payload: e.payload }));
      const [beforeBatch, beforeAlone] = [(await events(batched)).length, (await events(alone)).length];
      expect((await rep.query(many, { ids: [batched], patch: { ...object.rename, [object.owner]: ana } }))[object.many].count).toBe(1);
      await rep.query(one, { input: { id: alone, ...object.rename, [object.owner]: ana } });
      const [fromBatch, fromAlone] = [(await events(batched)).slice(beforeBatch), (await events(alone)).slice(beforeAlone)];
      expect(fromBatch.length, object.name).toBeGreaterThan(0);
      expect(fromBatch, object.name).toEqual(fromAlone);
    }
  });

  it('takes a global id whose uuid is upper-case, as the single update does', async () => {
    const upper = (globalId: string) => {
      const [type, id] = Buffer.from(globalId, 'base64').toString('utf8').split(':');
      return Buffer.from(`${type}:${id!.toUpperCase()}`).toString('base64');
    };
    for (const [make, mutation, patch, single] of [
      [tasks, UPDATE_TASKS, { title: 'Upper' }, `mutation ($id: ID!) { updateTask(input: { id: $id, title: "Upper" }) { task { id } } }`],
      [deals, UPDATE_DEALS, { title: 'Upper' }, `mutation ($id: ID!) { updateDeal(input: { id: $id, title: "Upper" }) { deal { id } } }`],
      [tickets, UPDATE_TICKETS, { subject: 'Upper' }, `mutation ($id: ID!) { updateTicket(input: { id: $id, subject: "Upper" }) { ticket { id } } }`],
    ] as const) {
      const [one, two] = await make(2);
      await admin.query(single, { id: upper(one!) });
      const result = await admin.request(mutation, { ids: [upper(two!), one], patch });
      expect(result.errors, `${mutation} ${JSON.stringify(result.errors)}`).toBeUndefined();
    }
    const titles = await t.database.prisma.deal.findMany({ where: { title: 'Upper' } });
    expect(titles).toHaveLength(2);
  });

  it('3 or 12 tickets rated in a batch: the same statements, whether their CSAT answers are recorded or revised', async () => {
    const [few, many] = [await tickets(3), await tickets(12)];
    for (const patch of [{ status: 'RESOLVED', satisfactionRating: 4 }, { satisfactionRating: 5 }]) {
      const small = await during(() => admin.query(UPDATE_TICKETS, { ids: few, patch }));
      const large = await during(() => admin.query(UPDATE_TICKETS, { ids: many, patch }));
      expect(large.length, `${JSON.stringify(patch)}\n${large.join('\n')}`).toBe(small.length);
    }
    // Each ticket's one CSAT answer, revised: as updateTicket records and revises it.
    const answers = await t.database.prisma.surveyResponse.findMany({ where: { ticketId: { in: [...few, ...many].map(rowIdOf) } } });
    expect(answers.map((a) => [a.kind, a.score])).toEqual(Array.from({ length: 15 }, () => ['CSAT', 5]));
    const responded = await t.database.prisma.event.count({ where: { type: 'survey.responded', subjectId: { in: answers.map((a) => a.id) } } });
    expect(responded).toBe(30);
    const [alone] = await tickets(1);
    const rate = `mutation ($id: ID!, $s: Int!) { updateTicket(input: { id: $id, status: RESOLVED, satisfactionRating: $s }) { surveyResponse { score } } }`;
    expect((await admin.query(rate, { id: alone, s: 3 })).updateTicket.surveyResponse).toEqual({ score: 3 });
    expect((await admin.query(rate, { id: alone, s: 2 })).updateTicket.surveyResponse).toEqual({ score: 2 });
    expect(await t.database.prisma.surveyResponse.count({ where: { ticketId: rowIdOf(alone!) } })).toBe(1);
  });
});
