// Monthly segment snapshots: written by each fit for the month of its calibration end, one row per segment and
// month, replaced by a later fit of the same month; the series query returns them oldest first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

let t: TestGateway;
let ws: TestWorkspace;
beforeAll(async () => {
  t = await startTestGateway();
  ws = await t.createWorkspace('Snapshots');
  const csv = [
    'customer,orderedAt,total',
    'a@s.test,2026-01-10,100.00', 'a@s.test,2026-02-10,50.00', 'a@s.test,2026-03-10,20.00',
    'b@s.test,2026-01-15,200.00', 'b@s.test,2026-03-05,100.00',
    'c@s.test,2026-02-01,40.00', 'c@s.test,2026-02-20,60.00',
    'd@s.test,2026-01-20,10.00',
    'e@s.test,2026-03-20,300.00',
  ].join('\n');
  await ws.client.query(`mutation ($csv: String!) { importOrders(input: { csv: $csv }) { imported } }`, { csv });
});
afterAll(async () => {
  await t?.close();
});

const FIT = `mutation ($asOf: DateTime!) { refreshClvModel(input: { asOf: $asOf }) { model { id } } }`;
const SERIES = `query ($segments: [RfmSegment!]) { reports { segmentSnapshots(from: "2026-01-01T00:00:00Z", to: "2026-03-31T00:00:00Z", segments: $segments) {
  month segment customers equity averageProbabilityAlive revenueToDate profitToDate monthRevenue monthProfit takenAt } } }`;

interface Snapshot {
  month: string;
  segment: string;
  customers: number;
  equity: string;
  revenueToDate: string;
  monthRevenue: string;
  monthProfit: string;
  takenAt: string;
}
const series = async (segments?: string[]) => (await ws.client.query<{ reports: { segmentSnapshots: Snapshot[] } }>(SERIES, { segments })).reports.segmentSnapshots;
const sum = (rows: Snapshot[], pick: (r: Snapshot) => string | number) => rows.reduce((total, r) => total + Number(pick(r)), 0);
const month = (rows: Snapshot[], m: string) => rows.filter((r) => r.month === m);

describe('monthly segment snapshots', () => {
  it('a fit writes its month; months compare; a later fit of the month replaces it', async () => {
    await ws.client.query(FIT, { asOf: '2026-02-28T00:00:00Z' });
    await ws.client.query(FIT, { asOf: '2026-03-31T00:00:00Z' });
    let rows = await series();
    expect([...new Set(rows.map((r) => r.month))]).toEqual(['2026-02', '2026-03']);
    // February: a, b, c, d have bought (460.00 so far); February's orders 50 + 40 + 60, profit at the 0.3 margin.
    const feb = month(rows, '2026-02');
    expect(sum(feb, (r) => r.customers)).toBe(4);
    expect(sum(feb, (r) => r.revenueToDate)).toBeCloseTo(460, 2);
    expect(sum(feb, (r) => r.monthRevenue)).toBeCloseTo(150, 2);
    expect(sum(feb, (r) => r.monthProfit)).toBeCloseTo(45, 2);
    // March (to Mar 31): e too; 880.00 so far; March's orders 20 + 100 + 300.
    const march = month(rows, '2026-03');
    expect(sum(march, (r) => r.customers)).toBe(5);
    expect(sum(march, (r) => r.revenueToDate)).toBeCloseTo(880, 2);
    expect(sum(march, (r) => r.monthRevenue)).toBeCloseTo(420, 2);
    expect(sum(march, (r) => r.monthProfit)).toBeCloseTo(126, 2);
    // The March rows are the current scores grouped by segment.
    const customers = (await ws.client.query(`{ customers(first: 10) { edges { node { analytics { predictedLifetimeValue rfm { segmentName } } } } } }`)).customers.edges;
    const equity = new Map<string, number>();
    for (const { node } of customers) equity.set(node.analytics.rfm.segmentName, (equity.get(node.analytics.rfm.segmentName) ?? 0) + Number(node.analytics.predictedLifetimeValue));
    expect(new Map(march.map((r) => [r.segment, Number(r.equity)]))).toEqual(equity);

    // Again for March, as of the 15th: the month's rows are replaced (e has not bought yet), February stays.
    await ws.client.query(FIT, { asOf: '2026-03-15T00:00:00Z' });
    rows = await series();
    expect(month(rows, '2026-02')).toEqual(feb);
    const replaced = month(rows, '2026-03');
    expect(sum(replaced, (r) => r.customers)).toBe(4);
    expect(sum(replaced, (r) => r.revenueToDate)).toBeCloseTo(580, 2);
    expect(sum(replaced, (r) => r.monthRevenue)).toBeCloseTo(120, 2);
    expect(new Set(replaced.map((r) => r.segment)).size).toBe(replaced.length);
  });

  it('filters by segment, and another workspace sees none of it', async () => {
    const rows = await series();
    const one = rows[0]!.segment;
    // The enum value of a segment's display name ("Potential loyalist" → POTENTIAL_LOYALIST).
    const value = one.toUpperCase().replace(/[^A-Z]+/g, '_').replace(/^CAN_T/, 'CANT');
    const filtered = await series([value]);
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered).toEqual(rows.filter((r) => r.segment === one));
    const other = (await t.workspace.client.query(SERIES, {})).reports.segmentSnapshots;
    expect(other).toEqual([]);
  });
});
