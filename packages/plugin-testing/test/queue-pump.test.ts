// A plugin queue's pump in one gateway (packages/plugin-sdk/src/host/queues.ts), on the embedded database: an idle
// queue looks again every `pollMs`, so a row made due without a wake is handled; `stop()` waits for the batches it
// claimed before it, which are handled, not left to their lease.
import { afterEach, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { tickerPlugin } from './fixtures/ticker/src/index.js';
import { addJobs, eventually, handlings, wake } from './queue-support.js';

let kit: PluginTestGateway | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

describe('the queue pump', () => {
  it('an idle queue looks again every pollMs: rows made due by SQL alone (new, or moved to now) are handled, with no wake', async () => {
    kit = await startPluginTestGateway({ plugins: [tickerPlugin({ pollMs: 50 }).plugin] });
    const [fresh] = await addJobs(kit, 1);
    await eventually(async () => expect((await handlings(kit!)).get(fresh!)).toEqual([1]));
    // A row waiting an hour (a wait step's due time) moved to now, as an operator would: the next poll finds it.
    const [waiting] = await addJobs(kit, 1, 3_600_000);
    await kit.database.sql.query(`UPDATE "TickerJob" SET "dueAt" = now() WHERE id = $1::uuid`, [waiting]);
    await eventually(async () => expect((await handlings(kit!)).get(waiting!)).toEqual([1]));
  });

  it('a batch under way does not stop the polling: a row made due meanwhile, with no wake, goes to a free worker', async () => {
    // A claim of one row is not full (no backlog claim follows it); the wake's claim takes the first row before a poll.
    const ticker = tickerPlugin({ pollMs: 400, workers: 2, batch: 4 });
    kit = await startPluginTestGateway({ plugins: [ticker.plugin] });
    ticker.probe.hold();
    let later: string | undefined;
    try {
      await addJobs(kit, 1);
      await wake(kit);
      await eventually(async () => expect(ticker.probe.active).toBe(1));
      // Due an hour from now, then moved to now by SQL alone (a wait's time come): only a poll can find it.
      [later] = await addJobs(kit, 1, 3_600_000);
      await kit.database.sql.query(`UPDATE "TickerJob" SET "dueAt" = now() WHERE id = $1::uuid`, [later]);
      await eventually(async () => expect(ticker.probe.active).toBe(2), 20_000);
    } finally {
      ticker.probe.open(); // a failed check must not leave the batch held (the gateway's close waits for it)
    }
    await eventually(async () => expect((await handlings(kit!)).get(later!)).toEqual([1]));
  });

  it('stop() waits for the batches in flight: every row claimed before it is handled once, none left to its lease', async () => {
    const ticker = tickerPlugin({ batch: 2, workers: 2 });
    kit = await startPluginTestGateway({ plugins: [ticker.plugin] });
    ticker.probe.hold();
    const jobs = await addJobs(kit, 4);
    await wake(kit);
    // Two full batches (the queue is behind after the first), both held in their handler.
    await eventually(async () => expect(ticker.probe.active).toBe(2));

    let stopped = false;
    const stopping = kit.gateway.plugins!.stop().then(() => (stopped = true));
    await kit.database.sql.query('SELECT 1'); // a round trip: time for a stop that did not wait to resolve
    expect(stopped).toBe(false);
    ticker.probe.open();
    await stopping;

    const handled = await handlings(kit);
    expect(jobs.map((id) => handled.get(id))).toEqual([[1], [1], [1], [1]]);
    expect(ticker.probe.batches).toBe(2);
  });
});
