import { createCampaign, recordCampaignResponse } from '@crm/core';
import type { Builder } from '../builder.js';
import type { DeclaredObjects } from '../objects/declared-objects.js';
import { callerOf } from '../caller.js';
import { rowId } from '../ids.js';
import { payloadType } from '../payload.js';
import type { Enums } from './enums.js';

/** Marketing: campaigns and customers' responses to them. */
export function registerMarketing(builder: Builder, enums: Enums, objects: DeclaredObjects) {
  objects.register('Campaign');
  objects.register('CampaignResponse');

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
