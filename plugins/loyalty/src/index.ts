// The loyalty rewards plugin, built only on the public SDK: points on purchases, tiers on rolling 12-month
// qualifying points, a reward catalog with safe redemption, expiry, referrals, and program figures.
import { definePlugin } from '@crm/plugin-sdk';
import { awardPoints } from './award-points.js';
import { earnPointsForOrder, payReferralBonus } from './earning.js';
import { loyaltyEvents } from './events.js';
import { expirePoints } from './expiry.js';
import { registerLoyaltyMutations } from './graphql/mutations.js';
import { registerLoyaltyProgram } from './graphql/program.js';
import { registerLoyaltyTypes } from './graphql/types.js';
import { LoyaltyAccount, LoyaltyReward, LoyaltyTransaction } from './objects.js';
import { loyaltyPersonalData } from './personal-data.js';
import { seedLoyalty } from './seed.js';
import { loyaltySettings } from './settings.js';

export const loyalty = definePlugin({
  id: 'loyalty',
  version: '1.0.0',
  description: 'Loyalty rewards: points on purchases, tiers, rewards and redemptions, expiry, referrals.',
  requires: { core: '^0.1.0' },
  prisma: new URL('../prisma/schema', import.meta.url),
  migrations: new URL('../prisma/migrations', import.meta.url),
  settings: loyaltySettings,
  permissions: {
    read: { roles: ['READ_ONLY', 'MEMBER', 'ADMIN'], description: 'See accounts, rewards and program figures' },
    redeem: { roles: ['MEMBER', 'ADMIN'], description: 'Redeem rewards for customers' },
    recordReferral: { roles: ['MEMBER', 'ADMIN'], description: 'Record referrals' },
    adjustPoints: { roles: ['ADMIN'], description: 'Credit or debit points by hand' },
    manageProgram: { roles: ['ADMIN'], description: 'Manage the reward catalog and run the expiry job' },
  },
  events: loyaltyEvents,
  objects: [LoyaltyReward, LoyaltyAccount, LoyaltyTransaction],
  graphql(builder, plugin) {
    const types = registerLoyaltyTypes(builder, plugin);
    registerLoyaltyMutations(builder, plugin, types);
    registerLoyaltyProgram(builder, plugin, types);
  },
  subscribers: {
    'order.recorded': { earnPoints: earnPointsForOrder, referralBonus: payReferralBonus },
  },
  jobs: {
    // Every 6 hours, per workspace: expire unspent points past the program's limit, recalculate tiers.
    expirePoints: {
      everyMs: 6 * 60 * 60 * 1000,
      run: async ({ tx, emit, settings, workspaceId, now }) => {
        await expirePoints({ tx, emit, settings, workspaceId }, now);
      },
    },
  },
  actions: { awardPoints },
  seed: seedLoyalty,
  personalData: loyaltyPersonalData,
});

export default loyalty;
export { loyaltySettings, type LoyaltySettings } from './settings.js';
