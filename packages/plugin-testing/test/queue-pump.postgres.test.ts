// A plugin queue's pump on PostgreSQL, its claims made visible by holding them: a lock on the queue's table (the
// ticker's handler writes another table) keeps every claim waiting in pg_stat_activity, where the test counts them.
// While the queue is behind (a claim came back full) claims overlap, one per free worker, up to `workers`; once it
// has caught up it makes one claim at a time however many wakes come; `stop()` waits for a claim in flight and has
// the rows it claimed handled.
import type { SqlSession } from '@crm/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { tickerPlugin } from './fixtures/ticker/src/index.js';
import { addJobs, eventually, handlings, wake } from './queue-support.js';

const ticker = tickerPlugin({ batch: 2, workers: 3 });
let kit: PluginTestGateway;
/** The lock the test holds, if any: released before the gateway closes (which waits for the claims it holds up). */
let lock: { release(): Promise<void> } | null = null;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [ticker.plugin], database: 'postgres' });
});
afterAll(async () => {
  await lock?.release();
  ticker.probe.open();
  await kit?.close();
});

/** The queue's claims waiting for the table's lock now. */
const waitingClaims = async () =>
  Number(
    (
      await kit.database.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE '%"TickerJob"%FOR UPDATE SKIP LOCKED%'`,
      )
    )[0]!.n,
  );

/** The queue's claims among `statements`. */
const claimsIn = (statements: readonly string[]) => statements.filter((q) => q.includes('FOR UPDATE SKIP LOCKED')).length;

/**
 * Holds `LOCK TABLE "TickerJob"` (claims wait; the handler's TickerDone writes do not) until `release()` (once). The
 * transaction is idle on purpose for as long as the test waits (up to `eventually`'s deadline, a minute), so the pool's
 * `idle_in_transaction_session_timeout` (the kit's 60 s) is lifted for it alone (`SET LOCAL`): on a loaded machine the
 * server would otherwise end the session, and release the lock, before the test's own deadline.
 */
async function lockQueueTable(): Promise<{ release(): Promise<void> }> {
  let held!: () => void;
  let done!: () => void;
  const locked = new Promise<void>((resolve) => (held = resolve));
  const released = new Promise<void>((resolve) => (done = resolve));
  const session = kit.database.sql.withSession(async (sql: SqlSession) => {
    await sql.query('BEGIN');
    await sql.query('SET LOCAL idle_in_transaction_session_timeout = 0');
    await sql.query('LOCK TABLE "TickerJob" IN EXCLUSIVE MODE');
    held();
    await released;
    await sql.query('COMMIT');
  });
  await Promise.race([locked, session]);
  const handle = {
    async release() {
      done();
      await session;
      lock = null;
    },
  };
  lock = handle;
  return handle;
}

describe('the queue pump’s claims (PostgreSQL)', () => {
  it('behind: claims overlap up to `workers`; caught up: one claim at a time; stop() waits for the claim in flight', async () => {
    // 6 rows fill the three workers' batches; the 7th is left for the claims made while the queue is behind.
    ticker.probe.hold();
    const jobs = await addJobs(kit, 7);
    await wake(kit);
    await eventually(async () => expect(ticker.probe.active).toBe(3));
    const claimed = async () => Number((await kit.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "TickerJob" WHERE claims > 0`))[0]!.n);
    expect(await claimed()).toBe(6);

    // Behind (every claim came back full): as the three batches end, a claim per free worker, all at once.
    const first = await lockQueueTable();
    await kit.sql.during(async () => {
      ticker.probe.open();
      await eventually(async () => expect(await waitingClaims()).toBe(3));
      await first.release();
      await eventually(async () => expect([...(await handlings(kit)).keys()].sort()).toEqual([...jobs].sort()));
      // One of the three took the 7th row, and its batch asked for one more claim, which found nothing: then the
      // queue is idle (its poll ten minutes away).
      await eventually(async () => expect(claimsIn(kit.sql.statements)).toBe(4));
    });
    expect([...(await handlings(kit)).values()]).toEqual(jobs.map(() => [1]));
    expect(ticker.probe.most).toBe(3);

    // Caught up: a row due, five wakes at once, one claim (its rows handled although stop() came while it waited).
    const [last] = await addJobs(kit, 1);
    const second = await lockQueueTable();
    let stopping: Promise<void> | undefined;
    const statements = await kit.sql.during(async () => {
      await wake(kit, 5);
      await eventually(async () => expect(await waitingClaims()).toBe(1));
      stopping = kit.gateway.plugins!.stop();
      await second.release();
      await stopping;
    });
    expect((await handlings(kit)).get(last!)).toEqual([1]);
    // The one claim: no other beside it (the queue was not behind), none after it (stopped).
    expect(claimsIn(statements)).toBe(1);
  });
});
