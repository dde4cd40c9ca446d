// Demo data: a small reward catalog, and members with points for their past purchases (one opening EARN line each,
// so balance = ledger holds from the start).
import type { SeedContext } from '@crm/plugin-sdk';
import { pointsForOrder } from './earning.js';
import { type LoyaltySettings, tierFor } from './settings.js';

const demoRewards = [
  { name: 'Free coffee', costPoints: 100 },
  { name: '10% voucher', costPoints: 500 },
  { name: 'Priority support for a year', costPoints: 2500 },
];

export async function seedLoyalty({ db, workspaceId, settings }: SeedContext<LoyaltySettings>) {
  await db.loyaltyReward.createMany({ data: demoRewards.map((r) => ({ ...r, workspaceId })), skipDuplicates: true });
  const spend = await db.order.groupBy({ by: ['customerId'], _sum: { total: true }, orderBy: { customerId: 'asc' }, take: 200 });
  const members = spend
    .map((row) => ({ customerId: row.customerId, points: pointsForOrder(row._sum.total?.toString() ?? '0', settings.earnRate) }))
    .filter((m) => m.points > 0);
  if (!members.length) return;
  const accounts = await db.loyaltyAccount.createManyAndReturn({
    data: members.map((m) => ({
      workspaceId,
      customerId: m.customerId,
      points: m.points,
      lifetimePoints: m.points,
      tier: tierFor(settings, m.points).name,
      tierSince: new Date(),
    })),
    skipDuplicates: true,
  });
  await db.loyaltyTransaction.createMany({
    data: accounts.map((a) => ({
      workspaceId,
      accountId: a.id,
      kind: 'EARN' as const,
      points: a.points,
      remaining: a.points,
      qualifying: true,
      reason: 'Purchases before the program started',
      sourceKey: 'opening-balance',
    })),
  });
}
