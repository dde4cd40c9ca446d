// Workspace reports over HTTP on a hand-computable fixture (test/reports/fixture.ts): every expected figure below is
// worked out from that file, by hand, in the comments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';
import { seedReportFixture } from './reports/fixture.js';

let t: TestGateway;
let a: TestWorkspace;
let b: TestWorkspace;
let bBefore: unknown;
let ids: Record<string, string>;
const gid = (id: string) => Buffer.from(`Customer:${id}`).toString('base64');
const RANGE = { from: '2026-01-15T00:00:00Z', to: '2026-04-30T23:59:59Z' }; // Jan–Apr 2026

const ALL = /* GraphQL */ `
  query ($from: DateTime, $to: DateTime) {
    reports {
      customerEquity { total customers bySegment { key customers equity share } byStage { key customers equity share } }
      valueConcentration(points: 5) { customers totalProfit top20Share whaleCurve { customers customerShare cumulativeProfit profitShare } }
      defectionRate(from: $from, to: $to) { month activeAtStart defections rate }
      defectionReasons(from: $from, to: $to) { source reason count }
      atRiskCustomers(first: 10) { totalCount edges { node { id } } }
      cohorts(from: $from, to: $to) { cohort size retained retention }
      lifecycleFunnel { stage reached converted conversionRate averageDaysInStage completedStays }
      satisfaction(from: $from, to: $to) {
        bySegment { segment csatResponses averageCsat npsResponses nps }
        byMonth { month csatResponses averageCsat npsResponses nps }
      }
      campaignEffectiveness(from: $from, to: $to) {
        name cost sent responded redeemed responseRate redemptionRate attributedOrders attributedRevenue attributedMargin roi
      }
      segmentProfit(from: $from, to: $to) { month segment buyers revenue productCost costToServe profit }
    }
  }`;

const reports = async (client: TestClient) => (await client.query(ALL, RANGE)).reports;

beforeAll(async () => {
  t = await startTestGateway();
  a = t.workspace;
  b = await t.createWorkspace('Workspace B');
  // B first, with a fixture of its own; A's data must not move any of B's figures.
  await seedReportFixture(t.database, b.workspaceId);
  bBefore = await reports(b.client);
  ids = await seedReportFixture(t.database, a.workspaceId);
  // A's second copy of c1's orders: A's figures differ from B's, so a leak would show.
  await t.database.prisma.order.create({ data: { workspaceId: a.workspaceId, customerId: ids.c1!, orderedAt: new Date('2026-04-15T00:00:00Z'), total: '10.00', cost: '5.00' } });
});
afterAll(async () => {
  await t?.close();
});

describe('workspace reports', () => {
  it('customer equity: total and its split by RFM segment and lifecycle stage', async () => {
    const { customerEquity } = await reports(a.client);
    // CLV 1000 + 600 + 300 + 100 + 0 over the five scored customers.
    expect(customerEquity.total).toBe('2000.00');
    expect(customerEquity.customers).toBe(5);
    expect(customerEquity.bySegment).toEqual([
      { key: 'Champions', customers: 2, equity: '1600.00', share: 0.8 },
      { key: 'At risk', customers: 1, equity: '300.00', share: 0.15 },
      { key: "Can't lose them", customers: 1, equity: '100.00', share: 0.05 },
      { key: 'Lost', customers: 1, equity: '0.00', share: 0 },
    ]);
    // CUSTOMER: c1 + c3; ADVOCATE: c2; CHURNED: c4 + c5.
    expect(customerEquity.byStage).toEqual([
      { key: 'CUSTOMER', customers: 2, equity: '1300.00', share: 0.65 },
      { key: 'ADVOCATE', customers: 1, equity: '600.00', share: 0.3 },
      { key: 'CHURNED', customers: 2, equity: '100.00', share: 0.05 },
    ]);
  });

  it('value concentration: the top 20 % share and the whale curve', async () => {
    const { valueConcentration } = await reports(a.client);
    // Profit ranked: 500, 300, 150, 100, −50 = 1000; the top 20 % is one customer: 500 / 1000.
    expect(valueConcentration).toMatchObject({ customers: 5, totalProfit: '1000.00', top20Share: 0.5 });
    expect(valueConcentration.whaleCurve).toEqual([
      { customers: 1, customerShare: 0.2, cumulativeProfit: '500.00', profitShare: 0.5 },
      { customers: 2, customerShare: 0.4, cumulativeProfit: '800.00', profitShare: 0.8 },
      { customers: 3, customerShare: 0.6, cumulativeProfit: '950.00', profitShare: 0.95 },
      { customers: 4, customerShare: 0.8, cumulativeProfit: '1050.00', profitShare: 1.05 },
      { customers: 5, customerShare: 1, cumulativeProfit: '1000.00', profitShare: 1 },
    ]);
  });

  it('defection rate per month, from the stage history', async () => {
    const { defectionRate } = await reports(a.client);
    expect(defectionRate).toEqual([
      { month: '2026-01', activeAtStart: 0, defections: 0, rate: null }, // nobody was a customer on Jan 1
      { month: '2026-02', activeAtStart: 3, defections: 0, rate: 0 }, // c2, c3, c4 (c1 still a lead)
      { month: '2026-03', activeAtStart: 5, defections: 1, rate: 0.2 }, // c1–c5; c4 churns Mar 15
      { month: '2026-04', activeAtStart: 4, defections: 1, rate: 0.25 }, // c1, c2, c3, c5; c5 churns Apr 20
    ]);
  });

  it('defection reasons: churn reasons, lost-deal reasons, the defectors’ recent tickets', async () => {
    const { defectionReasons } = await reports(a.client);
    expect(defectionReasons).toEqual([
      { source: 'CHURN', reason: 'Moved away', count: 1 },
      { source: 'CHURN', reason: 'Price', count: 1 },
      { source: 'LOST_DEAL', reason: 'Too expensive', count: 2 },
      { source: 'LOST_DEAL', reason: 'No budget', count: 1 }, // the deal lost in Nov 2025 is outside the range
      { source: 'TICKET', reason: 'Late delivery', count: 2 }, // c4's "Old issue" is more than 90 days before
    ]);
  });

  it('the at-risk list: high past value, low probability alive, highest past revenue first', async () => {
    const { atRiskCustomers } = await reports(a.client);
    // P(alive) < 0.5 and monetary ≥ 4: c4 (revenue 1800), c3 (1200); c5 has monetary 1.
    expect(atRiskCustomers.totalCount).toBe(2);
    expect(atRiskCustomers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([gid(ids.c4!), gid(ids.c3!)]);
    const wider = await a.client.query(`{ reports { atRiskCustomers(first: 2, minMonetaryScore: 1) { totalCount pageInfo { hasNextPage endCursor } } } }`);
    expect(wider.reports.atRiskCustomers).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const next = await a.client.query(`query ($after: String) { reports { atRiskCustomers(first: 2, after: $after, minMonetaryScore: 1) { edges { node { id } } } } }`, {
      after: wider.reports.atRiskCustomers.pageInfo.endCursor,
    });
    expect(next.reports.atRiskCustomers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([gid(ids.c5!)]);
    // A crafted cursor, or another workspace's at-risk customer as one: BAD_USER_INPUT on after, never a page from it.
    const AFTER = `query ($after: String) { reports { atRiskCustomers(first: 2, after: $after, minMonetaryScore: 1) { edges { node { id } } } } }`;
    const theirs = (await b.client.query(`{ reports { atRiskCustomers(first: 1, minMonetaryScore: 1) { pageInfo { endCursor } } } }`)).reports.atRiskCustomers.pageInfo.endCursor;
    for (const after of [Buffer.from('GPC:N:5').toString('base64'), Buffer.from('GPC:S:not-a-uuid').toString('base64'), theirs]) {
      const refused = await a.client.request(AFTER, { after });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });

  it('acquisition cohorts with retention by month', async () => {
    const { cohorts } = await reports(a.client);
    // Jan: c1 (Jan, Feb, Mar, Apr) and c2 (Jan, Mar); Feb: c3 (Feb, Apr) and c4 (Feb); c5's first order is in Dec 2025.
    expect(cohorts).toEqual([
      { cohort: '2026-01', size: 2, retained: [2, 1, 2, 1], retention: [1, 0.5, 1, 0.5] },
      { cohort: '2026-02', size: 2, retained: [2, 0, 1], retention: [1, 0, 0.5] },
    ]);
  });

  it('the lifecycle funnel: conversion and time in stage', async () => {
    const { lifecycleFunnel } = await reports(a.client);
    expect(lifecycleFunnel).toEqual([
      // c1, c3, c6; c1 → lead, c3 → customer; stays of 10 and 30 days.
      { stage: 'PROSPECT', reached: 3, converted: 2, conversionRate: 0.6667, averageDaysInStage: 20, completedStays: 2 },
      // c1 (20 days), c2 (10 days).
      { stage: 'LEAD', reached: 2, converted: 2, conversionRate: 1, averageDaysInStage: 15, completedStays: 2 },
      // c1–c5; only c2 became an advocate; stays that ended: c2 40, c4 64, c5 69 days → 57.67.
      { stage: 'CUSTOMER', reached: 5, converted: 1, conversionRate: 0.2, averageDaysInStage: 57.67, completedStays: 3 },
      { stage: 'ADVOCATE', reached: 1, converted: 0, conversionRate: 0, averageDaysInStage: null, completedStays: 0 },
    ]);
  });

  it('CSAT and NPS by segment and by month', async () => {
    const { satisfaction } = await reports(a.client);
    expect(satisfaction.bySegment).toEqual([
      { segment: 'At risk', csatResponses: 1, averageCsat: 2, npsResponses: 1, nps: -100 },
      { segment: "Can't lose them", csatResponses: 0, averageCsat: null, npsResponses: 1, nps: 0 },
      { segment: 'Champions', csatResponses: 2, averageCsat: 4.5, npsResponses: 2, nps: 100 },
      { segment: 'Lost', csatResponses: 0, averageCsat: null, npsResponses: 1, nps: -100 },
      { segment: 'Unscored', csatResponses: 1, averageCsat: 3, npsResponses: 0, nps: null },
    ]);
    expect(satisfaction.byMonth).toEqual([
      { month: '2026-01', csatResponses: 2, averageCsat: 4.5, npsResponses: 0, nps: null },
      { month: '2026-02', csatResponses: 2, averageCsat: 2.5, npsResponses: 2, nps: 100 },
      // 6, 8, 0: no promoter, two detractors of three.
      { month: '2026-03', csatResponses: 0, averageCsat: null, npsResponses: 3, nps: -66.7 },
      { month: '2026-04', csatResponses: 0, averageCsat: null, npsResponses: 0, nps: null },
    ]);
  });

  it('campaign effectiveness with last-touch attribution and ROI', async () => {
    const { campaignEffectiveness } = await reports(a.client);
    expect(campaignEffectiveness).toEqual([
      // Only c1's Mar 5 order (50, cost 20) is Spring's: c2's Mar 20 order goes to the later Easter redemption.
      {
        name: 'Spring', cost: '100.00', sent: 3, responded: 2, redeemed: 2, responseRate: 0.6667, redemptionRate: 0.6667,
        attributedOrders: 1, attributedRevenue: '50.00', attributedMargin: '30.00', roi: -0.7,
      },
      // c2's Mar 20 order (100, cost 50) and c3's Apr 2 order (40, cost 20): margin 70, (70 − 10) / 10.
      {
        name: 'Easter', cost: '10.00', sent: 0, responded: 2, redeemed: 2, responseRate: null, redemptionRate: null,
        attributedOrders: 2, attributedRevenue: '140.00', attributedMargin: '70.00', roi: 6,
      },
    ]);
  });

  it('revenue and profit by segment per month', async () => {
    const { segmentProfit } = await reports(a.client);
    // Product cost without a recorded cost: total × (1 − 0.3). Cost to serve: tickets 25, campaign contacts 0.50.
    expect(segmentProfit).toEqual([
      { month: '2026-01', segment: 'Champions', buyers: 2, revenue: '400.00', productCost: '160.00', costToServe: '0.00', profit: '240.00' },
      { month: '2026-01', segment: 'Lost', buyers: 1, revenue: '70.00', productCost: '30.00', costToServe: '0.00', profit: '40.00' },
      { month: '2026-02', segment: 'At risk', buyers: 1, revenue: '100.00', productCost: '50.00', costToServe: '0.00', profit: '50.00' },
      { month: '2026-02', segment: "Can't lose them", buyers: 1, revenue: '500.00', productCost: '250.00', costToServe: '25.00', profit: '225.00' },
      { month: '2026-02', segment: 'Champions', buyers: 1, revenue: '200.00', productCost: '140.00', costToServe: '0.00', profit: '60.00' },
      { month: '2026-03', segment: 'At risk', buyers: 0, revenue: '0.00', productCost: '0.00', costToServe: '0.50', profit: '-0.50' },
      { month: '2026-03', segment: 'Champions', buyers: 2, revenue: '150.00', productCost: '70.00', costToServe: '1.00', profit: '79.00' },
      { month: '2026-04', segment: 'At risk', buyers: 1, revenue: '40.00', productCost: '20.00', costToServe: '0.00', profit: '20.00' },
      { month: '2026-04', segment: 'Champions', buyers: 1, revenue: '10.00', productCost: '5.00', costToServe: '0.00', profit: '5.00' },
      { month: '2026-04', segment: 'Lost', buyers: 0, revenue: '0.00', productCost: '0.00', costToServe: '25.00', profit: '-25.00' },
    ]);
  });

  it('nothing of workspace A changes a figure of workspace B', async () => {
    const bNow = await reports(b.client);
    expect(bNow).toEqual(bBefore);
    // B has no April order of c1, A has: the two differ where A's extra order counts.
    expect(bNow.cohorts[0].retained).toEqual([2, 1, 2, 0]);
  });

  it('every role can read; bad periods are BAD_USER_INPUT; no key is UNAUTHENTICATED', async () => {
    const readOnly = await t.issueKey(a.workspaceId, 'READ_ONLY');
    const member = await t.issueKey(a.workspaceId, 'MEMBER');
    const expected = await reports(a.client);
    expect(await reports(readOnly)).toEqual(expected);
    expect(await reports(member)).toEqual(expected);
    const reversed = await a.client.request(`{ reports { cohorts(from: "2026-05-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { cohort } } }`);
    expect(reversed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    const tooLong = await a.client.request(`{ reports { cohorts(from: "2010-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { cohort } } }`);
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
    expect(await t.client(null).errorCode(`{ reports { customerEquity { total } } }`)).toBe('UNAUTHENTICATED');
  });

  it('each report is one SQL statement, whatever the workspace size', async () => {
    const statements = await t.sql.during(() => reports(a.client));
    // Ten reports: one statement each, two for the at-risk connection (page + count), the settings twice.
    expect(statements.length).toBeLessThanOrEqual(14);
  });

  it('dashboardMetrics carries customer equity, the at-risk count and this month’s defection rate', async () => {
    const { dashboardMetrics } = await a.client.query(`{ dashboardMetrics { customerEquity atRiskCount defectionRate } }`);
    // No defection this month; c1, c2 and c3 are active (the fixture's months are in the past of the test's run).
    expect(dashboardMetrics).toEqual({ customerEquity: '2000.00', atRiskCount: 2, defectionRate: 0 });
  });
});
