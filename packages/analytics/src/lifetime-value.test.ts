import { describe, expect, it } from 'vitest';
import { expectedPurchases } from './bg-nbd.js';
import { forecastCustomer, predictedLifetimeValue, WEEKS_PER_MONTH } from './lifetime-value.js';
import { quintileScore, rfmSegment } from './rfm.js';
import { summarizeTransactions } from './summarize.js';

const model = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const customer = { x: 3, tx: 25, T: 30 };

describe('predicted lifetime value', () => {
  it('without discounting is margin × order value × purchases expected over the horizon', () => {
    const value = predictedLifetimeValue(model, customer, 40, { horizonMonths: 12, monthlyDiscountRate: 0, margin: 0.25 });
    expect(value).toBeCloseTo(0.25 * 40 * expectedPurchases(model, customer, 12 * WEEKS_PER_MONTH), 10);
  });
  it('discounting lowers it', () => {
    const plain = predictedLifetimeValue(model, customer, 40, { horizonMonths: 24, monthlyDiscountRate: 0, margin: 1 });
    const discounted = predictedLifetimeValue(model, customer, 40, { horizonMonths: 24, monthlyDiscountRate: 0.02, margin: 1 });
    expect(discounted).toBeLessThan(plain);
    expect(discounted).toBeGreaterThan(plain / 1.02 ** 24);
  });
});

describe('RFM', () => {
  it('scores quintiles from percent ranks, ties at the bottom', () => {
    expect([0, 0.19, 0.2, 0.5, 0.79, 0.8, 1].map(quintileScore)).toEqual([1, 1, 2, 3, 4, 5, 5]);
  });
  it('names segments on the recency × frequency grid', () => {
    expect(rfmSegment(5, 5)).toBe('Champions');
    expect(rfmSegment(3, 4)).toBe('Loyal');
    expect(rfmSegment(5, 1)).toBe('New');
    expect(rfmSegment(4, 2)).toBe('Potential loyalist');
    expect(rfmSegment(2, 3)).toBe('At risk');
    expect(rfmSegment(1, 5)).toBe("Can't lose them");
    expect(rfmSegment(2, 1)).toBe('Hibernating');
    expect(rfmSegment(1, 1)).toBe('Lost');
    for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) expect(() => rfmSegment(r, f)).not.toThrow();
    expect(() => rfmSegment(0, 3)).toThrow(RangeError);
  });
});

describe('summarising transactions', () => {
  it('counts a day once, in weeks, leaving out the first purchase from the mean and later purchases entirely', () => {
    const at = (day: string) => new Date(`${day}T12:00:00Z`);
    const rows = [
      { customer: 'a', at: at('2026-01-01'), value: 10 },
      { customer: 'a', at: at('2026-01-15'), value: 20 },
      { customer: 'a', at: at('2026-01-15'), value: 5 },
      { customer: 'a', at: at('2026-01-29'), value: 35 },
      { customer: 'a', at: at('2026-03-01'), value: 999 },
      { customer: 'b', at: at('2026-02-12'), value: 7 },
    ];
    const summary = summarizeTransactions(rows, new Date('2026-02-26T00:00:00Z'));
    expect(summary).toEqual([
      { customer: 'a', x: 2, tx: 4, T: 8, meanValue: 30 },
      { customer: 'b', x: 0, tx: 0, T: 2, meanValue: 0 },
    ]);
  });
});

describe('forecastCustomer', () => {
  const spend = { p: 6.25, q: 3.74, gamma: 15.44 };
  const settings = { horizonMonths: 12, monthlyDiscountRate: 0.01, margin: 0.3 };
  it('combines P(alive), expected purchases, the spend model and the CLV sum', () => {
    const c = { x: 3, tx: 25, T: 30, meanValue: 50 };
    const forecast = forecastCustomer(model, spend, c, 10, settings);
    expect(forecast.expectedPurchases).toBeCloseTo(expectedPurchases(model, c, 12 * WEEKS_PER_MONTH), 12);
    expect(forecast.expectedOrderValue).toBeCloseTo((6.25 * (15.44 + 150)) / (6.25 * 3 + 2.74), 12);
    expect(forecast.predictedLifetimeValue).toBeCloseTo(predictedLifetimeValue(model, c, forecast.expectedOrderValue, settings), 12);
    expect(forecast.probabilityAlive).toBeGreaterThan(0);
  });
  it('falls back to the customer’s own mean, then to the given value, without a spend model', () => {
    expect(forecastCustomer(model, null, { x: 2, tx: 5, T: 9, meanValue: 42 }, 10, settings).expectedOrderValue).toBe(42);
    expect(forecastCustomer(model, null, { x: 0, tx: 0, T: 9, meanValue: 0 }, 10, settings).expectedOrderValue).toBe(10);
  });
});
