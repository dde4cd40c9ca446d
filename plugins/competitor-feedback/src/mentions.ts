// Subscribers: mentions in logged activities, deal outcomes for linked competitors, defections from churn reasons.
// The SDK delivers each event to each subscriber once; the unique keys (activity, competitor) and (workspace,
// customer) make a redelivery a no-op even so.
import type { DeliveredEvent, SubscriberContext } from '@crm/plugin-sdk';
import { linkOutcomeOf } from './deal-outcomes.js';
import { competitorMatcher } from './matcher.js';
import type { CompetitorSettings } from './settings.js';

type Context = SubscriberContext<CompetitorSettings>;

export async function detectMentions(event: DeliveredEvent<'activity.logged'>, { tx, emit, settings }: Context) {
  if (!settings.detectMentions) return;
  const competitors = await tx.competitor.findMany({ select: { id: true, name: true, aliases: true } });
  if (!competitors.length) return;
  const { subject, body, customerId } = event.payload;
  const matches = competitorMatcher(competitors)(`${subject}\n${body ?? ''}`);
  if (!matches.length) return;
  const activity = await tx.activity.findUnique({ where: { id: event.subjectId }, select: { occurredAt: true, dealId: true } });
  if (!activity) return; // deleted since: nothing to link to
  if (activity.dealId && settings.linkMentionedCompetitorsToDeals) await linkToDeal(tx, event.workspaceId, activity.dealId, matches.map((m) => m.competitorId));
  const created = await tx.competitorMention.createManyAndReturn({
    data: matches.map((m) => ({
      workspaceId: event.workspaceId,
      competitorId: m.competitorId,
      activityId: event.subjectId,
      customerId,
      matched: m.matched,
      occurredAt: activity.occurredAt,
    })),
    skipDuplicates: true,
  });
  for (const mention of created) {
    emit('competitor.mentioned', { type: 'Competitor', id: mention.competitorId }, {
      competitorId: mention.competitorId,
      customerId,
      activityId: mention.activityId,
      matched: mention.matched,
    });
  }
}

/**
 * Links the mentioned competitors to the activity's deal; links that exist stay as they are (their outcome may be a
 * recorded loss), so a redelivery or a second mention changes nothing.
 */
async function linkToDeal(tx: Context['tx'], workspaceId: string, dealId: string, competitorIds: readonly string[]) {
  const deal = await tx.deal.findUnique({ where: { id: dealId }, select: { status: true, amount: true, closedAt: true, lostReason: true } });
  if (!deal) return;
  await tx.competitorDeal.createMany({
    data: [...new Set(competitorIds)].map((competitorId) => ({ workspaceId, dealId, competitorId, ...linkOutcomeOf(deal) })),
    skipDuplicates: true,
  });
}

/** A customer moved to CHURNED with a reason naming a competitor defected to it (the first one named). */
export async function defectionFromChurn(event: DeliveredEvent<'customer.stage_changed'>, { tx, emit, settings }: Context) {
  const { to, reason } = event.payload;
  if (to !== 'CHURNED' || !reason || !settings.defectionsFromChurnReason) return;
  const competitors = await tx.competitor.findMany({ select: { id: true, name: true, aliases: true } });
  const [match] = competitorMatcher(competitors)(reason);
  if (!match) return;
  const created = await tx.competitorDefection.createManyAndReturn({
    data: [{ workspaceId: event.workspaceId, competitorId: match.competitorId, customerId: event.subjectId, reason, occurredAt: event.occurredAt }],
    skipDuplicates: true,
  });
  for (const defection of created) {
    emit('competitor.defection_recorded', { type: 'Competitor', id: defection.competitorId }, {
      competitorId: defection.competitorId,
      customerId: defection.customerId,
      reason,
    });
  }
}
