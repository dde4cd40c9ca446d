// The monthly rollup (`CustomerMonth`) that `segmentProfit` reads: after a mix of writes through the API (import,
// recordOrder, activities, tickets, campaign contacts, a deleted customer, a margin change, a direct row update), the
// report equals the same figures computed live from the raw tables, and nothing of one workspace moves the other's.
import { costedEventsSql, UNSCORED } from '@crm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

interface SegmentMonth {
  month: string;
  segment: string;
  buyers: number;
  revenue: string;
  productCost: string;
  costToServe: string;
  profit: string;
}

const FROM = '2025-12-01T00:00:00Z';
const TO = '2026-12-31T00:00:00Z';
const REPORT = `{ reports { segmentProfit(from: "${FROM}", to: "${TO}") { month segment buyers revenue productCost costToServe profit } } }`;

let t: TestGateway;
let a: TestWorkspace;
let b: TestWorkspace;
beforeAll(async () => {
  t = await startTestGateway({ clvRefresh: false });
  a = await t.createWorkspace('Rollup A');
  b = await t.createWorkspace('Rollup B');
});
afterAll(async () => {
  await t?.close();
});

const report = async (ws: TestWorkspace) => (await ws.client.query<{ reports: { segmentProfit: SegmentMonth[] } }>(REPORT)).reports.segmentProfit;

/** The report's figures computed from the orders, tickets, activities and campaign responses themselves. */
async function liveReport(ws: TestWorkspace): Promise<SegmentMonth[]> {
  const [settings] = await t.database.prisma.$queryRawUnsafe<{ settings: { analytics?: { margin?: number; unitCosts?: Record<string, number> } } }[]>(
    'SELECT settings FROM "Workspace" WHERE id = $1::uuid',
    ws.workspaceId,
  );
  const analytics = settings!.settings.analytics;
  const rows = await t.database.prisma.$queryRawUnsafe<SegmentMonth[]>(
    `WITH e AS (${costedEventsSql({ workspace: '$1', from: '$2', to: '$3', margin: '$4', ticket: '$5', activity: '$6', contact: '$7' })}),
          g AS (SELECT to_char(e.month, 'YYYY-MM') AS month, coalesce(s."rfmSegment", '${UNSCORED}') AS segment,
                       count(DISTINCT e."customerId") FILTER (WHERE e.revenue <> 0 OR e."productCost" <> 0)::int AS buyers,
                       sum(e.revenue) AS revenue, sum(e."productCost") AS cost, sum(e.serve) AS serve
                  FROM e LEFT JOIN "CustomerScore" s ON s."customerId" = e."customerId" GROUP BY 1, 2)
     SELECT month, segment, buyers, to_char(revenue, 'FM999999990.00') AS revenue, to_char(cost, 'FM999999990.00') AS "productCost",
            to_char(serve, 'FM999999990.00') AS "costToServe", to_char(revenue - cost - serve, 'FM999999990.00') AS profit
       FROM g ORDER BY 1, 2`,
    ws.workspaceId,
    FROM,
    '2027-01-01T00:00:00Z',
    String(analytics?.margin ?? 0.3),
    String(analytics?.unitCosts?.ticket ?? 25),
    String(analytics?.unitCosts?.activity ?? 5),
    String(analytics?.unitCosts?.campaignContact ?? 0.5),
  );
  return rows;
}

/** A month's figure summed over its segments, as money. */
const monthTotal = (rows: SegmentMonth[], month: string, field: 'revenue' | 'productCost') =>
  rows.filter((x) => x.month === month).reduce((sum, x) => sum + Math.round(Number(x[field]) * 100), 0) / 100 + '';

const customerIds = async (ws: TestWorkspace) =>
  new Map(
    ((await ws.client.query(`{ customers(first: 50) { edges { node { id email } } } }`)).customers.edges as { node: { id: string; email: string } }[]).map(
      ({ node }) => [node.email, node.id],
    ),
  );

describe('segmentProfit reads the monthly rollup', () => {
  it('equals the live computation after mixed writes, and tenancy holds', async () => {
    // Totals ending in 5 cents: the product cost at a 0.3 margin rounds per order (10.05 → 7.04 each, 14.08 for two,
    // not round(20.10 × 0.7) = 14.07), which a rollup of monthly sums alone would get wrong.
    const csv = [
      'customer,orderedAt,total,orderRef',
      'p@r.test,2026-01-05,10.05,A1', 'p@r.test,2026-01-06,10.05,A2', 'p@r.test,2026-03-10,99.99,A3',
      'q@r.test,2026-01-20,200.00,A4', 'q@r.test,2026-02-15,30.15,A5', 'q@r.test,2026-06-01,45.55,A6',
      'r@r.test,2026-02-01,40.00,A7', 'r@r.test,2026-02-20,60.00,A8',
      's@r.test,2026-03-20,300.00,A9', 's@r.test,2026-04-01,12.35,A10',
    ].join('\n');
    await a.client.query(`mutation ($csv: String!) { importOrders(input: { csv: $csv }) { imported } }`, { csv });
    await b.client.query(`mutation ($csv: String!) { importOrders(input: { csv: $csv }) { imported } }`, { csv: csv.replaceAll(',A', ',B') });
    await a.client.query(`mutation { refreshClvModel(input: { asOf: "2026-06-30T00:00:00Z" }) { model { id } } }`);
    await b.client.query(`mutation { refreshClvModel(input: { asOf: "2026-06-30T00:00:00Z" }) { model { id } } }`);
    const bBefore = await report(b);
    expect(bBefore).toEqual(await liveReport(b));

    const ids = await customerIds(a);
    const p = ids.get('p@r.test')!;
    const q = ids.get('q@r.test')!;
    const r = ids.get('r@r.test')!;
    await a.client.query(`mutation { createProduct(input: { sku: "RB-1", name: "Rollup box", unitPrice: "19.95", unitCost: "8.00" }) { product { id } } }`);
    await a.client.query(`mutation ($c: ID!) { recordOrder(input: { customerId: $c, orderedAt: "2026-03-02T10:00:00Z", lines: [{ sku: "RB-1", quantity: 3 }] }) { order { id } } }`, { c: p });
    await a.client.query(`mutation ($c: ID!) { recordOrder(input: { customerId: $c, orderedAt: "2026-05-02T10:00:00Z", lines: [{ sku: "LOOSE", quantity: 1, unitPrice: "7.05" }] }) { order { id } } }`, { c: q });
    for (const [c, at] of [[p, '2026-01-07'], [p, '2026-03-09'], [q, '2026-02-11'], [r, '2026-05-30']] as const) {
      await a.client.query(`mutation ($c: ID!, $at: DateTime!) { logActivity(input: { customerId: $c, type: CALL, channel: PHONE, subject: "Call", occurredAt: $at }) { activity { id } } }`, { c, at: `${at}T09:00:00Z` });
    }
    const ticket = await a.client.query(`mutation ($c: ID!) { createTicket(input: { customerId: $c, subject: "Broken" }) { ticket { id } } }`, { c: q });
    await a.client.query(`mutation ($id: ID!) { updateTicket(input: { id: $id, status: CLOSED }) { ticket { id } } }`, { id: ticket.createTicket.ticket.id });
    const campaign = await a.client.query(`mutation { createCampaign(input: { name: "Spring", channel: EMAIL, startsAt: "2026-03-01T00:00:00Z" }) { campaign { id } } }`);
    for (const [c, kind] of [[p, 'SENT'], [q, 'SENT'], [q, 'OPENED'], [r, 'SENT']] as const) {
      await a.client.query(`mutation ($camp: ID!, $c: ID!, $kind: CampaignResponseKind!) { recordCampaignResponse(input: { campaignId: $camp, customerId: $c, kind: $kind, occurredAt: "2026-03-03T00:00:00Z" }) { campaignResponse { id } } }`, { camp: campaign.createCampaign.campaign.id, c, kind });
    }
    // A customer deleted with their orders and activities; an order moved to another month behind the API's back.
    await a.client.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: r });
    await t.database.prisma.$executeRawUnsafe(`UPDATE "Order" SET "orderedAt" = '2026-07-15T00:00:00Z' WHERE "workspaceId" = $1::uuid AND "orderRef" = 'A10'`, a.workspaceId);
    let rows = await report(a);
    expect(rows).toEqual(await liveReport(a));
    expect(monthTotal(rows, '2026-01', 'productCost')).toBe('154.08'); // p: 7.04 + 7.04; q: 200 × 0.7
    expect(rows.some((x) => x.month === '2026-07')).toBe(true);

    // A new margin and unit costs apply at once (the rollup is re-costed in the settings' transaction).
    await a.client.query(`mutation { updateAnalyticsSettings(input: { margin: 0.45, activityCost: 2.5, campaignContactCost: 1 }) { settings { margin } } }`);
    rows = await report(a);
    expect(rows).toEqual(await liveReport(a));
    expect(monthTotal(rows, '2026-01', 'productCost')).toBe('121.06'); // 5.53 + 5.53 + 110.00

    // Workspace B never moved.
    expect(await report(b)).toEqual(bBefore);
  });
});
