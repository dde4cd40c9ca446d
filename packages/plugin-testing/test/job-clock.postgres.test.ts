// A job's `now` is the database's time (the host's job-lock statement's `statement_timestamp()`), not the gateway's
// clock: with this process's `Date` 30 minutes ahead of PostgreSQL's (a server with its own clock; timers stay real),
// a one-transaction job's context, a per-call job's run and each of its transactions get the database's time. An
// explicit `now` (`runJob(plugin, job, now)`) wins. Before, every one of them was the gateway's 30 minutes ahead.
import { definePlugin } from '@crm/plugin-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';

const SKEW_MS = 30 * 60_000;
const seen = { one: [] as Date[], run: [] as Date[], calls: [] as Date[] };
let workspaceId = '';
const clocked = definePlugin({
  id: 'clocked',
  version: '1.0.0',
  jobs: {
    once: {
      everyMs: 3_600_000,
      run: async ({ now, workspaceId: at }) => {
        if (at === workspaceId) seen.one.push(now);
      },
    },
    batches: {
      everyMs: 3_600_000,
      transaction: 'per-call',
      run: async (job) => {
        if (job.workspaceId !== workspaceId) return;
        for (let call = 0; call < 2; call++) {
          await job.transaction(async ({ now }) => {
            seen.calls.push(now);
            seen.run.push(job.now);
          });
        }
      },
    },
  },
});

let kit: PluginTestGateway;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [clocked], database: 'postgres' });
  ({ workspaceId } = await kit.createWorkspace('Clocked'));
}, 120_000);
afterEach(() => {
  vi.useRealTimers();
  for (const list of Object.values(seen)) list.length = 0;
});
afterAll(async () => {
  vi.useRealTimers();
  await kit?.close();
});

const databaseNow = async () => new Date((await kit.database.sql.query<{ now: Date }>('SELECT clock_timestamp() AS now'))[0]!.now).getTime();
/** This process's clock (the gateway's) 30 minutes ahead of the database's from here on, running. */
const skewAhead = () => {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  vi.setSystemTime(new Date(Date.now() + SKEW_MS));
};

describe('JobContext.now with the gateway’s clock 30 minutes ahead of the database’s', () => {
  it('is the database’s time: a one-transaction job’s, a per-call run’s and each of its calls’', async () => {
    const before = await databaseNow();
    skewAhead();
    await kit.gateway.plugins!.runJob('clocked', 'once');
    await kit.gateway.plugins!.runJob('clocked', 'batches');
    const after = await databaseNow();
    expect(seen.one).toHaveLength(1);
    expect(seen.calls).toHaveLength(2);
    for (const now of [...seen.one, ...seen.run, ...seen.calls]) {
      expect(now.getTime()).toBeGreaterThanOrEqual(before);
      expect(now.getTime()).toBeLessThanOrEqual(after);
    }
    // The run's time is its first call's; each call has its own (taken by its own lock statement).
    expect(seen.run.map((now) => now.getTime())).toEqual([seen.calls[0]!.getTime(), seen.calls[0]!.getTime()]);
    expect(seen.calls[1]!.getTime()).toBeGreaterThanOrEqual(seen.calls[0]!.getTime());
  });

  it('is the `now` a caller gives, when it gives one (tests)', async () => {
    const given = new Date('2031-05-06T07:08:09.000Z');
    skewAhead();
    await kit.gateway.plugins!.runJob('clocked', 'once', given);
    await kit.gateway.plugins!.runJob('clocked', 'batches', given);
    expect([...seen.one, ...seen.run, ...seen.calls].map((now) => now.toISOString())).toEqual(Array(5).fill(given.toISOString()));
  });
});
