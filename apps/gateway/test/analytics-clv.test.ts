// Lifetime value, RFM, profit and share of wallet through HTTP, on a fixture whose right answers are worked out by
// hand below (days are counted from the calibration end, `asOf`).
import { expectedOrderValue, expectedPurchases, fitBgNbd, fitGammaGamma, predictedLifetimeValue, probabilityAlive } from '@crm/analytics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const asOf = today - 10 * DAY;
const at = (offsetDays: number) => new Date(asOf + offsetDays * DAY + 12 * 3_600_000).toISOString();

/** customer ref → orders as [days from asOf, total]. */
const history: Record<string, [number, number][]> = {
  C1: [[-180, 100], [-121, 50], [-29, 70], [-29, 30]], // x = 2 (one day twice), t_x = 151/7, T = 180/7
  C2: [[-149, 20], [-135, 20]], //                         x = 1, t_x = 14/7, T = 149/7
  C3: [[-10, 500]], //                                     x = 0, T = 10/7
  C4: [[-400, 10], [-370, 10], [-340, 10], [-310, 10]], // x = 3, t_x = 90/7, T = 400/7
  C5: [[-60, 40], [-1, 40], [5, 40]], //                   x = 1, t_x = 59/7, T = 60/7 (the last order is after asOf)
};
const summaries = {
  C1: { x: 2, tx: 151 / 7, T: 180 / 7, meanValue: (50 + 100) / 2 },
  C2: { x: 1, tx: 2, T: 149 / 7, meanValue: 20 },
  C3: { x: 0, tx: 0, T: 10 / 7, meanValue: 0 },
  C4: { x: 3, tx: 90 / 7, T: 400 / 7, meanValue: 10 },
  C5: { x: 1, tx: 59 / 7, T: 60 / 7, meanValue: 40 },
};
const csv = ['customer,orderedAt,total', ...Object.entries(history).flatMap(([ref, orders]) => orders.map(([d, total]) => `${ref},${at(d)},${total}`))].join('\n');

const ANALYTICS = /* GraphQL */ `
  query ($filter: CustomerFilter, $orderBy: [CustomerOrderBy!]) {
    customers(first: 20, filter: $filter, orderBy: $orderBy) {
      totalCount
      edges { node { externalRef analytics {
        historicalRevenue productCost margin costToServe profit shareOfWallet
        probabilityAlive expectedPurchases(weeks: 10) expectedOrderValue predictedLifetimeValue calibrationEnd
        rfm { recency frequency monetary segment segmentName }
      } } }
    }
  }
`;
const MODEL = `{ clvModel { id calibrationEnd customers repeatCustomers r alpha a b p q gamma logLikelihood converged trigger } }`;
const REFRESH = `mutation ($asOf: DateTime) { refreshClvModel(input: { asOf: $asOf }) { model { id customers calibrationEnd r } } }`;

let t: TestGateway;
const ids: Record<string, string> = {};

async function page(client: TestClient, variables: Record<string, unknown> = {}) {
  const data = await client.query(ANALYTICS, variables);
  return data.customers.edges.map((e: { node: { externalRef: string | null; analytics: Record<string, unknown> } }) => e.node);
}

beforeAll(async () => {
  t = await startTestGateway({ clvRefresh: false });
  const { client, workspaceId } = t.workspace;
  await client.query(`mutation ($csv: String!) { importOrders(input: { csv: $csv }) { imported } }`, { csv });
  const { prisma } = t.database;
  for (const c of await prisma.customer.findMany({ where: { workspaceId } })) ids[c.externalRef!] = c.id;
  await client.query(`mutation { createCustomer(input: { name: "Fay", externalRef: "C6" }) { customer { id } } }`);
  // C1 has its own wallet; C2 and C4 share their company's.
  await prisma.customer.update({ where: { id: ids.C1 }, data: { annualWallet: '1000.00' } });
  const company = await prisma.company.create({ data: { workspaceId, name: 'Wallet Co', annualWallet: '400.00' } });
  await prisma.customer.updateMany({ where: { id: { in: [ids.C2!, ids.C4!] } }, data: { companyId: company.id } });
  // Cost to serve of C1: 2 tickets, 3 activities, 1 campaign contact (the OPENED answer is not a contact).
  await prisma.ticket.createMany({ data: [1, 2].map((n) => ({ workspaceId, customerId: ids.C1!, subject: `Case ${n}` })) });
  await prisma.activity.createMany({
    data: [1, 2, 3].map((n) => ({ workspaceId, customerId: ids.C1!, type: 'CALL' as const, channel: 'PHONE' as const, subject: `Call ${n}`, occurredAt: new Date(asOf) })),
  });
  const campaign = await prisma.campaign.create({ data: { workspaceId, name: 'Spring', channel: 'EMAIL', startsAt: new Date(asOf - 30 * DAY) } });
  await prisma.campaignResponse.createMany({
    data: (['SENT', 'OPENED'] as const).map((kind) => ({ workspaceId, campaignId: campaign.id, customerId: ids.C1!, kind, occurredAt: new Date(asOf - 20 * DAY) })),
  });
  await client.query(
    `mutation { updateAnalyticsSettings(input: { margin: 0.4, ticketCost: 10, activityCost: 2, campaignContactCost: 1, horizonMonths: 6, monthlyDiscountRate: 0.02 }) { settings { margin } } }`,
  );
});
afterAll(async () => {
  await t?.close();
});

describe('before any fit', () => {
  it('has no model and no predictions, but historical figures already', async () => {
    const { client } = t.workspace;
    expect((await client.query(MODEL)).clvModel).toBeNull();
    const c1 = (await page(client)).find((n: { externalRef: string }) => n.externalRef === 'C1');
    expect(c1.analytics).toMatchObject({ historicalRevenue: '250.00', probabilityAlive: null, predictedLifetimeValue: null, rfm: null });
  });
});

describe('refreshClvModel', () => {
  it('fits a tiny history that lands on a + b < 1, never an internal error', async () => {
    // Five customers whose fit gives a + b ≈ 3e-4: expected purchases of the one without a repeat purchase needs
    // ₂F₁ with c = a + b − 1 < 0, which once failed with a RangeError (INTERNAL_SERVER_ERROR).
    const tiny = await t.createWorkspace('Tiny history');
    const days: Record<string, number[]> = { a: [-51, -45, -38, -23], b: [-35, -15], c: [-65, -10], d: [-91, -26], e: [-21] };
    const rows = Object.entries(days).flatMap(([who, list]) => list.map((d, i) => `${who}@tiny.test,${at(d)},${20 + i}`));
    await tiny.client.query(`mutation ($i: ImportOrdersInput!) { importOrders(input: $i) { imported } }`, { i: { csv: ['customer,orderedAt,total', ...rows].join('\n') } });
    const result = await tiny.client.request(REFRESH, { asOf: new Date(asOf).toISOString() });
    expect(result.errors).toBeUndefined();
    expect(result.data?.refreshClvModel.model.customers).toBe(5);
  });

  it('fits the model on x, t_x, T computed in SQL exactly as the reference summary computes them', async () => {
    const { client } = t.workspace;
    const refreshed = await client.query(REFRESH, { asOf: new Date(asOf).toISOString() });
    expect(refreshed.refreshClvModel.model).toMatchObject({ customers: 5, calibrationEnd: new Date(asOf).toISOString() });
    const model = (await client.query(MODEL)).clvModel;
    const bg = fitBgNbd(Object.values(summaries));
    const gg = fitGammaGamma(Object.values(summaries));
    expect(model).toMatchObject({ customers: 5, repeatCustomers: 4, trigger: 'api' });
    // Five customers make a flat likelihood: where the simplex stops moves in the 5th digit with the order the rows
    // are summed in, while the optimum's value does not. (The next test checks x, t_x, T to 8 digits through the
    // per-customer predictions.)
    expect(model.logLikelihood / bg.logLikelihood).toBeCloseTo(1, 6);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) expect(model[key] / bg[key]).toBeCloseTo(1, 3);
    for (const key of ['p', 'q', 'gamma'] as const) expect(model[key] / gg[key]).toBeCloseTo(1, 3);
    const event = await t.database.prisma.event.findFirst({ where: { workspaceId: t.workspace.workspaceId, type: 'clv.model_fitted' } });
    expect(event?.payload).toMatchObject({ customers: 5, r: model.r });
  });

  it('gives each customer the model’s predictions, hand-computed RFM, profit and share of wallet', async () => {
    const { client } = t.workspace;
    const model = (await client.query(MODEL)).clvModel;
    const bg = { r: model.r, alpha: model.alpha, a: model.a, b: model.b };
    const spend = { p: model.p, q: model.q, gamma: model.gamma };
    const nodes = await page(client);
    const by = Object.fromEntries(nodes.map((n: { externalRef: string; analytics: unknown }) => [n.externalRef, n.analytics]));
    for (const [ref, s] of Object.entries(summaries)) {
      const a = by[ref];
      expect(a.probabilityAlive).toBeCloseTo(probabilityAlive(bg, s), 8);
      expect(a.expectedPurchases).toBeCloseTo(expectedPurchases(bg, s, 10), 8);
      const eov = expectedOrderValue(spend, s);
      expect(Number(a.expectedOrderValue)).toBeCloseTo(eov, 2);
      const clv = predictedLifetimeValue(bg, s, eov, { horizonMonths: 6, monthlyDiscountRate: 0.02, margin: 0.4 });
      expect(Math.abs(Number(a.predictedLifetimeValue) - clv)).toBeLessThanOrEqual(0.0051);
      expect(a.calibrationEnd).toBe(new Date(asOf).toISOString());
    }
    expect(by.C3.probabilityAlive).toBe(1);
    // RFM quintiles among the five buyers (percent rank, ties share the lowest): see docs/analytics.md.
    expect(by.C1.rfm).toEqual({ recency: 3, frequency: 4, monetary: 4, segment: 'LOYAL', segmentName: 'Loyal' });
    expect(by.C2.rfm).toEqual({ recency: 2, frequency: 2, monetary: 1, segment: 'HIBERNATING', segmentName: 'Hibernating' });
    expect(by.C3.rfm).toEqual({ recency: 4, frequency: 1, monetary: 5, segment: 'NEW', segmentName: 'New' });
    expect(by.C4.rfm).toEqual({ recency: 1, frequency: 5, monetary: 1, segment: 'CANT_LOSE_THEM', segmentName: "Can't lose them" });
    expect(by.C5.rfm).toEqual({ recency: 5, frequency: 2, monetary: 3, segment: 'POTENTIAL_LOYALIST', segmentName: 'Potential loyalist' });
    // Profit of C1: revenue 250, product cost 60 % of it (no catalog cost, margin 0.4) = 150, cost to serve
    // 2 × 10 + 3 × 2 + 1 × 1 = 27.
    expect(by.C1).toMatchObject({ historicalRevenue: '250.00', productCost: '150.00', margin: '100.00', costToServe: '27.00', profit: '73.00' });
    // Historical figures are as of now: C5's order after asOf counts (120), though the model did not see it.
    expect(by.C5).toMatchObject({ historicalRevenue: '120.00', costToServe: '0.00', profit: '48.00' });
    // Share of wallet, last 365 days: C1 250 / 1000; C2 and C4 share their company's: (40 + 20) / 400.
    expect(by.C1.shareOfWallet).toBeCloseTo(0.25, 10);
    expect(by.C2.shareOfWallet).toBeCloseTo(0.15, 10);
    expect(by.C4.shareOfWallet).toBeCloseTo(0.15, 10);
    expect(by.C3.shareOfWallet).toBeNull();
    expect(by.C6).toMatchObject({ historicalRevenue: '0.00', predictedLifetimeValue: null, rfm: null, shareOfWallet: null });
  });

  it('filters and sorts customers by predicted value, probability alive and RFM segment', async () => {
    const { client } = t.workspace;
    const all = await page(client);
    const clv = (n: { analytics: { predictedLifetimeValue: string | null } }) => Number(n.analytics.predictedLifetimeValue);
    const byValue = await page(client, { orderBy: [{ field: 'PREDICTED_LIFETIME_VALUE', direction: 'DESC' }] });
    expect(byValue.map((n: { externalRef: string }) => n.externalRef)).toEqual(
      all.filter((n: { externalRef: string }) => n.externalRef !== 'C6').sort((x: never, y: never) => clv(y) - clv(x)).map((n: { externalRef: string }) => n.externalRef).concat('C6'),
    );
    const loyal = await page(client, { filter: { score: { rfmSegment: { in: ['LOYAL', 'NEW'] } } } });
    expect(loyal.map((n: { externalRef: string }) => n.externalRef).sort()).toEqual(['C1', 'C3']);
    const alive = await page(client, { filter: { probabilityAlive: { gte: 0.999 } }, orderBy: [{ field: 'PROBABILITY_ALIVE', direction: 'ASC' }] });
    expect(alive.every((n: { analytics: { probabilityAlive: number } }) => n.analytics.probabilityAlive >= 0.999)).toBe(true);
    expect(alive.map((n: { externalRef: string }) => n.externalRef)).toContain('C3');
    const threshold = clv(byValue[1]);
    const valuable = await page(client, { filter: { predictedLifetimeValue: { gte: threshold.toFixed(2) } } });
    expect(valuable.map((n: { externalRef: string }) => n.externalRef).sort()).toEqual([byValue[0].externalRef, byValue[1].externalRef].sort());
  });

  it('refuses a non-ADMIN key, an asOf without purchases and a bad weeks argument', async () => {
    const { client, workspaceId } = t.workspace;
    const member = await t.issueKey(workspaceId, 'MEMBER');
    expect(await member.errorCode(REFRESH, {})).toBe('FORBIDDEN');
    const early = await client.request(REFRESH, { asOf: '2020-01-01T00:00:00Z' });
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf' });
    const weeks = await client.request(`{ customers(first: 1) { edges { node { analytics { expectedPurchases(weeks: -1) } } } } }`);
    expect(weeks.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'weeks' });
  });
});

describe('tenancy', () => {
  it('leaves every figure of a workspace as it was when another imports, fits and changes settings', async () => {
    const before = await page(t.workspace.client);
    const modelBefore = (await t.workspace.client.query(MODEL)).clvModel;
    const other = await t.createWorkspace('Other');
    await other.client.query(`mutation ($csv: String!) { importOrders(input: { csv: $csv }) { imported } }`, { csv: csv.replaceAll(',4', ',9') });
    await other.client.query(`mutation { updateAnalyticsSettings(input: { margin: 0.9, ticketCost: 99 }) { settings { margin } } }`);
    await other.client.query(REFRESH, {});
    expect((await other.client.query(MODEL)).clvModel.id).not.toBe(modelBefore.id);
    expect(await page(t.workspace.client)).toEqual(before);
    expect((await t.workspace.client.query(MODEL)).clvModel).toEqual(modelBefore);
  });
});
