// The events the cross-sell plugin publishes; their payloads join the event map by declaration merging.
declare module '@crm/plugin-sdk' {
  interface CrmEventMap {
    'crosssell.offered': { customerId: string; sku: string; antecedentSku: string | null };
    'crosssell.accepted': { customerId: string; sku: string; antecedentSku: string | null };
    'crosssell.dismissed': { customerId: string; sku: string; antecedentSku: string | null };
  }
}

export const crossSellEvents = {
  'crosssell.offered': { subject: 'CrossSellOffer', description: 'A suggestion was offered to a customer', read: 'read' },
  'crosssell.accepted': { subject: 'CrossSellResponse', description: 'A customer accepted a suggestion', read: 'read' },
  'crosssell.dismissed': { subject: 'CrossSellResponse', description: 'A customer dismissed a suggestion', read: 'read' },
};
