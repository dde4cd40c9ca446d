import type { DashboardMetrics } from '@crm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWsClient, SubscriptionCollector, startTestGateway, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

const FIGURES = `asOf customersByStage { stage count } openPipelineValue weightedPipelineValue dealsWonThisMonth dealsLostThisMonth
  revenueThisMonth openTickets averageCsat newCustomersThisWeek`;
/** The figures as JSON: times are ISO strings. */
type Figures = Omit<DashboardMetrics, 'asOf'> & { asOf: string };
const CREATE = `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`;
/** The dashboard's one aggregate statement, as the SQL recorder sees it. */
const isDashboardStatement = (sql: string) => sql.includes('json_object_agg') && sql.includes('"SurveyResponse"');

async function figures(ws: TestWorkspace): Promise<Figures> {
  return (await ws.client.query<{ dashboardMetrics: Figures }>(`{ dashboardMetrics { ${FIGURES} } }`)).dashboardMetrics;
}

async function customer(ws: TestWorkspace, name: string, lifecycleStage = 'PROSPECT'): Promise<string> {
  return (await ws.client.query(CREATE, { input: { name, lifecycleStage } })).createCustomer.customer.id;
}

async function recordOrder(ws: TestWorkspace, customerId: string, unitPrice: string): Promise<void> {
  await ws.client.query(
    `mutation ($c: ID!, $at: DateTime!, $p: Decimal!) { recordOrder(input: { customerId: $c, orderedAt: $at, lines: [{ sku: "X", quantity: 1, unitPrice: $p }] }) { order { id } } }`,
    { c: customerId, at: new Date().toISOString(), p: unitPrice },
  );
}

function subscribe(ws: TestWorkspace) {
  const client = openWsClient(t.wsUrl, ws.apiKey);
  const sub = new SubscriptionCollector<{ dashboardMetrics: Figures }>(client, `subscription { dashboardMetrics { ${FIGURES} } }`);
  return { client, sub };
}

describe('dashboardMetrics', () => {
  it('reports every stage in funnel order with zeros, and null CSAT, for an empty workspace', async () => {
    const ws = await t.createWorkspace('Empty');
    const empty = await figures(ws);
    expect(empty).toMatchObject({
      customersByStage: ['PROSPECT', 'LEAD', 'CUSTOMER', 'ADVOCATE', 'CHURNED'].map((stage) => ({ stage, count: 0 })),
      openPipelineValue: '0.00',
      weightedPipelineValue: '0.00',
      dealsWonThisMonth: 0,
      dealsLostThisMonth: 0,
      revenueThisMonth: '0.00',
      openTickets: 0,
      averageCsat: null,
      newCustomersThisWeek: 0,
    });
  });

  it('computes the figures from the workspace’s data, in one statement', async () => {
    const ws = await t.createWorkspace('Figures');
    const other = await t.createWorkspace('Noise');
    await customer(other, 'Elsewhere', 'CUSTOMER'); // another workspace never counts
    const ada = await customer(ws, 'Ada', 'LEAD');
    await customer(ws, 'Bob', 'ADVOCATE');
    await customer(ws, 'Cy', 'ADVOCATE');
    const stages = (await ws.client.query(`{ pipelines { id stages { id name probability isWon isLost } } }`)).pipelines[0];
    const open = stages.stages.find((s: { isWon: boolean; isLost: boolean }) => !s.isWon && !s.isLost);
    const won = stages.stages.find((s: { isWon: boolean }) => s.isWon);
    const lost = stages.stages.find((s: { isLost: boolean }) => s.isLost);
    const deal = async (amount: string) =>
      (
        await ws.client.query(
          `mutation ($i: CreateDealInput!) { createDeal(input: $i) { deal { id } } }`,
          { i: { title: `Deal ${amount}`, customerId: ada, pipelineId: stages.id, stageId: open.id, amount } },
        )
      ).createDeal.deal.id as string;
    await deal('1000.00');
    await deal('250.50');
    const move = (id: string, stageId: string, lostReason?: string) =>
      ws.client.query(`mutation ($i: MoveDealInput!) { moveDeal(input: $i) { deal { id } } }`, { i: { id, stageId, lostReason } });
    await move(await deal('400.00'), won.id);
    await move(await deal('99.00'), lost.id, 'price');
    await recordOrder(ws, ada, '120.25');
    const ticket = async () =>
      (await ws.client.query(`mutation ($c: ID!) { createTicket(input: { customerId: $c, subject: "Help", priority: HIGH }) { ticket { id } } }`, { c: ada }))
        .createTicket.ticket.id as string;
    await ticket();
    for (const rating of [4, 5]) {
      await ws.client.query(`mutation ($id: ID!, $r: Int!) { updateTicket(input: { id: $id, status: CLOSED, satisfactionRating: $r }) { ticket { id } } }`, {
        id: await ticket(),
        r: rating,
      });
    }

    const statements = await t.sql.during(() => figures(ws));
    const got = await figures(ws);
    expect(statements.filter(isDashboardStatement)).toHaveLength(1);
    const weighted = ((1000 + 250.5) * open.probability) / 100;
    expect(got).toMatchObject({
      // Ada bought, so she is a CUSTOMER now.
      customersByStage: [
        { stage: 'PROSPECT', count: 0 },
        { stage: 'LEAD', count: 0 },
        { stage: 'CUSTOMER', count: 1 },
        { stage: 'ADVOCATE', count: 2 },
        { stage: 'CHURNED', count: 0 },
      ],
      openPipelineValue: '1250.50',
      weightedPipelineValue: weighted.toFixed(2),
      dealsWonThisMonth: 1,
      dealsLostThisMonth: 1,
      revenueThisMonth: '120.25',
      openTickets: 1,
      averageCsat: 4.5,
      newCustomersThisWeek: 3,
    });
  });

  it('emits at once, then when an order recorded over HTTP changes revenueThisMonth', async () => {
    const ws = await t.createWorkspace('Live revenue');
    const buyer = await customer(ws, 'Buyer');
    const { client, sub } = subscribe(ws);
    const [first] = await sub.take(1);
    expect(first!.dashboardMetrics.revenueThisMonth).toBe('0.00');
    await recordOrder(ws, buyer, '42.50');
    let last = first!.dashboardMetrics;
    for (let n = 2; last.revenueThisMonth === '0.00'; n++) last = (await sub.take(n)).at(-1)!.dashboardMetrics;
    expect(last.revenueThisMonth).toBe('42.50');
    expect(last.customersByStage.find((s) => s.stage === 'CUSTOMER')?.count).toBe(1);
    sub.dispose();
    await client.dispose();
  });

  it('coalesces a burst of mutations and computes once per emission for all subscribers of a workspace', async () => {
    const ws = await t.createWorkspace('Burst');
    const a = subscribe(ws);
    const b = subscribe(ws);
    await a.sub.take(1);
    await b.sub.take(1);
    const burst = 40;
    const settled = (results: { dashboardMetrics: Figures }[]) => results.at(-1)?.dashboardMetrics.customersByStage[0]?.count === burst;
    let burstMs = 0;
    const statements = await t.sql.during(async () => {
      const started = Date.now();
      await Promise.all(Array.from({ length: burst }, (_, i) => customer(ws, `Burst ${i}`)));
      burstMs = Date.now() - started;
      const deadline = Date.now() + 10_000;
      while (!(settled(a.sub.results) && settled(b.sub.results)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 400)); // anything still coming would be counted too
    });
    expect(settled(a.sub.results) && settled(b.sub.results)).toBe(true);
    const emissions = a.sub.results.length - 1;
    // 40 commits (80 events) became a few emissions (at most one per 250 ms, plus the trailing one), each computed
    // once and sent to both subscribers.
    expect(emissions).toBeGreaterThanOrEqual(1);
    // (A busy machine stretches the burst: the bound follows its length, never more than one per commit.)
    expect(emissions).toBeLessThanOrEqual(Math.min(burst, Math.ceil(burstMs / 250) + 2));
    expect(b.sub.results.map((r) => r.dashboardMetrics.asOf)).toEqual(a.sub.results.map((r) => r.dashboardMetrics.asOf));
    expect(statements.filter(isDashboardStatement)).toHaveLength(emissions);
    // Emissions are at least the coalescing interval apart.
    const times = a.sub.results.slice(1).map((r) => Date.parse(r.dashboardMetrics.asOf));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(240);
    for (const { sub, client } of [a, b]) {
      sub.dispose();
      await client.dispose();
    }
  });
});
