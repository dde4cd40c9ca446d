// Loyalty commands: each one transaction through `plugin.run` (permission checked first, events after commit).
import { badInput, type Builder, conflict, customFieldsInput, type Models, notFound, parseInput, type PluginCommandScope, type Prisma, rowId, z } from '@crm/plugin-sdk';
import { expirePoints } from '../expiry.js';
import { toPoints } from '../points.js';
import { accountFor, type LedgerScope, post } from '../ledger.js';
import type { LoyaltySettings } from '../settings.js';
import type { LoyaltyToolkit, LoyaltyTypes } from './types.js';

const ledger = (scope: PluginCommandScope<LoyaltySettings>): LedgerScope => ({
  tx: scope.tx,
  emit: scope.emit,
  settings: scope.settings,
  workspaceId: scope.session.workspaceId,
});

async function existingCustomer(scope: PluginCommandScope<LoyaltySettings>, globalCustomerId: string, field: string): Promise<string> {
  const id = rowId(globalCustomerId, 'Customer', field);
  const customer = await scope.tx.customer.findUnique({ where: { id }, select: { id: true } });
  if (!customer) throw notFound('Customer', field);
  return id;
}

const rewardInput = z.object({
  name: z.string().trim().min(1, 'Must not be empty').max(200, 'At most 200 characters'),
  costPoints: z.number().int('A whole number of points').positive('More than 0 points').max(100_000_000),
  /** The workspace's custom fields of LoyaltyReward, by name: checked by `scope.customValues`. */
  customFields: z.unknown().optional(),
});
const adjustInput = z.object({
  points: z.number().int('A whole number of points').refine((p) => p !== 0, 'Must not be 0'),
  reason: z.string().trim().min(1, 'Say why').max(500, 'At most 500 characters'),
});

export function registerLoyaltyMutations(builder: Builder, plugin: LoyaltyToolkit, types: LoyaltyTypes) {
  const CreateRewardPayload = builder.objectRef<{ reward: Awaited<ReturnType<typeof createReward>> }>('CreateRewardPayload').implement({
    fields: (t) => ({ reward: t.field({ type: types.reward, resolve: (p) => p.reward }) }),
  });
  async function createReward(scope: PluginCommandScope<LoyaltySettings>, input: { name: string; costPoints: number; customFields?: unknown }) {
    const { name, costPoints, customFields: given } = parseInput(rewardInput, input);
    const customFields = (await scope.customValues('LoyaltyReward', given)) as Prisma.InputJsonObject;
    const reward = await scope.tx.loyaltyReward.create({ data: { workspaceId: scope.session.workspaceId, name, costPoints, customFields } });
    scope.emit('loyalty.reward_created', { type: 'LoyaltyReward', id: reward.id }, { name, costPoints });
    return reward;
  }
  builder.mutationField('createReward', (t) =>
    t.field({
      type: CreateRewardPayload,
      description: 'Adds a reward to the catalog (ADMIN).',
      args: {
        input: t.arg({
          type: builder.inputType('CreateRewardInput', {
            fields: (f) => ({ name: f.string({ required: true }), costPoints: f.int({ required: true }), ...customFieldsInput(builder, f, 'LoyaltyReward') }),
          }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) => plugin.run(context, 'manageProgram', async (scope) => ({ reward: await createReward(scope, input) })),
    }),
  );

  const RedeemRewardPayload = builder.objectRef<{ account: Models.LoyaltyAccount; redemption: Models.LoyaltyRedemption }>('RedeemRewardPayload').implement({
    fields: (t) => ({
      account: t.field({ type: types.account, resolve: (p) => p.account }),
      redemption: t.field({ type: types.redemption, resolve: (p) => p.redemption }),
    }),
  });
  builder.mutationField('redeemReward', (t) =>
    t.field({
      type: RedeemRewardPayload,
      description: "Spends the customer's points on a reward. CONFLICT when the balance is too small (never negative, never spent twice).",
      args: {
        input: t.arg({
          type: builder.inputType('RedeemRewardInput', { fields: (f) => ({ customerId: f.id({ required: true }), rewardId: f.id({ required: true }) }) }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'redeem', async (scope) => {
          const customerId = await existingCustomer(scope, input.customerId, 'customerId');
          const reward = await scope.tx.loyaltyReward.findUnique({ where: { id: rowId(input.rewardId, 'LoyaltyReward', 'rewardId') } });
          if (!reward) throw notFound('Reward', 'rewardId');
          if (!reward.active) throw conflict('This reward is no longer offered', 'rewardId');
          const account = await accountFor(ledger(scope), customerId);
          const redemption = await scope.tx.loyaltyRedemption.create({
            data: { workspaceId: scope.session.workspaceId, accountId: account.id, rewardId: reward.id, points: reward.costPoints },
          });
          const after = await post(ledger(scope), account, {
            kind: 'REDEEM',
            points: -reward.costPoints,
            reason: reward.name,
            sourceKey: `redemption:${redemption.id}`,
          });
          scope.emit('loyalty.points_redeemed', { type: 'LoyaltyAccount', id: account.id }, {
            customerId,
            points: reward.costPoints,
            balance: toPoints(after.points),
            rewardId: reward.id,
          });
          return { account: after, redemption };
        }),
    }),
  );

  builder.mutationField('refundRedemption', (t) =>
    t.field({
      type: RedeemRewardPayload,
      description: 'Returns the points of a redemption (a REFUND line), once: a second refund is CONFLICT.',
      args: {
        input: t.arg({
          type: builder.inputType('RefundRedemptionInput', { fields: (f) => ({ redemptionId: f.id({ required: true }) }) }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'redeem', async (scope) => {
          const id = rowId(input.redemptionId, 'LoyaltyRedemption', 'redemptionId');
          const redemption = await scope.tx.loyaltyRedemption.findUnique({ where: { id }, include: { account: true } });
          if (!redemption) throw notFound('Redemption', 'redemptionId');
          // Conditional: of two refunds racing, one finds it already refunded.
          const { count } = await scope.tx.loyaltyRedemption.updateMany({ where: { id, refundedAt: null }, data: { refundedAt: new Date() } });
          if (count === 0) throw conflict('This redemption was already refunded', 'redemptionId');
          const after = await post(ledger(scope), redemption.account, {
            kind: 'REFUND',
            points: toPoints(redemption.points),
            reason: 'Refunded redemption',
            sourceKey: `refund:${id}`,
          });
          scope.emit('loyalty.points_refunded', { type: 'LoyaltyAccount', id: after.id }, {
            customerId: after.customerId,
            points: toPoints(redemption.points),
            balance: toPoints(after.points),
            redemptionId: id,
          });
          return { account: after, redemption: await scope.tx.loyaltyRedemption.findUniqueOrThrow({ where: { id } }) };
        }),
    }),
  );

  const AccountPayload = (name: string) =>
    builder.objectRef<{ account: Models.LoyaltyAccount }>(name).implement({
      fields: (t) => ({ account: t.field({ type: types.account, resolve: (p) => p.account }) }),
    });
  builder.mutationField('adjustPoints', (t) =>
    t.field({
      type: AccountPayload('AdjustPointsPayload'),
      description: 'Credits (positive) or debits (negative) points by hand, with a reason (ADMIN).',
      args: {
        input: t.arg({
          type: builder.inputType('AdjustPointsInput', {
            fields: (f) => ({ customerId: f.id({ required: true }), points: f.int({ required: true }), reason: f.string({ required: true }) }),
          }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'adjustPoints', async (scope) => {
          const { points, reason } = parseInput(adjustInput, input);
          const customerId = await existingCustomer(scope, input.customerId, 'customerId');
          const account = await accountFor(ledger(scope), customerId);
          const after = await post(ledger(scope), account, { kind: 'ADJUST', points, reason });
          scope.emit('loyalty.points_adjusted', { type: 'LoyaltyAccount', id: account.id }, { customerId, points, balance: toPoints(after.points), reason });
          return { account: after };
        }),
    }),
  );

  const RecordReferralPayload = builder.objectRef<{ referral: Models.LoyaltyReferral }>('RecordReferralPayload').implement({
    fields: (t) => ({ referral: t.field({ type: types.referral, resolve: (p) => p.referral }) }),
  });
  builder.mutationField('recordReferral', (t) =>
    t.field({
      type: RecordReferralPayload,
      description: "Records that one customer brought another; the referrer earns the bonus on the referred customer's first order.",
      args: {
        input: t.arg({
          type: builder.inputType('RecordReferralInput', { fields: (f) => ({ referrerId: f.id({ required: true }), referredId: f.id({ required: true }) }) }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'recordReferral', async (scope) => {
          const referrerId = await existingCustomer(scope, input.referrerId, 'referrerId');
          const referredId = await existingCustomer(scope, input.referredId, 'referredId');
          if (referrerId === referredId) throw badInput('referredId: a customer cannot refer themselves', 'referredId');
          const referral = await scope.tx.loyaltyReferral.create({ data: { workspaceId: scope.session.workspaceId, referrerId, referredId } });
          scope.emit('loyalty.referral_recorded', { type: 'LoyaltyReferral', id: referral.id }, { referrerId, referredId });
          return { referral };
        }),
    }),
  );

  const ExpiryPayload = builder.objectRef<{ accounts: number; pointsExpired: number }>('ExpireLoyaltyPointsPayload').implement({
    fields: (t) => ({ accounts: t.exposeInt('accounts'), pointsExpired: t.exposeInt('pointsExpired') }),
  });
  builder.mutationField('expireLoyaltyPoints', (t) =>
    t.field({
      type: ExpiryPayload,
      description: 'The expiry job: expires unspent points older than the program allows and recalculates tiers (ADMIN; run it daily).',
      args: {
        input: t.arg({
          type: builder.inputType('ExpireLoyaltyPointsInput', { fields: (f) => ({ asOf: f.field({ type: 'DateTime', required: false }) }) }),
          required: false,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'manageProgram', (scope) => expirePoints(ledger(scope), input?.asOf ?? new Date())),
    }),
  );
}
