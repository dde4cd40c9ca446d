// The month-end snapshot job of the gateway: once a month is over, each workspace gets the month's segment snapshot
// from a fit as of its last day; the job is idempotent, a new instance (a restart) finds nothing left to do, a missed
// month is caught up, and the current model stays the newest calibration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonthEndSnapshots } from '../src/index.js';
import { createLogger } from '../src/logger.js';
import { startTestGateway, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

interface Snapshot {
  month: string;
  segment: string;
  customers: number;
  revenueToDate: string;
  monthRevenue: string;
  takenAt: string;
}

let t: TestGateway;
let ws: TestWorkspace;
let other: TestWorkspace;
const NOW = new Date('2026-05-10T12:00:00Z');
const SERIES = `{ reports { segmentSnapshots(from: "2025-01-01T00:00:00Z", to: "2026-12-31T00:00:00Z") { month segment customers revenueToDate monthRevenue takenAt } } }`;

beforeAll(async () => {
  t = await startTestGateway({ clvRefresh: false, monthEndSnapshots: { catchUpMonths: 3, now: () => NOW } });
  ws = await t.createWorkspace('Month end');
  other = await t.createWorkspace('Month end, other');
  const csv = [
    'customer,orderedAt,total',
    'a@m.test,2026-01-10,100.00', 'a@m.test,2026-02-10,50.00', 'a@m.test,2026-03-10,20.00', 'a@m.test,2026-04-30,10.00',
    'b@m.test,2026-01-15,200.00', 'b@m.test,2026-03-05,100.00',
    'c@m.test,2026-02-01,40.00', 'c@m.test,2026-02-28,60.00', 'c@m.test,2026-05-02,30.00',
    'd@m.test,2026-04-01,15.00',
  ].join('\n');
  await ws.client.query(`mutation ($csv: String!) { importOrders(input: { csv: $csv }) { imported } }`, { csv });
});
afterAll(async () => {
  await t?.close();
});

const series = async (w: TestWorkspace) => (await w.client.query<{ reports: { segmentSnapshots: Snapshot[] } }>(SERIES)).reports.segmentSnapshots;
const total = (rows: Snapshot[], month: string, pick: (r: Snapshot) => string | number) =>
  rows.filter((r) => r.month === month).reduce((sum, r) => sum + Number(pick(r)), 0);
/** Rows of Customer updated so far (the statistics collector's count, flushed first). */
async function customerUpdates(): Promise<number> {
  await t.database.sql.query('SELECT pg_stat_force_next_flush()');
  const [row] = await t.database.sql.query<{ n: string }>(`SELECT n_tup_upd::text AS n FROM pg_stat_user_tables WHERE relname = 'Customer'`);
  return Number(row!.n);
}
const currentModel = async () => (await ws.client.query(`{ clvModel { calibrationEnd } }`)).clvModel as { calibrationEnd: string } | null;

describe('month-end segment snapshots', () => {
  it('writes each closed month as of its last day, within the catch-up window, oldest first', async () => {
    // A fit as of today (May 10) is the current model before the job runs.
    await ws.client.query(`mutation { refreshClvModel(input: { asOf: "2026-05-10T00:00:00Z" }) { model { id } } }`);
    const job = t.gateway.monthEndSnapshots!;
    const updatesBefore = await customerUpdates();
    const written = await job.runOnce();
    // Only the refit as of today copies figures onto Customer: at most one write per customer (4), not one per month.
    expect((await customerUpdates()) - updatesBefore).toBeLessThanOrEqual(4);
    // Catch-up window: the 3 months before May. The other workspace has no orders: nothing to do there.
    expect(written).toEqual(['2026-02-01', '2026-03-01', '2026-04-01'].map((month) => ({ workspaceId: ws.workspaceId, month })));
    const rows = await series(ws);
    expect([...new Set(rows.map((r) => r.month))]).toEqual(['2026-02', '2026-03', '2026-04', '2026-05']);
    // As of Feb 28: a, b, c have bought 100 + 50 + 200 + 40 + 60 = 450; February's orders 150.
    expect(total(rows, '2026-02', (r) => r.customers)).toBe(3);
    expect(total(rows, '2026-02', (r) => r.revenueToDate)).toBeCloseTo(450, 2);
    expect(total(rows, '2026-02', (r) => r.monthRevenue)).toBeCloseTo(150, 2);
    // As of Mar 31: 570 to date, March 120. As of Apr 30 (the 30th's order included): d too; 595, April 25.
    expect(total(rows, '2026-03', (r) => r.revenueToDate)).toBeCloseTo(570, 2);
    expect(total(rows, '2026-03', (r) => r.monthRevenue)).toBeCloseTo(120, 2);
    expect(total(rows, '2026-04', (r) => r.customers)).toBe(4);
    expect(total(rows, '2026-04', (r) => r.revenueToDate)).toBeCloseTo(595, 2);
    expect(total(rows, '2026-04', (r) => r.monthRevenue)).toBeCloseTo(25, 2);
    // The current model was newer than April's end: it was fitted again as of today.
    expect((await currentModel())!.calibrationEnd).toBe('2026-05-10T00:00:00.000Z');
    expect(await series(other)).toEqual([]);
  });

  it('is idempotent and survives a restart; a missed month is caught up', async () => {
    const before = await series(ws);
    expect(await t.gateway.monthEndSnapshots!.runOnce()).toEqual([]);
    // A new instance (as after a restart) reads what is done from the database.
    const restarted = new MonthEndSnapshots({ runner: t.gateway.runner, prisma: t.database.prisma, logger: createLogger('error'), catchUpMonths: 3, now: () => NOW });
    expect(await restarted.runOnce()).toEqual([]);
    expect(await series(ws)).toEqual(before);

    // March's snapshot replaced by a mid-month fit (or never written): the next round writes it again as of Mar 31.
    // As of Mar 7: b's order of the 5th is in, a's of the 10th not: 550 to date.
    await ws.client.query(`mutation { refreshClvModel(input: { asOf: "2026-03-07T00:00:00Z" }) { model { id } } }`);
    expect(total(await series(ws), '2026-03', (r) => r.revenueToDate)).toBeCloseTo(550, 2);
    expect(await restarted.runOnce()).toEqual([{ workspaceId: ws.workspaceId, month: '2026-03-01' }]);
    const after = await series(ws);
    expect(total(after, '2026-03', (r) => r.revenueToDate)).toBeCloseTo(570, 2);
    expect(after.filter((r) => r.month !== '2026-03')).toEqual(before.filter((r) => r.month !== '2026-03'));
    // The model before that round (as of Mar 7) was older than March's end: March's fit is the current model now.
    expect((await currentModel())!.calibrationEnd).toBe('2026-03-31T00:00:00.000Z');
  });
});
