import { type Campaign, type CampaignResponse, enums } from '@crm/db';
import type { Caller } from '../command.js';
import { conflict } from '../errors.js';
import { assertInWorkspace } from '../references.js';
import { fields, parseInput, z } from '../validation.js';
import { pastOrPresentDate } from './activities.js';
import { conflictOnDuplicate } from './products.js';

export const createCampaignInput = z
  .object({
    name: fields.name,
    channel: z.enum(enums.Channel),
    startsAt: fields.date.nullish(),
    endsAt: fields.date.nullish(),
    cost: fields.nonNegativeMoney.nullish(),
  })
  .superRefine((input, ctx) => {
    if (input.endsAt && input.endsAt < (input.startsAt ?? new Date())) {
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'A campaign cannot end before it starts' });
    }
  });

export const recordCampaignResponseInput = z
  .object({
    campaignId: fields.id,
    customerId: fields.id,
    kind: z.enum(enums.CampaignResponseKind),
    couponCode: z.string().trim().min(1, 'Must not be empty').max(100, 'At most 100 characters').nullish(),
    occurredAt: pastOrPresentDate.nullish(),
  })
  .superRefine((input, ctx) => {
    // A redemption is only attributable to the campaign through the coupon the customer used.
    if (input.kind === 'REDEEMED' && !input.couponCode) {
      ctx.addIssue({ code: 'custom', path: ['couponCode'], message: 'A REDEEMED response needs the couponCode that was used' });
    }
  });

export type CreateCampaignInput = z.input<typeof createCampaignInput>;
export type RecordCampaignResponseInput = z.input<typeof recordCampaignResponseInput>;

export async function createCampaign(caller: Caller, raw: CreateCampaignInput): Promise<Campaign> {
  const input = parseInput(createCampaignInput, raw);
  return caller.run(async (scope) => {
    const campaign = await scope.tx.campaign.create({
      data: {
        workspaceId: scope.session.workspaceId,
        name: input.name,
        channel: input.channel,
        startsAt: input.startsAt ?? new Date(),
        endsAt: input.endsAt ?? null,
        cost: input.cost ?? '0',
      },
    });
    scope.emit('campaign.created', { type: 'Campaign', id: campaign.id }, { name: campaign.name });
    return campaign;
  });
}

/** Records how one customer responded to a campaign; each kind of response counts once per customer and campaign. */
export async function recordCampaignResponse(caller: Caller, raw: RecordCampaignResponseInput): Promise<CampaignResponse> {
  const input = parseInput(recordCampaignResponseInput, raw);
  return caller.run(async (scope) => {
    const { tx } = scope;
    await assertInWorkspace(tx, 'campaign', input.campaignId, 'campaignId');
    await assertInWorkspace(tx, 'customer', input.customerId, 'customerId');
    const where = { campaignId: input.campaignId, customerId: input.customerId, kind: input.kind };
    const duplicate = conflict(`This customer's ${input.kind} response to the campaign is already recorded`, 'kind');
    if ((await tx.campaignResponse.count({ where })) > 0) throw duplicate;
    const write = tx.campaignResponse.create({
      data: {
        workspaceId: scope.session.workspaceId,
        ...where,
        couponCode: input.couponCode ?? null,
        occurredAt: input.occurredAt ?? new Date(),
      },
    });
    const response = await conflictOnDuplicate(write, duplicate);
    scope.emit(
      'campaign.response_recorded',
      { type: 'CampaignResponse', id: response.id },
      { campaignId: input.campaignId, customerId: input.customerId, kind: input.kind },
    );
    return response;
  });
}
