import { type DemoProduct, pickLines } from './catalog.js';
import type { Random } from './random.js';

const WEEK = 7 * 86_400_000;
const DAY = 86_400_000;

export interface DemoOrder {
  orderedAt: Date;
  lines: { product: DemoProduct; quantity: number }[];
  /** Cents. */
  total: number;
  cost: number;
}

/**
 * One customer's purchase history as BG/NBD and Gamma-Gamma assume it is made (Fader, Hardie & Lee 2005): a
 * purchase rate λ ~ Gamma(r, α) per week, after each purchase the customer drops out with probability p ~ Beta(a, b),
 * and each customer's spend per order varies around their own mean ν ~ Gamma(q, γ) (CDNOW-like parameters, spend
 * scaled ×4). The first purchase is at `firstAt`; purchases on a day already taken are merged into one order.
 */
export function simulatePurchases(random: Random, catalog: readonly DemoProduct[], firstAt: number, until: number): DemoOrder[] {
  const lambda = random.gamma(0.243, 4.414);
  const dropout = random.beta(0.793, 2.426);
  const nu = random.gamma(3.74, 15.44);
  const orders: DemoOrder[] = [];
  const days = new Set<number>();
  let at = firstAt;
  for (let i = 0; i < 200 && at <= until; i++) {
    const day = Math.floor(at / DAY);
    if (!days.has(day)) {
      days.add(day);
      const target = Math.max(500, Math.round(random.gamma(6.25, nu) * 400));
      const lines = pickLines(random, catalog, target);
      const total = lines.reduce((sum, l) => sum + l.product.price * l.quantity, 0);
      const cost = lines.reduce((sum, l) => sum + l.product.cost * l.quantity, 0);
      orders.push({ orderedAt: new Date(at + random.int(8, 20) * 3_600_000 - (at % DAY)), lines, total, cost });
    }
    if (random.chance(dropout)) break;
    at += random.exponential(Math.max(lambda, 1e-4)) * WEEK;
  }
  return orders;
}

export const cents = (value: number) => (value / 100).toFixed(2);
