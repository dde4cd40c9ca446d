// Catalog and program figures: SQL aggregates, never loops over rows.
import type { Builder } from '@crm/plugin-sdk';
import { POINTS, toPoints } from '../points.js';
import type { LoyaltyToolkit, LoyaltyTypes } from './types.js';

interface ProgramFigures {
  members: number;
  membersByTier: { tier: string; members: number }[];
  pointsOutstanding: number;
  pointsIssued: number;
  pointsRedeemed: number;
  redemptionRate: number;
}

export function registerLoyaltyProgram(builder: Builder, plugin: LoyaltyToolkit, types: LoyaltyTypes) {
  builder.queryField('rewards', (t) =>
    t.prismaField({
      type: [types.reward],
      description: 'The reward catalog, cheapest first.',
      args: { activeOnly: t.arg.boolean({ required: false, defaultValue: true }) },
      resolve: (query, _root, args, context) =>
        plugin.authorize(context, 'read').db.loyaltyReward.findMany({
          ...query,
          where: args.activeOnly ? { active: true } : {},
          orderBy: [{ costPoints: 'asc' }, { name: 'asc' }],
        }),
    }),
  );

  const TierCount = builder.objectRef<{ tier: string; members: number }>('LoyaltyTierMembers').implement({
    fields: (t) => ({ tier: t.exposeString('tier'), members: t.exposeInt('members') }),
  });
  const Program = builder.objectRef<ProgramFigures>('LoyaltyProgram').implement({
    description: 'Key figures of the loyalty program.',
    fields: (t) => ({
      members: t.exposeInt('members'),
      membersByTier: t.field({ type: [TierCount], description: 'In the order of the tiers.', resolve: (p) => p.membersByTier }),
      pointsOutstanding: t.exposeFloat('pointsOutstanding', { description: 'Unspent points: the liability of the program.' }),
      pointsIssued: t.exposeFloat('pointsIssued', { description: POINTS }),
      pointsRedeemed: t.exposeFloat('pointsRedeemed', { description: POINTS }),
      redemptionRate: t.exposeFloat('redemptionRate', { description: 'Points redeemed / points issued (0 to 1).' }),
    }),
  });
  builder.queryField('loyaltyProgram', (t) =>
    t.field({
      type: Program,
      resolve: async (_root, _args, context) => {
        const db = plugin.authorize(context, 'read').db;
        const [settings, accounts, byTier, byKind] = await Promise.all([
          plugin.settings(context),
          db.loyaltyAccount.aggregate({ _count: { _all: true }, _sum: { points: true } }),
          db.loyaltyAccount.groupBy({ by: ['tier'], _count: { _all: true } }),
          db.loyaltyTransaction.groupBy({ by: ['kind'], where: { kind: { in: ['EARN', 'REDEEM', 'REFUND'] } }, _sum: { points: true } }),
        ]);
        const sum = (kind: string) => toPoints(byKind.find((row) => row.kind === kind)?._sum.points);
        const issued = sum('EARN');
        const redeemed = -sum('REDEEM') - sum('REFUND');
        const counts = new Map(byTier.map((row) => [row.tier, row._count._all]));
        return {
          members: accounts._count._all,
          membersByTier: settings.tiers.map((tier) => ({ tier: tier.name, members: counts.get(tier.name) ?? 0 })),
          pointsOutstanding: toPoints(accounts._sum.points),
          pointsIssued: issued,
          pointsRedeemed: redeemed,
          redemptionRate: issued > 0 ? Math.round((redeemed / issued) * 10_000) / 10_000 : 0,
        };
      },
    }),
  );
}
