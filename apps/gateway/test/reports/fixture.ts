// A small workspace whose report figures can be worked out by hand (the expected values in reports.test.ts are
// derived in comments there). Rows are written straight to the database with fixed dates: the reports read history
// (stage changes, orders, surveys in past months) that the API records only as "now".
import { randomUUID } from 'node:crypto';
import type { Database } from '@crm/db';

type Stage = 'PROSPECT' | 'LEAD' | 'CUSTOMER' | 'ADVOCATE' | 'CHURNED';
const at = (iso: string) => new Date(`${iso}T00:00:00Z`);

interface FixtureCustomer {
  key: string;
  stage: Stage;
  /** [date, from, to, reason] in order. */
  changes: [string, Stage | null, Stage, string?][];
  score?: { segment: string; clv: string; profit: string; alive: number; monetary: number; revenue: string };
  /** [date, total, cost]. */
  orders?: [string, string, string | null][];
  /** [date, subject]. */
  tickets?: [string, string][];
  /** [date, kind, score]. */
  surveys?: [string, 'CSAT' | 'NPS', number][];
}

export const CUSTOMERS: FixtureCustomer[] = [
  {
    key: 'c1',
    stage: 'CUSTOMER',
    changes: [['2026-01-05', null, 'PROSPECT'], ['2026-01-15', 'PROSPECT', 'LEAD'], ['2026-02-04', 'LEAD', 'CUSTOMER']],
    score: { segment: 'Champions', clv: '1000.00', profit: '500.00', alive: 0.9, monetary: 5, revenue: '2000.00' },
    orders: [['2026-01-10', '100.00', '60.00'], ['2026-02-12', '200.00', null], ['2026-03-05', '50.00', '20.00']],
    surveys: [['2026-01-10', 'CSAT', 5], ['2026-02-01', 'NPS', 10]],
  },
  {
    key: 'c2',
    stage: 'ADVOCATE',
    changes: [['2026-01-10', null, 'LEAD'], ['2026-01-20', 'LEAD', 'CUSTOMER'], ['2026-03-01', 'CUSTOMER', 'ADVOCATE']],
    score: { segment: 'Champions', clv: '600.00', profit: '300.00', alive: 0.8, monetary: 5, revenue: '1500.00' },
    orders: [['2026-01-25', '300.00', '100.00'], ['2026-03-20', '100.00', '50.00']],
    surveys: [['2026-01-20', 'CSAT', 4], ['2026-02-02', 'NPS', 9]],
  },
  {
    key: 'c3',
    stage: 'CUSTOMER',
    changes: [['2026-01-01', null, 'PROSPECT'], ['2026-01-31', 'PROSPECT', 'CUSTOMER']],
    score: { segment: 'At risk', clv: '300.00', profit: '150.00', alive: 0.3, monetary: 4, revenue: '1200.00' },
    orders: [['2026-02-03', '80.00', '40.00'], ['2026-02-20', '20.00', '10.00'], ['2026-04-02', '40.00', '20.00']],
    surveys: [['2026-02-05', 'CSAT', 2], ['2026-03-03', 'NPS', 6]],
  },
  {
    key: 'c4',
    stage: 'CHURNED',
    changes: [['2026-01-10', null, 'CUSTOMER'], ['2026-03-15', 'CUSTOMER', 'CHURNED', 'Price']],
    score: { segment: "Can't lose them", clv: '100.00', profit: '100.00', alive: 0.2, monetary: 5, revenue: '1800.00' },
    orders: [['2026-02-15', '500.00', '250.00']],
    tickets: [['2025-10-01', 'Old issue'], ['2026-02-20', 'Late delivery']],
    surveys: [['2026-03-04', 'NPS', 8]],
  },
  {
    key: 'c5',
    stage: 'CHURNED',
    changes: [['2026-02-10', null, 'CUSTOMER'], ['2026-04-20', 'CUSTOMER', 'CHURNED', 'Moved away']],
    score: { segment: 'Lost', clv: '0.00', profit: '-50.00', alive: 0.1, monetary: 1, revenue: '100.00' },
    orders: [['2025-12-15', '30.00', '10.00'], ['2026-01-05', '70.00', '30.00']],
    tickets: [['2026-04-01', 'Late delivery']],
    surveys: [['2026-03-05', 'NPS', 0]],
  },
  { key: 'c6', stage: 'PROSPECT', changes: [['2026-02-01', null, 'PROSPECT']], surveys: [['2026-02-06', 'CSAT', 3]] },
];

/** Writes the fixture into a workspace; returns the customers' row ids by key. */
export async function seedReportFixture(database: Database, workspaceId: string): Promise<Record<string, string>> {
  const db = database.prisma;
  const ids: Record<string, string> = {};
  const model = await db.clvModel.create({
    data: { workspaceId, calibrationEnd: at('2026-04-30'), customers: 5, repeatCustomers: 3, r: 1, alpha: 1, a: 1, b: 1, logLikelihood: -1, converged: true, durationMs: 1, trigger: 'api' },
  });
  for (const c of CUSTOMERS) {
    const id = randomUUID();
    ids[c.key] = id;
    await db.customer.create({ data: { id, workspaceId, name: `${c.key} ${workspaceId.slice(0, 4)}`, lifecycleStage: c.stage } });
    for (const [i, [date, from, to, reason]] of c.changes.entries()) {
      // Ids in time order: the history's tie-breaker.
      await db.lifecycleChange.create({ data: { workspaceId, customerId: id, fromStage: from, toStage: to, reason: reason ?? null, changedAt: new Date(at(date).getTime() + i) } });
    }
    if (c.score) {
      const s = c.score;
      await db.customerScore.create({
        data: {
          customerId: id, workspaceId, modelId: model.id, repeatPurchases: 1, recencyWeeks: 1, ageWeeks: 2, meanRepeatValue: '0',
          probabilityAlive: s.alive, expectedPurchases: 1, expectedOrderValue: '10', predictedLifetimeValue: s.clv,
          rfmRecency: 3, rfmFrequency: 3, rfmMonetary: s.monetary, rfmSegment: s.segment,
          historicalRevenue: s.revenue, productCost: '0', costToServe: '0', profit: s.profit, scoredAt: at('2026-04-30'),
        },
      });
    }
    for (const [date, total, cost] of c.orders ?? []) {
      await db.order.create({ data: { workspaceId, customerId: id, orderedAt: at(date), total, cost } });
    }
    for (const [date, subject] of c.tickets ?? []) {
      await db.ticket.create({ data: { workspaceId, customerId: id, subject, createdAt: at(date) } });
    }
    for (const [date, kind, score] of c.surveys ?? []) {
      await db.surveyResponse.create({ data: { workspaceId, customerId: id, kind, score, respondedAt: at(date) } });
    }
  }

  const spring = await db.campaign.create({ data: { workspaceId, name: 'Spring', channel: 'EMAIL', startsAt: at('2026-03-01'), cost: '100.00' } });
  const easter = await db.campaign.create({ data: { workspaceId, name: 'Easter', channel: 'SOCIAL', startsAt: at('2026-03-12'), cost: '10.00' } });
  await db.campaign.create({ data: { workspaceId, name: 'Old', channel: 'EMAIL', startsAt: at('2025-12-01'), cost: '5.00' } });
  const responses: [string, string, 'SENT' | 'OPENED' | 'CLICKED' | 'REDEEMED', string][] = [
    [spring.id, 'c1', 'SENT', '2026-03-01'], [spring.id, 'c2', 'SENT', '2026-03-01'], [spring.id, 'c3', 'SENT', '2026-03-01'],
    [spring.id, 'c1', 'OPENED', '2026-03-02'], [spring.id, 'c2', 'OPENED', '2026-03-02'], [spring.id, 'c1', 'CLICKED', '2026-03-02'],
    [spring.id, 'c1', 'REDEEMED', '2026-03-03'], [spring.id, 'c2', 'REDEEMED', '2026-03-10'],
    [easter.id, 'c2', 'REDEEMED', '2026-03-15'], [easter.id, 'c3', 'REDEEMED', '2026-03-28'],
  ];
  for (const [campaignId, key, kind, date] of responses) {
    await db.campaignResponse.create({ data: { workspaceId, campaignId, customerId: ids[key]!, kind, occurredAt: at(date) } });
  }

  const pipeline = await db.pipeline.findFirstOrThrow({ where: { workspaceId, isDefault: true }, include: { stages: true } });
  const lost = pipeline.stages.find((s) => s.isLost) ?? pipeline.stages[0]!;
  const deals: [string, string | null][] = [['2026-02-10', 'Too expensive'], ['2026-03-10', 'Too expensive'], ['2026-04-10', 'No budget'], ['2025-11-10', 'Before the range']];
  for (const [date, lostReason] of deals) {
    await db.deal.create({
      data: { workspaceId, title: 'Lost deal', amount: '10.00', customerId: ids.c6!, pipelineId: pipeline.id, stageId: lost.id, status: 'LOST', closedAt: at(date), lostReason },
    });
  }
  return ids;
}
