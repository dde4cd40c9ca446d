import { type DriftedEventPayloads, eventMoney, z } from '@crm/plugin-sdk';

// The events the competitor feedback plugin publishes; their payloads join the event map by declaration merging.
declare module '@crm/plugin-sdk' {
  interface CrmEventMap {
    'competitor.created': { name: string };
    'competitor.updated': { changed: string[]; changes: Record<string, { from: unknown; to: unknown }> };
    // Emitted by the trash (docs/data.md "Trash"), as for core objects: no personal data, the subject names the record.
    'competitor.trashed': { reason: string | null; withRelated: number };
    'competitor.restored': { reason: string | null; withRelated: number };
    'competitor.destroyed': { reason: string | null; withRelated: number };
    'competitor.mentioned': { competitorId: string; customerId: string; activityId: string; matched: string };
    'competitor.deal_lost': { competitorId: string; dealId: string; customerId: string; amount: string; reason: string };
    'competitor.defection_recorded': { competitorId: string; customerId: string; reason: string | null };
  }
}

const trashed = z.object({ reason: z.string().nullable(), withRelated: z.number() });

export const competitorEvents = {
  'competitor.created': { subject: 'Competitor', description: 'A competitor joined the library', read: 'read', payload: z.object({ name: z.string() }) },
  'competitor.updated': { subject: 'Competitor', description: 'A competitor of the library changed (field by field, from and to)',
    read: 'read',
    payload: z.object({ changed: z.array(z.string()), changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })) }),
  },
  'competitor.trashed': { subject: 'Competitor', description: 'A competitor went to the trash, with its feedback (withRelated counts them)', read: 'read', payload: trashed },
  'competitor.restored': { subject: 'Competitor', description: 'A competitor came back from the trash, with the feedback trashed with it', read: 'read', payload: trashed },
  'competitor.destroyed': { subject: 'Competitor', description: 'A competitor was removed for good (destroyCompetitor or retention), with its feedback and links',
    read: 'read',
    payload: trashed,
  },
  'competitor.mentioned': { subject: 'Competitor', description: "A competitor was named in an activity's subject or body",
    read: 'read',
    payload: z.object({ competitorId: z.uuid(), customerId: z.uuid(), activityId: z.uuid(), matched: z.string() }),
  },
  'competitor.deal_lost': { subject: 'Competitor', description: 'A deal was lost to the competitor',
    read: 'read',
    payload: z.object({ competitorId: z.uuid(), dealId: z.uuid(), customerId: z.uuid(), amount: eventMoney, reason: z.string() }),
  },
  'competitor.defection_recorded': { subject: 'Competitor', description: 'A churned customer went to the competitor',
    read: 'read',
    payload: z.object({ competitorId: z.uuid(), customerId: z.uuid(), reason: z.string().nullable() }),
  },
};

export type CompetitorEvent = keyof typeof competitorEvents;

// The declared payloads are the event map's types (both ways), or this does not compile.
const drifted: { [K in DriftedEventPayloads<typeof competitorEvents>]: 'its payload and its CrmEventMap type differ' } = {};
void drifted;
