// Deals a competitor is in: when the core closes or reopens one, its links follow. A loss recorded with
// markDealLostToCompetitor is never overwritten here (only OPEN links close; only closed links reopen).
import type { DeliveredEvent, SubscriberContext } from '@crm/plugin-sdk';
import type { CompetitorSettings } from './settings.js';

type Context = SubscriberContext<CompetitorSettings>;

export async function closeOnWin(event: DeliveredEvent<'deal.won'>, { tx }: Context) {
  await tx.competitorDeal.updateMany({
    where: { dealId: event.subjectId, outcome: 'OPEN' },
    data: { outcome: 'WON', amount: event.payload.amount, closedAt: event.occurredAt },
  });
}

export async function closeOnLoss(event: DeliveredEvent<'deal.lost'>, { tx }: Context) {
  await tx.competitorDeal.updateMany({
    where: { dealId: event.subjectId, outcome: 'OPEN' },
    data: { outcome: 'LOST_OTHER', amount: event.payload.amount, lostReason: event.payload.reason, closedAt: event.occurredAt },
  });
}

/** A deal moved back to an open stage: its links are open again (read now, so a late delivery cannot reopen). */
export async function reopen(event: DeliveredEvent<'deal.stage_changed'>, { tx }: Context) {
  const deal = await tx.deal.findUnique({ where: { id: event.subjectId }, select: { status: true } });
  if (deal?.status !== 'OPEN') return;
  await tx.competitorDeal.updateMany({
    where: { dealId: event.subjectId, outcome: { not: 'OPEN' } },
    data: { outcome: 'OPEN', amount: null, lostReason: null, closedAt: null },
  });
}
