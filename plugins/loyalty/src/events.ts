import { type DriftedEventPayloads, z } from '@crm/plugin-sdk';

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
  'loyalty.points_earned': {
    subject: 'LoyaltyAccount',
    description: 'Points credited for an order or a referral',
    read: 'read',
    payload: z.object({ customerId: z.uuid(), points: z.number(), balance: z.number(), source: z.string() }),
  },
  'loyalty.points_redeemed': { subject: 'LoyaltyAccount', description: 'A reward was redeemed', read: 'read', payload: z.object({ customerId: z.uuid(), points: z.number(), balance: z.number(), rewardId: z.uuid() }) },
  'loyalty.points_refunded': {
    subject: 'LoyaltyAccount',
    description: 'A redemption was refunded: its points returned',
    read: 'read',
    payload: z.object({ customerId: z.uuid(), points: z.number(), balance: z.number(), redemptionId: z.uuid() }),
  },
  'loyalty.points_adjusted': { subject: 'LoyaltyAccount', description: 'Points changed by hand (adjustPoints)', read: 'read', payload: z.object({ customerId: z.uuid(), points: z.number(), balance: z.number(), reason: z.string() }) },
  'loyalty.points_expired': { subject: 'LoyaltyAccount', description: 'Unspent points expired', read: 'read', payload: z.object({ customerId: z.uuid(), points: z.number(), balance: z.number() }) },
  'loyalty.tier_changed': {
    subject: 'LoyaltyAccount',
    description: 'The account moved to another tier',
    read: 'read',
    payload: z.object({ customerId: z.uuid(), from: z.string().nullable(), to: z.string() }),
  },
  'loyalty.reward_created': { subject: 'LoyaltyReward', description: 'A reward joined the catalog', read: 'read', payload: z.object({ name: z.string(), costPoints: z.number() }) },
  'loyalty.referral_recorded': { subject: 'LoyaltyReferral', description: 'A customer referred another', read: 'read', payload: z.object({ referrerId: z.uuid(), referredId: z.uuid() }) },
};

// The declared payloads are the event map's types (both ways), or this does not compile.
const drifted: { [K in DriftedEventPayloads<typeof loyaltyEvents>]: 'its payload and its CrmEventMap type differ' } = {};
void drifted;
