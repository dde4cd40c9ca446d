// A queue handler's `ctx.report(error)` (packages/plugin-sdk/src/host/queues.ts) reaches the host's queue error report
// — the gateway's log, `plugin queue failed`, as its `onError` gets it: {plugin, queue, item} — naming the item(s) it is
// about. Before, one context served a workspace's whole claim: a report from a batch named every claimed id, and so did
// one from a lone item's `handle`. Now a batch's report names the ids it is given (`report(error, id)`), else the batch's;
// a lone item's names that item.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { tickerPlugin } from './fixtures/ticker/src/index.js';
import { addJobs, eventually, handlings, wake } from './queue-support.js';

let kit: PluginTestGateway | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

/** The gateway's `plugin queue failed` log lines (JSON on stderr) written while `work` runs. */
async function queueReports(work: () => Promise<void>): Promise<{ plugin: string; queue: string; item: string; error: string }[]> {
  const write = vi.spyOn(process.stderr, 'write');
  try {
    await work();
    return write.mock.calls
      .flatMap(([chunk]) => String(chunk).split('\n'))
      .filter((line) => line.includes('"plugin queue failed"'))
      .map((line) => JSON.parse(line) as { plugin: string; queue: string; item: string; error: string });
  } finally {
    write.mockRestore();
  }
}

describe("a queue handler's ctx.report", () => {
  it('from a batch: reaches onError with the plugin, the queue and the item it names', async () => {
    const ticker = tickerPlugin({ batch: 2 });
    ticker.probe.reports = true;
    kit = await startPluginTestGateway({ plugins: [ticker.plugin] });
    const jobs = await addJobs(kit, 2);
    const reports = await queueReports(async () => {
      await wake(kit!);
      await eventually(async () => expect([...(await handlings(kit!)).keys()].sort()).toEqual([...jobs].sort()));
    });
    expect(ticker.probe.batches).toBe(1);
    expect(reports.map(({ plugin, queue }) => ({ plugin, queue }))).toEqual([{ plugin: 'ticker', queue: 'ticks' }]);
    // The batch's first item alone (before: both ids, comma-separated).
    expect(jobs).toContain(reports[0]!.item);
    expect(JSON.stringify(reports[0])).toContain('ticker got over an error (2 claimed)');
  });

  it('from a lone item (a queue without handleBatch): names that item, not the others claimed with it', async () => {
    const ticker = tickerPlugin({ batch: 2, lone: true });
    ticker.probe.reports = true;
    kit = await startPluginTestGateway({ plugins: [ticker.plugin] });
    const jobs = await addJobs(kit, 2);
    const reports = await queueReports(async () => {
      await wake(kit!);
      await eventually(async () => expect([...(await handlings(kit!)).keys()].sort()).toEqual([...jobs].sort()));
    });
    expect(reports.map(({ plugin, queue, item }) => ({ plugin, queue, item })).sort((a, b) => a.item.localeCompare(b.item))).toEqual(
      [...jobs].sort().map((item) => ({ plugin: 'ticker', queue: 'ticks', item })),
    );
  });

  it('from a batch about no item (an empty list): names the batch, not an empty item', async () => {
    const ticker = tickerPlugin({ batch: 2 });
    ticker.probe.reports = true;
    ticker.probe.reportsAboutNone = true;
    kit = await startPluginTestGateway({ plugins: [ticker.plugin] });
    const jobs = await addJobs(kit, 2);
    const reports = await queueReports(async () => {
      await wake(kit!);
      await eventually(async () => expect([...(await handlings(kit!)).keys()].sort()).toEqual([...jobs].sort()));
    });
    // Before: `item: ""`.
    expect(reports.map(({ item }) => item.split(',').sort())).toEqual([[...jobs].sort()]);
  });
});
