// A schedule's cron is read in its time zone: `0 9 * * *` fires at 09:00 in New York (13:00 UTC in summer, 14:00 in
// winter) and at 09:00 UTC in UTC. The clock is the job's `now` (runJob), so the firing instants are exact, with no sleep.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishedRuns, publishedWorkflow, startTwoWorkspaces } from './support.js';

const NEXT = `query ($id: ID!) { workflow(id: $id) { nextFireAt } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  ({ kit, admin } = await startTwoWorkspaces('Schedules, other'));
});
afterAll(async () => {
  await kit?.close();
});

const daily = (timeZone: string) => ({ trigger: { kind: 'schedule', cron: '0 9 * * *', timeZone }, steps: [{ id: 'pause', kind: 'wait', for: { seconds: 0 } }] });
const nextFireAt = async (id: string) => (await admin.query(NEXT, { id })).workflow.nextFireAt as string;
const fireAt = (now: string) => kit.gateway.plugins!.runJob('workflows', 'fireSchedules', new Date(now));

describe('a schedule in a time zone', () => {
  it('fires at 09:00 where it is read: New York in summer and winter, and UTC', async () => {
    const newYork = await publishedWorkflow(admin, 'Nine in New York', daily('America/New_York'));
    const utc = await publishedWorkflow(admin, 'Nine in UTC', daily('UTC'));
    // Published now: the next 09:00 in each zone after the real clock (a whole hour apart from each other).
    const [nyFirst, utcFirst] = [await nextFireAt(newYork), await nextFireAt(utc)];
    const hourIn = (iso: string, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
    expect(hourIn(nyFirst, 'America/New_York')).toBe('09:00');
    expect(hourIn(utcFirst, 'UTC')).toBe('09:00');

    // Days of next year: after the first firings (within a day of now) whenever the test runs.
    const year = new Date().getUTCFullYear() + 1;
    const summer = `${year}-07-01`;
    const winter = `${year}-12-01`;
    // The job at noon UTC on a summer day: both are due (their first firing is past), each runs once, and the next
    // firing is 09:00 EDT that day (13:00 UTC, still ahead) and 09:00 UTC the day after (already past that day).
    await fireAt(`${summer}T12:00:00Z`);
    expect(await nextFireAt(newYork)).toBe(`${summer}T13:00:00.000Z`);
    expect(await nextFireAt(utc)).toBe(`${year}-07-02T09:00:00.000Z`);
    // In winter New York is UTC-5: 09:00 there is 14:00 UTC.
    await fireAt(`${winter}T12:00:00Z`);
    expect(await nextFireAt(newYork)).toBe(`${winter}T14:00:00.000Z`);
    expect(await nextFireAt(utc)).toBe(`${year}-12-02T09:00:00.000Z`);

    const nyRuns = await finishedRuns(kit, admin, newYork, 2);
    expect(nyRuns.map((r) => r.triggerId).sort()).toEqual([`schedule:${nyFirst}`, `schedule:${summer}T13:00:00.000Z`]);
    const utcRuns = await finishedRuns(kit, admin, utc, 2);
    expect(utcRuns.map((r) => r.triggerId).sort()).toEqual([`schedule:${utcFirst}`, `schedule:${year}-07-02T09:00:00.000Z`]);
  });
});
