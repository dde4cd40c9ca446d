import { type DriftedEventPayloads, z } from '@crm/plugin-sdk';

// The events the cross-sell plugin publishes; their payloads join the event map by declaration merging.
declare module '@crm/plugin-sdk' {
  interface CrmEventMap {
    'crosssell.offered': { customerId: string; sku: string; antecedentSku: string | null };
    'crosssell.accepted': { customerId: string; sku: string; antecedentSku: string | null };
    'crosssell.dismissed': { customerId: string; sku: string; antecedentSku: string | null };
  }
}

const suggestion = z.object({ customerId: z.uuid(), sku: z.string(), antecedentSku: z.string().nullable() });

export const crossSellEvents = {
  'crosssell.offered': { subject: 'CrossSellOffer', description: 'A suggestion was offered to a customer', read: 'read', payload: suggestion },
  'crosssell.accepted': { subject: 'CrossSellResponse', description: 'A customer accepted a suggestion', read: 'read', payload: suggestion },
  'crosssell.dismissed': { subject: 'CrossSellResponse', description: 'A customer dismissed a suggestion', read: 'read', payload: suggestion },
};

// The declared payloads are the event map's types (both ways), or this does not compile.
const drifted: { [K in DriftedEventPayloads<typeof crossSellEvents>]: 'its payload and its CrmEventMap type differ' } = {};
void drifted;
