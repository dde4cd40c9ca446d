import { describe, expect, it } from 'vitest';
import { hypergeometric2F1, logAddExp, logBeta, logGamma, logHypergeometric2F1, logSumExp } from './special-functions.js';

describe('log-gamma and log-beta', () => {
  it('match known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(2)).toBeCloseTo(0, 14);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(100)).toBeCloseTo(359.13420536957540, 10); // ln 99!
    expect(logGamma(0.1)).toBeCloseTo(2.2527126517342059, 12);
    expect(logGamma(1e-8)).toBeCloseTo(18.420680738180209, 8);
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 13);
    expect(logBeta(0.5, 0.5)).toBeCloseTo(Math.log(Math.PI), 13);
  });
});

describe('log-sum-exp', () => {
  it('does not overflow or underflow', () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp([-1000, -1000, -1000])).toBeCloseTo(-1000 + Math.log(3), 12);
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logAddExp(0, 0)).toBeCloseTo(Math.LN2, 14);
    expect(logSumExp([])).toBe(-Infinity);
  });
});

describe('Gauss hypergeometric 2F1', () => {
  const f = (a: number, b: number, c: number, z: number) => Math.exp(logHypergeometric2F1(a, b, c, z));
  it('matches closed forms', () => {
    for (const z of [0.01, 0.3, 0.7, 0.95, 0.999]) {
      expect(f(1, 1, 2, z)).toBeCloseTo(-Math.log(1 - z) / z, 10);
      expect(f(2.5, 3, 3, z) / (1 - z) ** -2.5).toBeCloseTo(1, 10);
    }
    for (const s of [0.2, 0.6, 0.9]) expect(f(0.5, 0.5, 1.5, s * s)).toBeCloseTo(Math.asin(s) / s, 11);
    expect(logHypergeometric2F1(1.3, 2.2, 0.7, 0)).toBe(0);
  });
  it('stays finite in log space where the function overflows a double', () => {
    // 2F1(a, c; c; z) = (1 − z)^(−a): here e^1198, beyond Number.MAX_VALUE.
    expect(logHypergeometric2F1(400, 500, 500, 0.95)).toBeCloseTo(-400 * Math.log(0.05), 8);
  });
  it('refuses arguments outside its series', () => {
    expect(() => logHypergeometric2F1(1, 1, 2, 1)).toThrow(RangeError);
    expect(() => logHypergeometric2F1(-1, 1, 2, 0.5)).toThrow(RangeError);
  });
});

describe('₂F₁ with signed terms (c ≤ 0)', () => {
  it('matches closed forms, for negative c too', () => {
    // ₂F₁(a, b; b; z) = (1 − z)^−a whatever b is (but 0, −1, −2, …).
    expect(hypergeometric2F1(1.2, -0.5, -0.5, 0.3)).toBeCloseTo(0.7 ** -1.2, 12);
    expect(hypergeometric2F1(0.4, -1.7, -1.7, 0.9)).toBeCloseTo(0.1 ** -0.4, 10);
    // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z, and the log-space version agrees where both apply.
    expect(hypergeometric2F1(1, 1, 2, 0.5)).toBeCloseTo(-Math.log(0.5) / 0.5, 13);
    expect(Math.log(hypergeometric2F1(1.3, 2.2, 0.7, 0.6))).toBeCloseTo(logHypergeometric2F1(1.3, 2.2, 0.7, 0.6), 11);
  });
  it('refuses c = 0, −1, −2, … (poles)', () => {
    expect(() => hypergeometric2F1(1, 1, -2, 0.5)).toThrow(RangeError);
  });
});

