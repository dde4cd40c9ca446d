import { type BgNbdParameters, expectedPurchases, probabilityAlive, type PurchaseSummary } from './bg-nbd.js';
import { expectedOrderValue, type GammaGammaParameters, type SpendSummary } from './gamma-gamma.js';

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
  orderValue: number,
  settings: LifetimeValueSettings = defaultLifetimeValueSettings,
): number {
  return discountedPurchases(model, customer, settings).discounted * orderValue * settings.margin;
}

/** Expected purchases over the horizon, plain and discounted month by month. */
function discountedPurchases(model: BgNbdParameters, customer: PurchaseSummary, settings: LifetimeValueSettings) {
  let discounted = 0;
  let before = 0;
  for (let month = 1; month <= settings.horizonMonths; month++) {
    const cumulative = expectedPurchases(model, customer, month * WEEKS_PER_MONTH);
    discounted += (cumulative - before) / (1 + settings.monthlyDiscountRate) ** month;
    before = cumulative;
  }
  return { discounted, total: before };
}

/** Everything the models say about one customer. */
export interface CustomerForecast {
  probabilityAlive: number;
  /** Purchases expected over the settings' horizon. */
  expectedPurchases: number;
  expectedOrderValue: number;
  predictedLifetimeValue: number;
}

/**
 * The forecast for one customer. Without a usable spend model (no repeat buyer yet, or q ≤ 1) the order value is
 * the customer's own repeat mean if they have one, else `fallbackOrderValue` (e.g. the mean order value).
 */
export function forecastCustomer(
  model: BgNbdParameters,
  spend: GammaGammaParameters | null,
  customer: PurchaseSummary & SpendSummary,
  fallbackOrderValue: number,
  settings: LifetimeValueSettings = defaultLifetimeValueSettings,
): CustomerForecast {
  const modelled = spend && spend.q > 1 ? expectedOrderValue(spend, customer) : Number.NaN;
  const orderValue = Number.isFinite(modelled) ? modelled : customer.x > 0 && customer.meanValue > 0 ? customer.meanValue : fallbackOrderValue;
  const purchases = discountedPurchases(model, customer, settings);
  return {
    probabilityAlive: probabilityAlive(model, customer),
    expectedPurchases: purchases.total,
    expectedOrderValue: orderValue,
    predictedLifetimeValue: purchases.discounted * orderValue * settings.margin,
  };
}
