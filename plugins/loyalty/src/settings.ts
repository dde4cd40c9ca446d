import { z } from '@crm/plugin-sdk';

const tier = z.object({
  name: z.string().trim().min(1).max(50),
  /** Qualifying points over the last 12 months needed for this tier. */
  threshold: z.number().int().min(0),
});

/** The program, per workspace. Every field has a default: a workspace that never configured it runs these. */
export const loyaltySettings = z.object({
  /** Points per currency unit spent (rounded down per order). */
  earnRate: z.number().positive().max(1000).default(1),
  /** Unspent points expire this many days after they were earned; null: never. */
  pointsExpireAfterDays: z.number().int().positive().nullable().default(365),
  /** Ascending thresholds; the first must be 0 (every member has a tier). */
  tiers: z
    .array(tier)
    .min(1)
    .default([
      { name: 'Bronze', threshold: 0 },
      { name: 'Silver', threshold: 500 },
      { name: 'Gold', threshold: 2000 },
    ])
    .refine((tiers) => tiers[0]?.threshold === 0, 'the first tier starts at 0 points')
    .refine((tiers) => tiers.every((t, i) => i === 0 || t.threshold > tiers[i - 1]!.threshold), 'thresholds must increase')
    .refine((tiers) => new Set(tiers.map((t) => t.name)).size === tiers.length, 'tier names must differ'),
  /** Points the referrer earns when the referred customer's first order is recorded. */
  referralBonus: z.number().int().min(0).max(1_000_000).default(500),
});

export type LoyaltySettings = z.output<typeof loyaltySettings>;
export type Tier = LoyaltySettings['tiers'][number];

/** The highest tier whose threshold the qualifying points reach. */
export function tierFor(settings: LoyaltySettings, qualifyingPoints: number): Tier {
  let found = settings.tiers[0]!;
  for (const t of settings.tiers) if (qualifyingPoints >= t.threshold) found = t;
  return found;
}
