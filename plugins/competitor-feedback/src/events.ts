// The events the competitor feedback plugin publishes; their payloads join the event map by declaration merging.
declare module '@crm/plugin-sdk' {
  interface CrmEventMap {
    'competitor.created': { name: string };
    'competitor.mentioned': { competitorId: string; customerId: string; activityId: string; matched: string };
    'competitor.deal_lost': { competitorId: string; dealId: string; customerId: string; amount: string; reason: string };
    'competitor.defection_recorded': { competitorId: string; customerId: string; reason: string | null };
  }
}

export const competitorEvents = {
  'competitor.created': { subject: 'Competitor', description: 'A competitor joined the library' },
  'competitor.mentioned': { subject: 'Competitor', description: "A competitor was named in an activity's subject or body" },
  'competitor.deal_lost': { subject: 'Competitor', description: 'A deal was lost to the competitor' },
  'competitor.defection_recorded': { subject: 'Competitor', description: 'A churned customer went to the competitor' },
};
