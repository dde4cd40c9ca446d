import type { BgNbdParameters, PurchaseSummary } from './bg-nbd.js';
import type { GammaGammaParameters, SpendSummary } from './gamma-gamma.js';
import { SeededRandom } from './random.js';

export interface SimulatedCustomer extends PurchaseSummary, SpendSummary {}

export interface SimulationOptions {
  customers: number;
  /** Ages T are drawn uniformly from [minAge, maxAge] weeks (in whole days, as recorded). @default 26, 78 */
  minAge?: number;
  maxAge?: number;
  seed?: number;
}

/**
 * Customers drawn from the models' own story, to check that a fit recovers the parameters it was given: a purchase
 * at time 0, repeat purchases at rate λ ~ Gamma(r, α) until T, after each of them dropout with p ~ Beta(a, b); each
 * repeat transaction's value ~ Gamma(p, ν) with ν ~ Gamma(q, γ).
 */
export function simulateCustomers(model: BgNbdParameters, spend: GammaGammaParameters, options: SimulationOptions): SimulatedCustomer[] {
  const random = new SeededRandom(options.seed ?? 1);
  const minAge = options.minAge ?? 26;
  const maxAge = options.maxAge ?? 78;
  return Array.from({ length: options.customers }, () => {
    // Whole days, as the product records purchases (a day is one transaction).
    const T = Math.round((minAge + random.next() * (maxAge - minAge)) * 7) / 7;
    const lambda = random.gamma(model.r, model.alpha);
    const dropout = random.beta(model.a, model.b);
    const nu = random.gamma(spend.q, spend.gamma);
    let x = 0;
    let tx = 0;
    let total = 0;
    let at = 0;
    for (;;) {
      at += random.exponential(lambda);
      if (at > T) break;
      if (Math.round(at * 7) / 7 <= tx) continue; // the same day as the previous purchase: one transaction
      x++;
      tx = Math.round(at * 7) / 7;
      total += random.gamma(spend.p, nu);
      if (random.next() < dropout) break;
    }
    return { x, tx, T, meanValue: x > 0 ? total / x : 0 };
  });
}
