// Schedules and the date scan by the database's clock: their jobs' `now` is the database's time (the SDK's job-lock
// statement's `statement_timestamp()`), so a firing due at a time by the database's clock fires at it, and the date
// scan's window ends at the database's time. With the gateway's clock 30 minutes off (test/clock-skew.ts), each way:
// before, a clock ahead fired schedules and dates 30 minutes early and wrote `scannedUntil` 30 minutes into the
// database's future; one behind fired them 30 minutes late. The workflows are published with the real clock and
// their due times set by SQL: under the skew the test only runs the jobs (clock-skew.ts: the rate limiter).
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseNow, SKEW_MS, skewClock, unskewClock } from './clock-skew.js';
import { CUSTOMER, publishedWorkflow, rowIdOf, usePostgresGateway } from './support.js';

const DEAL = `mutation ($customerId: ID!, $title: String!, $at: DateTime) { createDeal(input: { title: $title, customerId: $customerId, expectedCloseAt: $at }) { deal { id } } }`;
const MINUTE = 60_000;

let kit: PluginTestGateway;
let admin: TestClient;
usePostgresGateway((started) => ({ kit, admin } = started));
afterEach(unskewClock);

const execute = (sql: string, ...values: unknown[]) => kit.database.prisma.$executeRawUnsafe(sql, ...values);
const workflowRow = async (id: string) =>
  (await kit.database.sql.query<{ nextFireAt: Date | null; scannedUntil: Date | null }>(`SELECT "nextFireAt", "scannedUntil" FROM "Workflow" WHERE id = $1::uuid`, [id]))[0]!;
const triggerIds = async (id: string) =>
  (await kit.database.sql.query<{ triggerId: string }>(`SELECT "triggerId" FROM "WorkflowRun" WHERE "workflowId" = $1::uuid`, [id])).map((run) => run.triggerId);
/** Runs the job with the gateway's clock `skew` ms off the database's, and the clock back. */
async function runSkewed(job: string, skew: number): Promise<void> {
  skewClock(skew);
  try {
    await kit.gateway.plugins!.runJob('workflows', job);
  } finally {
    unskewClock();
  }
}

describe.each([
  ['ahead of', SKEW_MS],
  ['behind', -SKEW_MS],
])('with the gateway’s clock 30 minutes %s the database’s', (way, skew) => {
  it('a schedule due by the database’s clock fires then, not before; its next firing counts from the database’s time', async () => {
    const id = rowIdOf(
      await publishedWorkflow(admin, `Every minute ${way}`, { trigger: { kind: 'schedule', cron: '* * * * *', timeZone: 'UTC' }, steps: [{ id: 'pause', kind: 'wait', for: { seconds: 0 } }] }),
    );
    // Due 10 minutes from now by the database's clock: not yet (a gateway ahead fired it).
    const later = new Date((await databaseNow(kit)) + 10 * MINUTE);
    await execute(`UPDATE "Workflow" SET "nextFireAt" = $1::timestamptz WHERE id = $2::uuid`, later.toISOString(), id);
    await runSkewed('fireSchedules', skew);
    expect(await triggerIds(id)).toEqual([]);
    expect((await workflowRow(id)).nextFireAt?.getTime()).toBe(later.getTime());

    // Due a second ago: it fires now (a gateway behind waited 30 minutes), and the next minute follows the database's now.
    const due = new Date((await databaseNow(kit)) - 1000);
    await execute(`UPDATE "Workflow" SET "nextFireAt" = $1::timestamptz WHERE id = $2::uuid`, due.toISOString(), id);
    const before = await databaseNow(kit);
    await runSkewed('fireSchedules', skew);
    const after = await databaseNow(kit);
    expect(await triggerIds(id)).toEqual([`schedule:${due.toISOString()}`]);
    const next = (await workflowRow(id)).nextFireAt!.getTime();
    expect(next).toBeGreaterThan(before);
    expect(next).toBeLessThanOrEqual(after + MINUTE);
  });

  it('the date scan starts the dates reached by the database’s clock, and its scannedUntil is never in its future', async () => {
    const id = rowIdOf(
      await publishedWorkflow(admin, `Close dates ${way}`, {
        trigger: { kind: 'date', object: 'Deal', field: 'expectedCloseAt', condition: { title: { startsWith: `Skew ${way}` } } },
        steps: [{ id: 'pause', kind: 'wait', for: { seconds: 0 } }],
      }),
    );
    const buyer = (await admin.query(CUSTOMER, { name: `Dana ${way}` })).createCustomer.customer.id as string;
    const start = await databaseNow(kit);
    const deal = async (title: string, at: number) =>
      rowIdOf((await admin.query(DEAL, { customerId: buyer, title: `Skew ${way} ${title}`, at: new Date(at).toISOString() })).createDeal.deal.id as string);
    const reached = await deal('reached', start - MINUTE);
    const ahead = await deal('ahead', start + 10 * MINUTE);
    // Scanned until 5 minutes ago: the window to scan reaches the first deal's date, not the second's.
    await execute(`UPDATE "Workflow" SET "scannedUntil" = $1::timestamptz WHERE id = $2::uuid`, new Date(start - 5 * MINUTE).toISOString(), id);

    const before = await databaseNow(kit);
    await runSkewed('scanDates', skew);
    const after = await databaseNow(kit);
    const started = await triggerIds(id);
    expect(started.filter((trigger) => trigger.startsWith(`date:${reached}:`))).toHaveLength(1);
    expect(started.filter((trigger) => trigger.startsWith(`date:${ahead}:`))).toEqual([]);
    const scannedUntil = (await workflowRow(id)).scannedUntil!.getTime();
    expect(scannedUntil).toBeGreaterThanOrEqual(before);
    expect(scannedUntil).toBeLessThanOrEqual(after);
  });
});
