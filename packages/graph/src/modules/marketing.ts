import { createCampaign, recordCampaignResponse } from '@crm/core';
import type { Builder } from '../builder.js';
import { orderedBy } from '../relation-order.js';
import { callerOf } from '../caller.js';
import { rowId } from '../ids.js';
import { payloadType } from '../payload.js';
import type { Enums } from './enums.js';

/** Marketing: campaigns and customers' responses to them. */
export function registerMarketing(builder: Builder, enums: Enums) {
  builder.prismaNode('Campaign', {
    id: { field: 'id' },
    fields: (t) => ({
      name: t.exposeString('name'),
      channel: t.expose('channel', { type: enums.Channel }),
      startsAt: t.expose('startsAt', { type: 'DateTime' }),
      endsAt: t.expose('endsAt', { type: 'DateTime', nullable: true }),
      cost: t.expose('cost', { type: 'Decimal' }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      responses: t.relatedConnection('responses', { cursor: 'id', totalCount: true, ...orderedBy({ occurredAt: 'desc' }, { id: 'desc' }) }),
    }),
  });

  // A node, so events about a response (campaign.response_recorded) have a subject clients can look up.
  builder.prismaNode('CampaignResponse', {
    id: { field: 'id' },
    fields: (t) => ({
      kind: t.expose('kind', { type: enums.CampaignResponseKind }),
      couponCode: t.exposeString('couponCode', { nullable: true }),
      occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
      campaign: t.relation('campaign'),
      customer: t.relation('customer'),
    }),
  });

  builder.queryFields((t) => ({
    campaigns: t.prismaConnection({
      type: 'Campaign',
      cursor: 'id',
      authScopes: { authenticated: true },
      resolve: (query, _root, _args, ctx) => callerOf(ctx).db.campaign.findMany({ ...query, orderBy: [{ startsAt: 'desc' }, { id: 'desc' }] }),
      totalCount: (_c, _a, ctx) => callerOf(ctx).db.campaign.count(),
    }),
  }));

  const CreateCampaignInput = builder.inputType('CreateCampaignInput', {
    fields: (t) => ({
      name: t.string({ required: true }),
      channel: t.field({ type: enums.Channel, required: true }),
      startsAt: t.field({ type: 'DateTime', description: 'Defaults to now.' }),
      endsAt: t.field({ type: 'DateTime', description: 'Not before startsAt; null for an open-ended campaign.' }),
      cost: t.field({ type: 'Decimal', description: 'What the campaign costs; defaults to "0.00".' }),
    }),
  });
  const RecordCampaignResponseInput = builder.inputType('RecordCampaignResponseInput', {
    description: 'Each kind counts once per customer and campaign (CONFLICT on a repeat).',
    fields: (t) => ({
      campaignId: t.id({ required: true }),
      customerId: t.id({ required: true }),
      kind: t.field({ type: enums.CampaignResponseKind, required: true }),
      couponCode: t.string({ description: 'Required for REDEEMED.' }),
      occurredAt: t.field({ type: 'DateTime', description: 'Defaults to now.' }),
    }),
  });
  const CreateCampaignPayload = payloadType(builder, 'CreateCampaignPayload', 'campaign', 'Campaign');
  const RecordCampaignResponsePayload = payloadType(builder, 'RecordCampaignResponsePayload', 'campaignResponse', 'CampaignResponse');

  builder.mutationFields((t) => ({
    createCampaign: t.field({
      type: CreateCampaignPayload,
      args: { input: t.arg({ type: CreateCampaignInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({ campaign: await createCampaign(callerOf(ctx), input) }),
    }),
    recordCampaignResponse: t.field({
      type: RecordCampaignResponsePayload,
      args: { input: t.arg({ type: RecordCampaignResponseInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        campaignResponse: await recordCampaignResponse(callerOf(ctx), {
          ...input,
          campaignId: rowId(input.campaignId, 'Campaign', 'campaignId'),
          customerId: rowId(input.customerId, 'Customer', 'customerId'),
        }),
      }),
    }),
  }));
}
