import { rowId } from '@crm/graph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

const TICKET_FIELDS = 'id subject description status priority channel satisfactionRating closedAt assignee { name } customer { name }';
const CREATE_TICKET = `mutation ($input: CreateTicketInput!) { createTicket(input: $input) { ticket { ${TICKET_FIELDS} } } }`;
const UPDATE_TICKET = /* GraphQL */ `
  mutation ($input: UpdateTicketInput!) {
    updateTicket(input: $input) { ticket { ${TICKET_FIELDS} } surveyResponse { id kind score ticket { subject } } }
  }
`;
const RECORD = /* GraphQL */ `
  mutation ($input: RecordSurveyResponseInput!) {
    recordSurveyResponse(input: $input) { surveyResponse { id kind score comment respondedAt customer { name } ticket { subject } } }
  }
`;
const SATISFACTION = `query ($id: ID!) { customer(id: $id) { satisfaction { averageCsat latestNps npsCategory responses } } }`;

async function newCustomer(client: TestClient, name: string): Promise<string> {
  const data = await client.query(`mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`, { name });
  return data.createCustomer.customer.id;
}

const eventTypes = async (subjectGlobalId: string) =>
  (
    await t.database.prisma.event.findMany({
      where: { subjectId: rowId(subjectGlobalId, ['Ticket', 'SurveyResponse'], 'id') },
      orderBy: { seq: 'asc' },
    })
  ).map((e) => e.type);

describe('tickets', () => {
  it('opens a ticket, closes it with a rating, records a CSAT answer and updates the satisfaction summary', async () => {
    const { client } = t.workspace;
    const customerId = await newCustomer(client, 'Support Sue');
    const agent = await client.query(`mutation { createUser(input: { name: "Agent Ava", email: "ava@team.test" }) { user { id } } }`);
    expect((await client.query(SATISFACTION, { id: customerId })).customer.satisfaction).toEqual({
      averageCsat: null,
      latestNps: null,
      npsCategory: null,
      responses: 0,
    });

    const opened = await client.query(CREATE_TICKET, {
      input: { customerId, subject: 'Invoice is wrong', priority: 'HIGH', description: 'Charged twice', channel: 'EMAIL', assigneeId: agent.createUser.user.id },
    });
    const ticket = opened.createTicket.ticket;
    expect(ticket).toMatchObject({ subject: 'Invoice is wrong', status: 'OPEN', priority: 'HIGH', channel: 'EMAIL', closedAt: null, assignee: { name: 'Agent Ava' } });

    const pending = await client.query(UPDATE_TICKET, { input: { id: ticket.id, status: 'PENDING', priority: 'URGENT' } });
    expect(pending.updateTicket).toMatchObject({ ticket: { status: 'PENDING', priority: 'URGENT', closedAt: null }, surveyResponse: null });

    const closed = await client.query(UPDATE_TICKET, { input: { id: ticket.id, status: 'CLOSED', satisfactionRating: 4 } });
    expect(closed.updateTicket.ticket).toMatchObject({ status: 'CLOSED', satisfactionRating: 4 });
    expect(Date.parse(closed.updateTicket.ticket.closedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(closed.updateTicket.surveyResponse).toMatchObject({ kind: 'CSAT', score: 4, ticket: { subject: 'Invoice is wrong' } });

    const detail = await client.query(`query ($id: ID!) { ticket(id: $id) { surveyResponses { totalCount edges { node { kind score } } } } }`, { id: ticket.id });
    expect(detail.ticket.surveyResponses).toEqual({ totalCount: 1, edges: [{ node: { kind: 'CSAT', score: 4 } }] });
    expect((await client.query(SATISFACTION, { id: customerId })).customer.satisfaction).toEqual({
      averageCsat: 4,
      latestNps: null,
      npsCategory: null,
      responses: 1,
    });
    expect(await eventTypes(ticket.id)).toEqual(['ticket.opened', 'ticket.updated', 'ticket.updated', 'ticket.closed']);
    expect(await eventTypes(closed.updateTicket.surveyResponse.id)).toEqual(['survey.responded']);

    // A second ticket rated 5 moves the average; changing a rating revises the ticket's answer instead of adding one.
    const second = (await client.query(CREATE_TICKET, { input: { customerId, subject: 'Login fails' } })).createTicket.ticket;
    expect(second.priority).toBe('NORMAL');
    await client.query(UPDATE_TICKET, { input: { id: second.id, status: 'RESOLVED', satisfactionRating: 5 } });
    expect((await client.query(SATISFACTION, { id: customerId })).customer.satisfaction).toMatchObject({ averageCsat: 4.5, responses: 2 });
    const revised = await client.query(UPDATE_TICKET, { input: { id: second.id, satisfactionRating: 2 } });
    expect(revised.updateTicket.ticket).toMatchObject({ status: 'RESOLVED', satisfactionRating: 2 });
    expect((await client.query(SATISFACTION, { id: customerId })).customer.satisfaction).toMatchObject({ averageCsat: 3, responses: 2 });

    // Reopening clears closedAt (the rating given stays on record).
    const reopened = await client.query(UPDATE_TICKET, { input: { id: ticket.id, status: 'OPEN' } });
    expect(reopened.updateTicket.ticket).toMatchObject({ status: 'OPEN', closedAt: null, satisfactionRating: 4 });
    const open = await client.query(`{ tickets(filter: { status: { in: [OPEN] } }) { edges { node { subject } } } }`);
    expect(open.tickets.edges.map((e: any) => e.node.subject)).toContain('Invoice is wrong');
  });

  it('rejects a rating on a ticket that is not closed, and writes nothing', async () => {
    const { client } = t.workspace;
    const customerId = await newCustomer(client, 'Impatient Ivan');
    const ticket = (await client.query(CREATE_TICKET, { input: { customerId, subject: 'Still waiting' } })).createTicket.ticket;

    const rated = await client.request(UPDATE_TICKET, { input: { id: ticket.id, subject: 'Still waiting!!', satisfactionRating: 1 } });
    expect(rated.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'satisfactionRating' });
    const reopenRated = await client.request(UPDATE_TICKET, { input: { id: ticket.id, status: 'PENDING', satisfactionRating: 3 } });
    expect(reopenRated.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'satisfactionRating' });
    const outOfRange = await client.request(UPDATE_TICKET, { input: { id: ticket.id, status: 'CLOSED', satisfactionRating: 6 } });
    expect(outOfRange.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'satisfactionRating' });

    const after = await client.query(`query ($id: ID!) { ticket(id: $id) { subject status satisfactionRating closedAt surveyResponses { totalCount } } }`, { id: ticket.id });
    expect(after.ticket).toEqual({ subject: 'Still waiting', status: 'OPEN', satisfactionRating: null, closedAt: null, surveyResponses: { totalCount: 0 } });
    expect((await client.query(SATISFACTION, { id: customerId })).customer.satisfaction.responses).toBe(0);
    expect(await eventTypes(ticket.id)).toEqual(['ticket.opened']);
  });

  it('validates ticket input and keeps tickets inside their workspace', async () => {
    const { client } = t.workspace;
    const customerId = await newCustomer(client, 'Valid Val');
    const noSubject = await client.request(CREATE_TICKET, { input: { customerId, subject: '' } });
    expect(noSubject.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subject' });
    const badCustomer = await client.request(CREATE_TICKET, { input: { customerId: 'nope', subject: 'x' } });
    expect(badCustomer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customerId' });
    const ticket = (await client.query(CREATE_TICKET, { input: { customerId, subject: 'Mine' } })).createTicket.ticket;
    const clearStatus = await client.request(UPDATE_TICKET, { input: { id: ticket.id, status: null } });
    expect(clearStatus.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'status' });

    const other = await t.createWorkspace('Other service');
    expect((await other.client.query(`query ($id: ID!) { ticket(id: $id) { id } }`, { id: ticket.id })).ticket).toBeNull();
    const foreign = await other.client.request(UPDATE_TICKET, { input: { id: ticket.id, status: 'CLOSED' } });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
  });
});

describe('satisfaction surveys', () => {
  it('validates score ranges per kind and summarises the latest NPS', async () => {
    const { client } = t.workspace;
    const customerId = await newCustomer(client, 'Survey Sally');
    for (const [kind, score] of [['NPS', 11], ['NPS', -1], ['CSAT', 0], ['CSAT', 6]] as const) {
      const res = await client.request(RECORD, { input: { customerId, kind, score } });
      expect(res.errors?.[0]?.extensions, `${kind} ${score}`).toMatchObject({ code: 'BAD_USER_INPUT', field: 'score' });
    }
    const future = await client.request(RECORD, { input: { customerId, kind: 'NPS', score: 5, respondedAt: new Date(Date.now() + 3 * 86_400_000).toISOString() } });
    expect(future.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'respondedAt' });
    expect((await client.query(SATISFACTION, { id: customerId })).customer.satisfaction.responses).toBe(0);

    const day = 86_400_000;
    const recorded = await client.query(RECORD, {
      input: { customerId, kind: 'NPS', score: 10, comment: 'Love it', respondedAt: new Date(Date.now() - 30 * day).toISOString() },
    });
    expect(recorded.recordSurveyResponse.surveyResponse).toMatchObject({ kind: 'NPS', score: 10, comment: 'Love it', customer: { name: 'Survey Sally' }, ticket: null });
    expect(await eventTypes(recorded.recordSurveyResponse.surveyResponse.id)).toEqual(['survey.responded']);
    expect((await client.query(SATISFACTION, { id: customerId })).customer.satisfaction).toEqual({
      averageCsat: null,
      latestNps: 10,
      npsCategory: 'PROMOTER',
      responses: 1,
    });

    await client.query(RECORD, { input: { customerId, kind: 'NPS', score: 0, respondedAt: new Date(Date.now() - 60 * day).toISOString() } });
    await client.query(RECORD, { input: { customerId, kind: 'NPS', score: 8, respondedAt: new Date(Date.now() - day).toISOString() } });
    await client.query(RECORD, { input: { customerId, kind: 'CSAT', score: 1 } });
    await client.query(RECORD, { input: { customerId, kind: 'CSAT', score: 2 } });
    expect((await client.query(SATISFACTION, { id: customerId })).customer.satisfaction).toEqual({
      averageCsat: 1.5,
      latestNps: 8,
      npsCategory: 'PASSIVE',
      responses: 5,
    });
    await client.query(RECORD, { input: { customerId, kind: 'NPS', score: 6 } });
    expect((await client.query(SATISFACTION, { id: customerId })).customer.satisfaction).toMatchObject({ latestNps: 6, npsCategory: 'DETRACTOR' });
  });

  it('links an answer only to a ticket of the same customer', async () => {
    const { client } = t.workspace;
    const ann = await newCustomer(client, 'Survey Ann');
    const bob = await newCustomer(client, 'Survey Bob');
    const bobTicket = (await client.query(CREATE_TICKET, { input: { customerId: bob, subject: 'Slow delivery' } })).createTicket.ticket.id;
    const wrong = await client.request(RECORD, { input: { customerId: ann, kind: 'CSAT', score: 3, ticketId: bobTicket } });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ticketId' });
    const right = await client.query(RECORD, { input: { customerId: bob, kind: 'CSAT', score: 3, ticketId: bobTicket } });
    expect(right.recordSurveyResponse.surveyResponse.ticket).toEqual({ subject: 'Slow delivery' });
    expect((await client.query(SATISFACTION, { id: ann })).customer.satisfaction.responses).toBe(0);
  });
});

describe('no N+1 on Customer.satisfaction', () => {
  it('costs the same number of SQL statements for a page of 50 customers as for a page of 5', async () => {
    const ws = await t.createWorkspace('Satisfaction page');
    const { workspaceId, client } = ws;
    const { prisma } = t.database;
    const customers = await prisma.customer.createManyAndReturn({
      data: Array.from({ length: 55 }, (_, i) => ({ workspaceId, name: `Page customer ${String(i).padStart(2, '0')}` })),
    });
    await prisma.surveyResponse.createMany({
      data: customers.flatMap((c, i) => [
        { workspaceId, customerId: c.id, kind: 'CSAT' as const, score: (i % 5) + 1, respondedAt: new Date() },
        { workspaceId, customerId: c.id, kind: 'CSAT' as const, score: 5, respondedAt: new Date() },
        { workspaceId, customerId: c.id, kind: 'NPS' as const, score: i % 11, respondedAt: new Date() },
      ]),
    });
    const PAGE = `query ($first: Int!) { customers(first: $first, orderBy: [{ field: NAME, direction: ASC }]) { edges { node { name satisfaction { averageCsat } } } } }`;
    await client.query(PAGE, { first: 1 }); // warm the key cache: authentication is not what we count

    const small = await t.sql.during(() => client.query(PAGE, { first: 5 }));
    const large = await t.sql.during(() => client.query(PAGE, { first: 50 }));
    expect(large.length).toBe(small.length);
    expect(large.filter((sql) => sql.includes('"SurveyResponse"'))).toHaveLength(1);
    expect(large.length).toBeLessThanOrEqual(2); // the customer page + one grouped satisfaction query

    const page = await client.query(PAGE, { first: 50 });
    expect(page.customers.edges).toHaveLength(50);
    expect(page.customers.edges[0].node).toEqual({ name: 'Page customer 00', satisfaction: { averageCsat: 3 } });
    expect(page.customers.edges[4].node.satisfaction.averageCsat).toBe(5);
    expect(page.customers.edges[1].node.satisfaction.averageCsat).toBe(3.5);
  });
});
