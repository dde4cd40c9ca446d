import { describe, expect, it } from 'vitest';
import { bgNbdLogLikelihood, expectedPurchases, fitBgNbd, probabilityAlive } from './bg-nbd.js';
import { simulateCustomers } from './simulate.js';

const cdnow = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

describe('BG/NBD with the published CDNOW parameters', () => {
  it('expects 1.226 purchases in 39 weeks from the paper’s example customer (x = 2, t_x = 30.43, T = 38.86)', () => {
    expect(expectedPurchases(cdnow, { x: 2, tx: 30.43, T: 38.86 }, 39)).toBeCloseTo(1.226, 3);
  });
  it('gives P(alive) = 1 without repeat purchases and less the longer a buyer has been silent', () => {
    expect(probabilityAlive(cdnow, { x: 0, tx: 0, T: 30 })).toBe(1);
    const recent = probabilityAlive(cdnow, { x: 4, tx: 30, T: 32 });
    const silent = probabilityAlive(cdnow, { x: 4, tx: 10, T: 32 });
    expect(recent).toBeGreaterThan(silent);
    expect(silent).toBeGreaterThan(0);
    expect(recent).toBeLessThan(1);
  });
  it('expects more purchases over a longer period, none over none', () => {
    const c = { x: 3, tx: 20, T: 30 };
    expect(expectedPurchases(cdnow, c, 0)).toBe(0);
    expect(expectedPurchases(cdnow, c, 10)).toBeLessThan(expectedPurchases(cdnow, c, 52));
  });
  it('works when a + b ≤ 1 (fits on little data) for a customer without repeat purchases', () => {
    // c = a + b + x − 1 ≤ 0 here: the log-space ₂F₁ does not apply (a refit on two buyers failed on it).
    const small = { r: 0.5, alpha: 2, a: 0.3, b: 0.4 };
    const none = { x: 0, tx: 0, T: 20 };
    const value = expectedPurchases(small, none, 52);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(0);
    // Continuous across c = 0: just above and just below a + b = 1 give nearly the same figure.
    const above = expectedPurchases({ ...small, b: 0.7 + 1e-6 }, none, 52);
    const below = expectedPurchases({ ...small, b: 0.7 - 1e-6 }, none, 52);
    expect(Math.abs(above - below)).toBeLessThan(1e-3 * above);
  });
  it('stays finite for a customer with hundreds of purchases', () => {
    const heavy = { x: 600, tx: 77, T: 78 };
    expect(Number.isFinite(expectedPurchases(cdnow, heavy, 52))).toBe(true);
    expect(expectedPurchases(cdnow, heavy, 52)).toBeGreaterThan(100);
    expect(Number.isFinite(bgNbdLogLikelihood(cdnow, [heavy]))).toBe(true);
  });
});

describe('fitting', () => {
  it('recovers the parameters customers were simulated from', () => {
    const truth = { r: 0.5, alpha: 6, a: 0.7, b: 2.5 };
    const customers = simulateCustomers(truth, { p: 6, q: 4, gamma: 15 }, { customers: 20_000, seed: 7 });
    const fit = fitBgNbd(customers);
    expect(fit.converged).toBe(true);
    // The maximum of the likelihood is at least as high as the truth's, and close to it.
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgNbdLogLikelihood(truth, customers));
    expect(fit.r).toBeCloseTo(truth.r, 1);
    expect(Math.abs(fit.alpha / truth.alpha - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.a / truth.a - 1)).toBeLessThan(0.15);
    expect(Math.abs(fit.b / truth.b - 1)).toBeLessThan(0.2);
  });
  it('refuses impossible summaries', () => {
    expect(() => fitBgNbd([])).toThrow(RangeError);
    expect(() => fitBgNbd([{ x: 1, tx: 5, T: 4 }])).toThrow(RangeError);
  });
});
