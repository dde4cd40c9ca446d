import { defineObject } from '../declaration.js';

export const Campaign = defineObject({
  name: 'Campaign',
  plural: 'campaigns',
  fields: {
    id: { kind: 'id', sort: true },
    name: { kind: 'string', sort: true, search: 'A' },
    channel: { kind: 'enum', enum: 'Channel', sort: true, group: true },
    startsAt: { kind: 'datetime', sort: true, group: true },
    endsAt: { kind: 'datetime', nullable: true, sort: true },
    cost: { kind: 'decimal', sort: true },
    createdAt: { kind: 'datetime', sort: true },
  },
  relations: {
    responses: { kind: 'toMany', target: 'CampaignResponse', key: 'campaignId' },
  },
  defaultOrder: [{ field: 'startsAt', direction: 'desc' }],
});

export const CampaignResponse = defineObject({
  name: 'CampaignResponse',
  fields: {
    id: { kind: 'id', sort: true },
    kind: { kind: 'enum', enum: 'CampaignResponseKind', sort: true, group: true },
    couponCode: { kind: 'string', nullable: true },
    occurredAt: { kind: 'datetime', sort: true, group: true },
    campaignId: { kind: 'reference', references: 'Campaign', group: true },
    customerId: { kind: 'reference', references: 'Customer', group: true },
  },
  relations: {
    campaign: { kind: 'toOne', target: 'Campaign', key: 'campaignId' },
    customer: { kind: 'toOne', target: 'Customer', key: 'customerId' },
  },
  defaultOrder: [{ field: 'occurredAt', direction: 'desc' }],
});
