// The events the loyalty plugin publishes; their payloads join the event map by declaration merging.
declare module '@crm/plugin-sdk' {
  interface CrmEventMap {
    'loyalty.points_earned': { customerId: string; points: number; balance: number; source: string };
    'loyalty.points_redeemed': { customerId: string; points: number; balance: number; rewardId: string };
    'loyalty.points_refunded': { customerId: string; points: number; balance: number; redemptionId: string };
    'loyalty.points_adjusted': { customerId: string; points: number; balance: number; reason: string };
    'loyalty.points_expired': { customerId: string; points: number; balance: number };
    'loyalty.tier_changed': { customerId: string; from: string | null; to: string };
    'loyalty.reward_created': { name: string; costPoints: number };
    'loyalty.referral_recorded': { referrerId: string; referredId: string };
  }
}

export const loyaltyEvents = {
  'loyalty.points_earned': { subject: 'LoyaltyAccount', description: 'Points credited for an order or a referral', read: 'read' },
  'loyalty.points_redeemed': { subject: 'LoyaltyAccount', description: 'A reward was redeemed', read: 'read' },
  'loyalty.points_refunded': { subject: 'LoyaltyAccount', description: 'A redemption was refunded: its points returned', read: 'read' },
  'loyalty.points_adjusted': { subject: 'LoyaltyAccount', description: 'Points changed by hand (adjustPoints)', read: 'read' },
  'loyalty.points_expired': { subject: 'LoyaltyAccount', description: 'Unspent points expired', read: 'read' },
  'loyalty.tier_changed': { subject: 'LoyaltyAccount', description: 'The account moved to another tier', read: 'read' },
  'loyalty.reward_created': { subject: 'LoyaltyReward', description: 'A reward joined the catalog', read: 'read' },
  'loyalty.referral_recorded': { subject: 'LoyaltyReferral', description: 'A customer referred another', read: 'read' },
};
