// Why a customer gets no offer now: they unsubscribed from campaigns, or the period's offers are used up. The ranking
// statement applies the same two rules itself; this names the reason for markSuggestionOffered's error.
import type { ScopedPrisma, ScopedTransaction } from '@crm/plugin-sdk';
import type { CrossSellSettings } from './settings.js';

export const DAY_MS = 86_400_000;

export type BlockedReason = 'UNSUBSCRIBED' | 'CAP_REACHED';

/** The reason per blocked customer id (customers not in the map may be offered something). */
export async function blockedCustomers(
  db: ScopedPrisma | ScopedTransaction,
  customerIds: readonly string[],
  settings: CrossSellSettings,
  now: Date,
): Promise<Map<string, BlockedReason>> {
  const ids = [...customerIds];
  const [unsubscribed, offers] = await Promise.all([
    db.campaignResponse.findMany({ where: { customerId: { in: ids }, kind: 'UNSUBSCRIBED' }, select: { customerId: true }, distinct: ['customerId'] }),
    db.crossSellOffer.groupBy({
      by: ['customerId'],
      where: { customerId: { in: ids }, offeredAt: { gt: new Date(now.getTime() - settings.offerPeriodDays * DAY_MS) } },
      _count: { _all: true },
    }),
  ]);
  const blocked = new Map<string, BlockedReason>();
  const offered = new Map(offers.map((o) => [o.customerId, o._count._all]));
  // A cap of 0 means no offers at all, so a customer without offers is blocked too.
  for (const id of ids) if ((offered.get(id) ?? 0) >= settings.maxOffersPerPeriod) blocked.set(id, 'CAP_REACHED');
  for (const u of unsubscribed) blocked.set(u.customerId, 'UNSUBSCRIBED');
  return blocked;
}
