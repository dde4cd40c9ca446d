import { z } from '@crm/plugin-sdk';

/** Per workspace. Every field has a default: a workspace that never configured it runs these. */
export const crossSellSettings = z.object({
  /** At most this many offers per customer per `offerPeriodDays` (not annoying customers). */
  maxOffersPerPeriod: z.number().int().min(0).max(1000).default(3),
  offerPeriodDays: z.number().int().positive().max(3650).default(30),
  /** A dismissed product is not suggested to that customer again for this many days. */
  dismissalDays: z.number().int().min(0).max(3650).default(90),
  /** A rule A → B needs at least this many customers who bought both (support floor against noise). */
  minPairCustomers: z.number().int().min(1).max(1_000_000).default(2),
  /** Revenue of an accepted suggestion: orders of that product by that customer within this many days after. */
  revenueWindowDays: z.number().int().positive().max(3650).default(30),
});

export type CrossSellSettings = z.output<typeof crossSellSettings>;
