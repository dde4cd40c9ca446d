import { expect } from 'vitest';
import type { TestGateway } from '../../src/testing/index.js';

/**
 * One customer's life through the API, asserted end to end: company, lead, conversion with a deal, the deal won,
 * interactions, a first order converting them, a ticket closed with a rating, campaign responses, and the
 * 360-degree query that shows it all. Run on PGlite and on PostgreSQL.
 */
export async function runCrmFlow(t: TestGateway): Promise<{ customerId: string }> {
  const ws = await t.createWorkspace('Flow');
  const q = ws.client.query.bind(ws.client);

  const company = (await q(`mutation { createCompany(input: { name: "Globex", domain: "globex.test", industry: "Manufacturing", size: LARGE, annualWallet: "120000.00" }) { company { id } } }`)).createCompany.company;
  const customer = (
    await q(`mutation ($c: ID!) { createCustomer(input: { name: "Hank Scorpio", email: "hank@globex.test", lifecycleStage: PROSPECT, companyId: $c, source: WEB, tags: ["enterprise"] }) { customer { id } } }`, { c: company.id })
  ).createCustomer.customer;

  const converted = await q(
    `mutation ($id: ID!) { convertLead(input: { customerId: $id, toStage: LEAD, deal: { title: "Doomsday device", amount: "25000.00" } }) { customer { lifecycleStage } deal { id status stage { name } } } }`,
    { id: customer.id },
  );
  expect(converted.convertLead.customer.lifecycleStage).toBe('LEAD');
  const dealId = converted.convertLead.deal.id;

  const pipeline = (await q(`{ pipelines { stages { id name isWon } } }`)).pipelines[0];
  const won = pipeline.stages.find((s: { isWon: boolean }) => s.isWon);
  const moved = await q(`mutation ($id: ID!, $s: ID!) { moveDeal(input: { id: $id, stageId: $s }) { deal { status closedAt } } }`, { id: dealId, s: won.id });
  expect(moved.moveDeal.deal.status).toBe('WON');

  await q(`mutation ($c: ID!, $d: ID!) { logActivity(input: { customerId: $c, dealId: $d, type: MEETING, channel: IN_PERSON, subject: "Kick-off", occurredAt: "2026-03-01T10:00:00Z" }) { activity { id } } }`, { c: customer.id, d: dealId });
  await q(`mutation ($c: ID!) { logActivity(input: { customerId: $c, type: EMAIL, channel: EMAIL, direction: OUTBOUND, subject: "Welcome pack", occurredAt: "2026-03-02T10:00:00Z" }) { activity { id } } }`, { c: customer.id });

  await q(`mutation { createProduct(input: { sku: "LASER-1", name: "Laser", unitPrice: "999.99", unitCost: "400.00", category: "Hardware" }) { product { id } } }`);
  const order = await q(
    `mutation ($c: ID!) { recordOrder(input: { customerId: $c, orderRef: "G-1", orderedAt: "2026-03-05T09:00:00Z", lines: [{ sku: "LASER-1", quantity: 2 }, { sku: "SERVICE", quantity: 1, unitPrice: "150.50" }] }) { order { total lines { sku total } } customer { lifecycleStage lifetimeValue orderCount } } }`,
    { c: customer.id },
  );
  expect(order.recordOrder.order.total).toBe('2150.48');
  expect(order.recordOrder.customer).toEqual({ lifecycleStage: 'CUSTOMER', lifetimeValue: '2150.48', orderCount: 1 });

  const ticket = (await q(`mutation ($c: ID!) { createTicket(input: { customerId: $c, subject: "Laser misaligned", priority: URGENT, channel: PHONE }) { ticket { id status } } }`, { c: customer.id })).createTicket.ticket;
  await q(`mutation ($id: ID!) { updateTicket(input: { id: $id, status: CLOSED, satisfactionRating: 4 }) { ticket { status closedAt } } }`, { id: ticket.id });
  await q(`mutation ($c: ID!) { recordSurveyResponse(input: { customerId: $c, kind: NPS, score: 10, respondedAt: "2026-03-10T00:00:00Z" }) { surveyResponse { id } } }`, { c: customer.id });

  const campaign = (await q(`mutation { createCampaign(input: { name: "Spring", channel: EMAIL, startsAt: "2026-03-01", cost: "500.00" }) { campaign { id } } }`)).createCampaign.campaign;
  for (const kind of ['SENT', 'OPENED', 'CLICKED']) {
    await q(`mutation ($cp: ID!, $c: ID!, $k: CampaignResponseKind!) { recordCampaignResponse(input: { campaignId: $cp, customerId: $c, kind: $k }) { campaignResponse { id } } }`, { cp: campaign.id, c: customer.id, k: kind });
  }

  const view = await q(
    `query ($id: ID!) { customer(id: $id) {
      name lifecycleStage lifetimeValue orderCount company { name annualWallet }
      stageHistory { fromStage toStage }
      activities(first: 10) { totalCount edges { node { subject channel } } }
      orders(first: 5) { edges { node { total lines { sku quantity unitPrice total } } } }
      deals(first: 5) { edges { node { title status amount stage { name } } } }
      tickets(first: 5) { edges { node { subject status satisfactionRating } } }
      satisfaction { averageCsat latestNps npsCategory responses }
      campaignResponses(first: 5) { totalCount }
    } }`,
    { id: customer.id },
  );
  expect(view.customer).toEqual({
    name: 'Hank Scorpio',
    lifecycleStage: 'CUSTOMER',
    lifetimeValue: '2150.48',
    orderCount: 1,
    company: { name: 'Globex', annualWallet: '120000.00' },
    stageHistory: [
      { fromStage: null, toStage: 'PROSPECT' },
      { fromStage: 'PROSPECT', toStage: 'LEAD' },
      { fromStage: 'LEAD', toStage: 'CUSTOMER' },
    ],
    activities: { totalCount: 2, edges: [{ node: { subject: 'Welcome pack', channel: 'EMAIL' } }, { node: { subject: 'Kick-off', channel: 'IN_PERSON' } }] },
    orders: {
      edges: [
        {
          node: {
            total: '2150.48',
            lines: [
              { sku: 'LASER-1', quantity: 2, unitPrice: '999.99', total: '1999.98' },
              { sku: 'SERVICE', quantity: 1, unitPrice: '150.50', total: '150.50' },
            ],
          },
        },
      ],
    },
    deals: { edges: [{ node: { title: 'Doomsday device', status: 'WON', amount: '25000.00', stage: { name: 'Won' } } }] },
    tickets: { edges: [{ node: { subject: 'Laser misaligned', status: 'CLOSED', satisfactionRating: 4 } }] },
    satisfaction: { averageCsat: 4, latestNps: 10, npsCategory: 'PROMOTER', responses: 2 },
    campaignResponses: { totalCount: 3 },
  });

  // The outbox: every change above left its events, numbered 1..n without gaps, in commit order.
  const events = await t.database.prisma.event.findMany({ where: { workspaceId: ws.workspaceId }, orderBy: { seq: 'asc' } });
  expect(events.map((e) => Number(e.seq))).toEqual(events.map((_, i) => i + 1));
  expect(events.map((e) => e.type)).toEqual(
    expect.arrayContaining(['company.created', 'customer.created', 'lead.converted', 'deal.created', 'deal.won', 'activity.logged', 'order.recorded', 'ticket.opened', 'ticket.closed', 'survey.responded']),
  );
  return { customerId: customer.id };
}
