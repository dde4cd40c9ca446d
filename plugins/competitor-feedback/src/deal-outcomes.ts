// Deals a competitor is in: when the core closes or reopens one, its links follow. A loss recorded with
// markDealLostToCompetitor is never overwritten here (only OPEN links close; only closed links reopen).
import type { DeliveredEvent, Models, SubscriberContext } from '@crm/plugin-sdk';
import type { CompetitorSettings } from './settings.js';

type Context = SubscriberContext<CompetitorSettings>;

/** A new link's outcome for a deal as it stands now (a competitor linked after the deal closed counts too). */
export function linkOutcomeOf(deal: Pick<Models.Deal, 'status' | 'amount' | 'closedAt' | 'lostReason'>) {
  if (deal.status === 'WON') return { outcome: 'WON' as const, amount: deal.amount, closedAt: deal.closedAt };
  if (deal.status === 'LOST') return { outcome: 'LOST_OTHER' as const, amount: deal.amount, closedAt: deal.closedAt, lostReason: deal.lostReason };
  return { outcome: 'OPEN' as const };
}

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
