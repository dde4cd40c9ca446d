import { describe, expect, it } from 'vitest';
import { expectedOrderValue, fitGammaGamma, gammaGammaLogLikelihood } from './gamma-gamma.js';
import { simulateCustomers } from './simulate.js';

describe('Gamma-Gamma', () => {
  const cdnow = { p: 6.25, q: 3.74, gamma: 15.44 };
  it('shrinks a customer’s mean towards the population mean pγ/(q−1), less so with more transactions', () => {
    const population = (6.25 * 15.44) / 2.74;
    expect(expectedOrderValue(cdnow, { x: 0, meanValue: 0 })).toBeCloseTo(population, 10);
    const one = expectedOrderValue(cdnow, { x: 1, meanValue: 100 });
    const ten = expectedOrderValue(cdnow, { x: 10, meanValue: 100 });
    expect(one).toBeCloseTo((6.25 * (15.44 + 100)) / (6.25 + 2.74), 10);
    expect(one).toBeLessThan(ten);
    expect(ten).toBeLessThan(100);
  });
  it('recovers simulated spend parameters', () => {
    const truth = { p: 6, q: 4, gamma: 15 };
    const customers = simulateCustomers({ r: 1, alpha: 2, a: 0.5, b: 5 }, truth, { customers: 20_000, seed: 11 });
    const fit = fitGammaGamma(customers);
    expect(fit.converged).toBe(true);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(gammaGammaLogLikelihood(truth, customers.filter((c) => c.x > 0)));
    // p, q and γ trade off along a ridge; the population mean pγ/(q−1) is what the data pins down.
    expect(Math.abs((fit.p * fit.gamma) / (fit.q - 1) / ((truth.p * truth.gamma) / (truth.q - 1)) - 1)).toBeLessThan(0.05);
    expect(Math.abs(fit.p / truth.p - 1)).toBeLessThan(0.15);
    expect(Math.abs(fit.q / truth.q - 1)).toBeLessThan(0.25);
  });
});
