import { type BgNbdParameters, expectedPurchases, type PurchaseSummary } from './bg-nbd.js';

/** Weeks in an average month (365.25 days / 12 / 7): the models count time in weeks, CLV discounts per month. */
export const WEEKS_PER_MONTH = 365.25 / 12 / 7;

export interface LifetimeValueSettings {
  /** Months ahead the value is counted over. @default 12 */
  horizonMonths: number;
  /** Discount rate per month (0.01 = 1 % a month, ~12.7 % a year). @default 0.01 */
  monthlyDiscountRate: number;
  /** Share of revenue kept as profit (0–1). @default 0.3 */
  margin: number;
}

export const defaultLifetimeValueSettings: Readonly<LifetimeValueSettings> = { horizonMonths: 12, monthlyDiscountRate: 0.01, margin: 0.3 };

/**
 * Predicted (residual) lifetime value over the horizon: the purchases the BG/NBD model expects in each month, times
 * the expected order value and the margin, each month discounted to today:
 * Σ_{i=1..H} margin · E[value] · (E[Y(i months)] − E[Y(i−1 months)]) / (1 + d)^i.
 */
export function predictedLifetimeValue(
  model: BgNbdParameters,
  customer: PurchaseSummary,
  expectedOrderValue: number,
  settings: LifetimeValueSettings = defaultLifetimeValueSettings,
): number {
  let value = 0;
  let before = 0;
  for (let month = 1; month <= settings.horizonMonths; month++) {
    const cumulative = expectedPurchases(model, customer, month * WEEKS_PER_MONTH);
    value += (cumulative - before) / (1 + settings.monthlyDiscountRate) ** month;
    before = cumulative;
  }
  return value * expectedOrderValue * settings.margin;
}
