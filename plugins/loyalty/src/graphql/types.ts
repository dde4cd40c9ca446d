// The loyalty types and `Customer.loyalty`, resolved through a per-request loader: one query per page of customers.
import { type Builder, declaredRef, globalId, type Models, type PluginToolkit, type Prisma } from '@crm/plugin-sdk';
import { POINTS, toPoints } from '../points.js';
import type { LoyaltySettings, Tier } from '../settings.js';

export type LoyaltyPermission = 'read' | 'redeem' | 'adjustPoints' | 'recordReferral' | 'manageProgram';
export type LoyaltyToolkit = PluginToolkit<LoyaltySettings, LoyaltyPermission>;

export function registerLoyaltyTypes(builder: Builder, plugin: LoyaltyToolkit) {
  const LoyaltyTier = builder.objectRef<Tier>('LoyaltyTier').implement({
    description: 'A tier of the program: reached with `threshold` qualifying points over the last 12 months.',
    fields: (t) => ({ name: t.exposeString('name'), threshold: t.exposeInt('threshold') }),
  });

  // Settings are read once per batch of fields, not once per account of a page.
  const settingsOf = plugin.loader<'settings', LoyaltySettings>(async (_keys, context) => new Map([['settings', await plugin.settings(context)]]));

  // LoyaltyTransaction and LoyaltyAccount are declared objects (src/objects.ts): their types, lists, filters,
  // aggregates and the `transactions` connection come from the declarations. What is not a column stays here.
  const transaction = declaredRef(builder, 'LoyaltyTransaction');
  const account = declaredRef(builder, 'LoyaltyAccount');
  builder.prismaObjectFields('LoyaltyAccount', (t) => ({
    customerId: t.id({ resolve: (a) => globalId('Customer', a.customerId) }),
    tier: t.field({
      type: LoyaltyTier,
      nullable: true,
      resolve: async (a, _args, context) => {
        const settings = await settingsOf.load(context, 'settings');
        return settings?.tiers.find((tier) => tier.name === a.tier) ?? null;
      },
    }),
  }));

  // Keyed by customer and by the selection Pothos asks for (the same for every customer of a page), so a page's
  // accounts, with their nested transactions, load in one query.
  type AccountKey = { customerId: string; query: { include?: Prisma.LoyaltyAccountInclude; select?: Prisma.LoyaltyAccountSelect } };
  const accountOf = plugin.loader<AccountKey, Models.LoyaltyAccount>(async (keys, context) => {
    const db = plugin.authorize(context, 'read').db;
    const found = new Map<AccountKey, Models.LoyaltyAccount>();
    const bySelection = new Map<string, AccountKey[]>();
    for (const key of keys) {
      const selection = JSON.stringify(key.query);
      bySelection.set(selection, [...(bySelection.get(selection) ?? []), key]);
    }
    for (const group of bySelection.values()) {
      const rows = await db.loyaltyAccount.findMany({ ...group[0]!.query, where: { customerId: { in: group.map((k) => k.customerId) } } });
      const byCustomer = new Map(rows.map((row) => [row.customerId, row]));
      for (const key of group) {
        const row = byCustomer.get(key.customerId);
        if (row) found.set(key, row);
      }
    }
    return found;
  });
  builder.prismaObjectField('Customer', 'loyalty', (t) =>
    t.prismaField({
      type: 'LoyaltyAccount',
      nullable: true,
      description: 'Loyalty membership; null until the customer earns or is given points.',
      resolve: (query, customer, _args, context) => accountOf.load(context, { customerId: customer.id, query }),
    }),
  );

  // LoyaltyReward is a declared object (src/objects.ts): its type and lists come from the declaration.
  const reward = declaredRef(builder, 'LoyaltyReward');

  const redemption = builder.prismaNode('LoyaltyRedemption', {
    id: { field: 'id' },
    fields: (t) => ({
      points: t.float({ description: POINTS, resolve: (row) => toPoints(row.points) }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      refundedAt: t.expose('refundedAt', { type: 'DateTime', nullable: true }),
      reward: t.relation('reward'),
    }),
  });

  const referral = builder.prismaNode('LoyaltyReferral', {
    id: { field: 'id' },
    fields: (t) => ({
      referrerId: t.id({ resolve: (r) => globalId('Customer', r.referrerId) }),
      referredId: t.id({ resolve: (r) => globalId('Customer', r.referredId) }),
      bonusAwardedAt: t.expose('bonusAwardedAt', { type: 'DateTime', nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });

  return { account, reward, redemption, referral, transaction, LoyaltyTier };
}

export type LoyaltyTypes = ReturnType<typeof registerLoyaltyTypes>;
