// The gateway's clock skewed from the database's, for the tests of due times (claims compare them with the database's
// `now()`): the gateway runs in the test's process on PostgreSQL (a server with its own clock), so faking this
// process's `Date` (only `Date`, running on: timers and `performance.now()` stay real) skews the gateway's clock alone.
// The in-process gateway's rate limiter counts its windows by the same clock and refuses an API key's requests once it
// is set back: a key used under a skew ahead is not used after it (a workspace of its own, `skewedWorkspace`), and one
// used before a skew behind is not used during it.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { vi } from 'vitest';

export const SKEW_MS = 30 * 60_000;

/** The gateway's (this process's) clock `by` ms off the database's from here on (negative: behind), running. */
export function skewClock(by: number): void {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  vi.setSystemTime(new Date(Date.now() + by));
}

/** The real clock back (after each test: `afterEach(unskewClock)`). */
export const unskewClock = () => {
  vi.useRealTimers();
};

/** The clock `by` ms off, and a workspace of its own (an API key first used under it): its ADMIN client. */
export async function skewedWorkspace(kit: PluginTestGateway, name: string, by: number): Promise<TestClient> {
  skewClock(by);
  return (await kit.createWorkspace(name)).client;
}

/** The database's time now, in ms. */
export const databaseNow = async (kit: PluginTestGateway) => new Date((await kit.database.sql.query<{ now: Date }>('SELECT clock_timestamp() AS now'))[0]!.now).getTime();
