// Report figures and the trash (docs/data.md, "Trash"): a trashed customer, deal or ticket leaves every figure that
// counts them, and comes back when restored; a trashed customer's orders, survey answers and campaign responses stay
// (history). On the hand-computable fixture of reports.test.ts: c4 (churned in March for "Price", scored "Can't lose
// them", at risk, a "Late delivery" ticket in February) and one of c6's lost deals ("No budget", April) are trashed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, type TestWorkspace } from '../src/testing/index.js';
import { seedReportFixture } from './reports/fixture.js';

const RANGE = { from: '2026-01-15T00:00:00Z', to: '2026-04-30T23:59:59Z' };
const REPORTS = /* GraphQL */ `
  query ($from: DateTime, $to: DateTime) {
    reports {
      customerEquity { total customers bySegment { key customers equity share } byStage { key customers equity share } }
      valueConcentration(points: 5) { customers totalProfit top20Share }
      defectionRate(from: $from, to: $to) { month activeAtStart defections rate }
      defectionReasons(from: $from, to: $to) { source reason count }
      atRiskCustomers(first: 10) { totalCount }
      lifecycleFunnel { stage reached converted completedStays }
      cohorts(from: $from, to: $to) { cohort size retained }
      satisfaction(from: $from, to: $to) { bySegment { segment csatResponses npsResponses nps } }
      campaignEffectiveness(from: $from, to: $to) { name sent responded attributedRevenue }
      segmentProfit(from: $from, to: $to) { month segment buyers revenue }
    }
    dashboardMetrics { customersByStage { stage count } customerEquity atRiskCount revenueThisMonth }
  }`;
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

describe('report figures skip trashed customers, deals and tickets', () => {
  let t: TestGateway;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let before: Record<string, any>;
  let otherBefore: Record<string, any>;
  let trashed: Record<string, any>;
  let c4: string;
  let deal: string;
  const figures = async (w = ws) => (await w.client.query(REPORTS, RANGE)) as Record<string, any>;

  beforeAll(async () => {
    t = await startTestGateway();
    ws = t.workspace;
    other = await t.createWorkspace('Other');
    const ids = await seedReportFixture(t.database, ws.workspaceId);
    await seedReportFixture(t.database, other.workspaceId);
    c4 = gid('Customer', ids.c4!);
    deal = gid('Deal', (await t.database.prisma.deal.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, lostReason: 'No budget' } })).id);
    before = await figures();
    otherBefore = await figures(other);
    await ws.client.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id, reason: "test" }) { deletedCustomerId } }`, { id: c4 });
    await ws.client.query(`mutation ($id: ID!) { deleteDeal(input: { id: $id, reason: "test" }) { deletedDealId } }`, { id: deal });
    trashed = await figures();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('scored-customer figures: equity, value concentration, at-risk (report and dashboard)', () => {
    expect(before.reports.customerEquity).toMatchObject({ total: '2000.00', customers: 5 });
    expect(trashed.reports.customerEquity).toMatchObject({ total: '1900.00', customers: 4 });
    expect(trashed.reports.customerEquity.bySegment.map((part: { key: string }) => part.key)).not.toContain("Can't lose them");
    expect(trashed.reports.customerEquity.byStage.find((part: { key: string }) => part.key === 'CHURNED')).toMatchObject({ customers: 1, equity: '0.00' });
    expect(trashed.reports.valueConcentration).toMatchObject({ customers: 4, totalProfit: '900.00' });
    expect([before.reports.atRiskCustomers.totalCount, trashed.reports.atRiskCustomers.totalCount]).toEqual([2, 1]);
    expect(before.dashboardMetrics).toMatchObject({ customerEquity: '2000.00', atRiskCount: 2 });
    expect(trashed.dashboardMetrics).toMatchObject({ customerEquity: '1900.00', atRiskCount: 1 });
    expect(trashed.dashboardMetrics.customersByStage.find((s: { stage: string }) => s.stage === 'CHURNED').count).toBe(1);
  });

  it('stage-history figures: the funnel and the defection rate', () => {
    const customerStep = (r: Record<string, any>) => r.reports.lifecycleFunnel.find((s: { stage: string }) => s.stage === 'CUSTOMER');
    expect([customerStep(before).reached, customerStep(trashed).reached]).toEqual([5, 4]);
    expect(trashed.reports.defectionRate).toEqual([
      { month: '2026-01', activeAtStart: 0, defections: 0, rate: null },
      { month: '2026-02', activeAtStart: 2, defections: 0, rate: 0 }, // c2, c3 (c4 gone)
      { month: '2026-03', activeAtStart: 4, defections: 0, rate: 0 }, // c1, c2, c3, c5; c4's churn gone
      { month: '2026-04', activeAtStart: 4, defections: 1, rate: 0.25 },
    ]);
  });

  it('defection reasons: the trashed customer’s churn and ticket, the trashed lost deal', () => {
    expect(trashed.reports.defectionReasons).toEqual([
      { source: 'CHURN', reason: 'Moved away', count: 1 },
      { source: 'LOST_DEAL', reason: 'Too expensive', count: 2 },
      { source: 'TICKET', reason: 'Late delivery', count: 1 },
    ]);
  });

  it('history stays: orders (cohorts, segment revenue, this month’s revenue), survey answers and campaign responses', () => {
    for (const figure of ['cohorts', 'satisfaction', 'campaignEffectiveness', 'segmentProfit']) expect(trashed.reports[figure], figure).toEqual(before.reports[figure]);
    expect(trashed.dashboardMetrics.revenueThisMonth).toBe(before.dashboardMetrics.revenueThisMonth);
  });

  it('another workspace’s figures do not move; restoring brings every figure back', async () => {
    expect(await figures(other)).toEqual(otherBefore);
    await ws.client.query(`mutation ($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id } } }`, { id: c4 });
    await ws.client.query(`mutation ($id: ID!) { restoreDeal(input: { id: $id }) { deal { id } } }`, { id: deal });
    expect(await figures()).toEqual(before);
  });
});
