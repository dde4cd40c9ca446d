// A schedule's first firing and the date scan's first mark by the database's clock: publishing or enabling a workflow
// counts them from the database's time of the workflow's lock (`lockedWorkflowAt`: the lock's `statement_timestamp()`,
// no statement more), as the jobs that fire them count theirs (job-clock.postgres.test.ts). With the gateway's clock 30
// minutes off (test/clock-skew.ts), each way: before, a clock ahead skipped the firings and dates of those 30 minutes
// after a publish; one behind fired a firing and dates of the 30 minutes before it at once.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseNow, SKEW_MS, skewedWorkspace, unskewClock } from './clock-skew.js';
import { CUSTOMER, ENABLE, PUBLISH, publishedWorkflow, rowIdOf, usePostgresGateway } from './support.js';

const DEAL = `mutation ($customerId: ID!, $title: String!, $at: DateTime) { createDeal(input: { title: $title, customerId: $customerId, expectedCloseAt: $at }) { deal { id } } }`;
const MINUTE = 60_000;

let kit: PluginTestGateway;
usePostgresGateway((started) => ({ kit } = started));
afterEach(unskewClock);

const workflowRow = async (id: string) =>
  (await kit.database.sql.query<{ nextFireAt: Date | null; scannedUntil: Date | null }>(`SELECT "nextFireAt", "scannedUntil" FROM "Workflow" WHERE id = $1::uuid`, [id]))[0]!;
const triggerIds = async (id: string) =>
  (await kit.database.sql.query<{ triggerId: string }>(`SELECT "triggerId" FROM "WorkflowRun" WHERE "workflowId" = $1::uuid`, [id])).map((run) => run.triggerId);
/** The database's times around `change` (a publish or an enable): its lock's time lies between them. */
async function between(change: () => Promise<unknown>): Promise<{ before: number; after: number }> {
  const before = await databaseNow(kit);
  await change();
  return { before, after: await databaseNow(kit) };
}

describe.each([
  ['ahead of', SKEW_MS],
  ['behind', -SKEW_MS],
])('with the gateway’s clock 30 minutes %s the database’s', (way, skew) => {
  it('a schedule published or enabled first fires at its first time after the database’s now, not the gateway’s', async () => {
    const admin: TestClient = await skewedWorkspace(kit, `Schedule ${way} ${Math.random()}`, skew);
    // Twice an hour: at the minute 10 minutes from now by the database's clock (the first firing: the test takes far
    // less) and at the one 15 minutes ago. A gateway ahead skipped the first (its first was 45 minutes on); one behind
    // took the one of 15 minutes ago, fired at once.
    const start = await databaseNow(kit);
    const firstFiring = Math.floor((start + 10 * MINUTE) / MINUTE) * MINUTE;
    const minutes = [firstFiring, start - 15 * MINUTE].map((at) => new Date(at).getUTCMinutes()).sort((a, b) => a - b);
    const definition = { trigger: { kind: 'schedule', cron: `${minutes.join(',')} * * * *`, timeZone: 'UTC' }, steps: [{ id: 'pause', kind: 'wait', for: { seconds: 0 } }] };
    // Published, then enabled (setWorkflowEnabled sets the first firing).
    const id = await publishedWorkflow(admin, `Twice an hour ${way}`, definition);
    const nextFireAt = async () => (await workflowRow(rowIdOf(id))).nextFireAt?.getTime();
    expect(await nextFireAt()).toBe(firstFiring);
    // Switched off and on again.
    await admin.query(ENABLE, { id, enabled: false });
    await admin.query(ENABLE, { id, enabled: true });
    expect(await nextFireAt()).toBe(firstFiring);
    // Published again while enabled (publishWorkflow sets it).
    await admin.query(PUBLISH, { id });
    expect(await nextFireAt()).toBe(firstFiring);

    // The schedule's job (the database's clock) finds nothing due: the first firing is minutes away.
    await kit.gateway.plugins!.runJob('workflows', 'fireSchedules');
    expect(await triggerIds(rowIdOf(id))).toEqual([]);
  });

  it('a date trigger published or enabled scans from the database’s now: no date before it fires, every one after it does', async () => {
    const admin: TestClient = await skewedWorkspace(kit, `Dates ${way} ${Math.random()}`, skew);
    const buyer = (await admin.query(CUSTOMER, { name: `Dana ${way}` })).createCustomer.customer.id as string;
    const deal = async (title: string, at: number) =>
      rowIdOf((await admin.query(DEAL, { customerId: buyer, title: `Publish ${way} ${title}`, at: new Date(at).toISOString() })).createDeal.deal.id as string);
    // Dated 10 minutes before the publish: never fires (a gateway behind scanned from 30 minutes back).
    const past = await deal('past', (await databaseNow(kit)) - 10 * MINUTE);
    // Dated 10 minutes after it, then moved to just after the publish: fires (a gateway ahead marked it scanned).
    const soon = await deal('soon', (await databaseNow(kit)) + 10 * MINUTE);
    const definition = { trigger: { kind: 'date', object: 'Deal', field: 'expectedCloseAt', condition: { title: { startsWith: `Publish ${way}` } } }, steps: [{ id: 'pause', kind: 'wait', for: { seconds: 0 } }] };
    let id = '';
    const published = await between(async () => {
      id = await publishedWorkflow(admin, `Close dates ${way}`, definition);
    });
    const expectMark = async (window: { before: number; after: number }) => {
      const mark = (await workflowRow(rowIdOf(id))).scannedUntil!.getTime();
      expect(mark).toBeGreaterThanOrEqual(window.before);
      expect(mark).toBeLessThanOrEqual(window.after);
    };
    await expectMark(published);
    // Switched off and on again: the mark is set again from the database's now.
    const enabled = await between(async () => {
      await admin.query(ENABLE, { id, enabled: false });
      await admin.query(ENABLE, { id, enabled: true });
    });
    await expectMark(enabled);

    await kit.database.sql.query(`UPDATE "Deal" SET "expectedCloseAt" = clock_timestamp() WHERE id = $1::uuid`, [soon]);
    await kit.gateway.plugins!.runJob('workflows', 'scanDates');
    const started = await triggerIds(rowIdOf(id));
    expect(started.filter((trigger) => trigger.startsWith(`date:${soon}:`))).toHaveLength(1);
    expect(started.filter((trigger) => trigger.startsWith(`date:${past}:`))).toEqual([]);
  });
});
