// The lifetime-value maths runs in a worker thread (fitClvModel awaits it there), so a server's event loop is free
// during a fit. Checked against the same fit in this thread: same parameters and forecasts, another thread.
import { type ClvFitJob, defaultLifetimeValueSettings, fitClv, fitClvInWorker, simulateCustomers } from '@crm/analytics';
import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

function job(customers: number): ClvFitJob {
  const simulated = simulateCustomers({ r: 0.8, alpha: 12, a: 0.7, b: 2.5 }, { p: 6, q: 4, gamma: 60 }, { customers, seed: 7, maxAge: 52 });
  return {
    x: Float64Array.from(simulated, (c) => c.x),
    tx: Float64Array.from(simulated, (c) => c.tx),
    T: Float64Array.from(simulated, (c) => c.T),
    meanValue: Float64Array.from(simulated, (c) => c.meanValue),
    fallbackOrderValue: 50,
    settings: defaultLifetimeValueSettings,
  };
}

describe('fitClvInWorker', () => {
  it('fits in another thread and gets what the same fit gets here', async () => {
    const here = fitClv(job(3000), threadId);
    const there = await fitClvInWorker(job(3000));
    expect(there.threadId).not.toBe(threadId);
    expect(there.bg).toEqual(here.bg);
    expect(there.spend).toEqual(here.spend);
    expect(there.predictedLifetimeValue).toEqual(here.predictedLifetimeValue);
    expect(there.probabilityAlive).toEqual(here.probabilityAlive);
    expect(there.probabilityAlive.length).toBe(3000);
  });

  it("rejects with the worker's error", async () => {
    const empty = { ...job(1), x: new Float64Array(0), tx: new Float64Array(0), T: new Float64Array(0), meanValue: new Float64Array(0) };
    await expect(fitClvInWorker(empty)).rejects.toThrow(/at least one customer/);
  });
});
