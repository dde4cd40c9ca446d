import type { BgNbdParameters, PurchaseSummary } from './bg-nbd.js';
import type { GammaGammaParameters, SpendSummary } from './gamma-gamma.js';
import { SeededRandom } from './random.js';

export interface SimulatedCustomer extends PurchaseSummary, SpendSummary {}

/** One simulated customer's purchases: `at` in weeks after the first purchase (whole days), observed for T weeks. */
export interface SimulatedHistory {
  T: number;
  purchases: { at: number; value: number }[];
}

export interface SimulationOptions {
  customers: number;
  /** Ages T are drawn uniformly from [minAge, maxAge] weeks (in whole days, as recorded). @default 26, 78 */
  minAge?: number;
  maxAge?: number;
  seed?: number;
}

/**
 * Purchase histories drawn from the models' own story: a purchase at time 0, repeat purchases at rate
 * λ ~ Gamma(r, α) until T, after each of them dropout with p ~ Beta(a, b); each transaction's value ~ Gamma(p, ν)
 * with ν ~ Gamma(q, γ). Times are whole days (a day is one transaction), as the product records them.
 */
export function simulateHistories(model: BgNbdParameters, spend: GammaGammaParameters, options: SimulationOptions): SimulatedHistory[] {
  const random = new SeededRandom(options.seed ?? 1);
  const minAge = options.minAge ?? 26;
  const maxAge = options.maxAge ?? 78;
  const toDay = (weeks: number) => Math.round(weeks * 7) / 7;
  return Array.from({ length: options.customers }, () => {
    const T = toDay(minAge + random.next() * (maxAge - minAge));
    const lambda = random.gamma(model.r, model.alpha);
    const dropout = random.beta(model.a, model.b);
    const nu = random.gamma(spend.q, spend.gamma);
    const purchases = [{ at: 0, value: random.gamma(spend.p, nu) }];
    let at = 0;
    for (;;) {
      at += random.exponential(lambda);
      if (at > T) break;
      const day = toDay(at);
      if (day <= purchases[purchases.length - 1]!.at || day > T) continue; // the same day as the previous one: one transaction
      purchases.push({ at: day, value: random.gamma(spend.p, nu) });
      if (random.next() < dropout) break;
    }
    return { T, purchases };
  });
}

/** Simulated customers as the models see them, to check that a fit recovers the parameters it was given. */
export function simulateCustomers(model: BgNbdParameters, spend: GammaGammaParameters, options: SimulationOptions): SimulatedCustomer[] {
  return simulateHistories(model, spend, options).map(({ T, purchases }) => {
    const repeat = purchases.slice(1);
    const x = repeat.length;
    return { x, tx: x ? repeat[x - 1]!.at : 0, T, meanValue: x ? repeat.reduce((sum, p) => sum + p.value, 0) / x : 0 };
  });
}
