import type { PurchaseSummary } from './bg-nbd.js';
import type { SpendSummary } from './gamma-gamma.js';

const DAY_MS = 86_400_000;
const WEEK_DAYS = 7;

/** One purchase: who, when, how much. */
export interface Transaction {
  customer: string;
  at: Date;
  value: number;
}

export interface CustomerSummary extends PurchaseSummary, SpendSummary {
  customer: string;
}

/**
 * The models' inputs from raw purchases, as the paper builds them: purchases on one (UTC) day are one transaction
 * whose value is their sum; x counts the days with a purchase after the first, t_x and T are measured in weeks
 * (days / 7) from the first purchase day to the last and to the calibration end; the spend model's mean is over the
 * repeat transactions only (the first purchase is left out). Purchases after `calibrationEnd`'s day are ignored.
 * This is the reference the SQL in `@crm/core` computes the same way, and what the CDNOW check runs on.
 */
export function summarizeTransactions(transactions: Iterable<Transaction>, calibrationEnd: Date): CustomerSummary[] {
  const endDay = Math.floor(calibrationEnd.getTime() / DAY_MS);
  const days = new Map<string, Map<number, number>>();
  for (const { customer, at, value } of transactions) {
    const day = Math.floor(at.getTime() / DAY_MS);
    if (day > endDay) continue;
    let byDay = days.get(customer);
    if (!byDay) days.set(customer, (byDay = new Map()));
    byDay.set(day, (byDay.get(day) ?? 0) + value);
  }
  return [...days].map(([customer, byDay]) => {
    const sorted = [...byDay.keys()].sort((a, b) => a - b);
    const first = sorted[0]!;
    const last = sorted[sorted.length - 1]!;
    const repeat = sorted.slice(1);
    const x = repeat.length;
    const meanValue = x ? repeat.reduce((sum, day) => sum + byDay.get(day)!, 0) / x : 0;
    return { customer, x, tx: (last - first) / WEEK_DAYS, T: (endDay - first) / WEEK_DAYS, meanValue };
  });
}
