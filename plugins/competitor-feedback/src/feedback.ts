// Recording feedback on a competitor (a note on its record, prices): what `recordCompetitorFeedback` (a key, by hand)
// and the `competitor-feedback.recordFeedback` action (another plugin: a workflow's step) both do, in the caller's
// transaction. Ids are row ids; each one must be a record of the workspace (NOT_FOUND naming its field).
import { type ActionContext, type ActionDefinition, type Models, notFound, toMoney, z } from '@crm/plugin-sdk';
import type { CompetitorEvent } from './events.js';
import type { CompetitorSettings } from './settings.js';

type FeedbackScope = Pick<ActionContext<CompetitorSettings, CompetitorEvent>, 'tx' | 'session'>;

const money = z.string().trim().regex(/^\d{1,12}(\.\d{1,2})?$/, 'A non-negative decimal string with up to 2 decimals, e.g. "1234.50"');
/** The free-text and price fields, checked the same way by the mutation and the action. */
export const feedbackValues = z.object({
  note: z.string().trim().max(5000, 'At most 5,000 characters').nullish(),
  theirPrice: money.nullish(),
  ourPrice: money.nullish(),
});

export interface FeedbackInput extends z.output<typeof feedbackValues> {
  competitorId: string;
  customerId?: string | null;
  dealId?: string | null;
  activityId?: string | null;
  kind: Models.CompetitorFeedback['kind'];
  sentiment: Models.CompetitorFeedback['sentiment'];
}

async function assertExists(scope: FeedbackScope, model: 'competitor' | 'customer' | 'deal' | 'activity', id: string | null | undefined, field: string) {
  if (!id) return;
  const where = { where: { id }, select: { id: true } } as const;
  const row =
    model === 'competitor'
      ? await scope.tx.competitor.findUnique(where)
      : model === 'customer'
        ? await scope.tx.customer.findUnique(where)
        : model === 'deal'
          ? await scope.tx.deal.findUnique(where)
          : await scope.tx.activity.findUnique(where);
  if (!row) throw notFound(`${model[0]!.toUpperCase()}${model.slice(1)}`, field);
}

export async function recordFeedback(scope: FeedbackScope, input: FeedbackInput): Promise<Models.CompetitorFeedback> {
  await assertExists(scope, 'competitor', input.competitorId, 'competitorId');
  await assertExists(scope, 'customer', input.customerId, 'customerId');
  await assertExists(scope, 'activity', input.activityId, 'activityId');
  await assertExists(scope, 'deal', input.dealId, 'dealId');
  const their = input.theirPrice ? toMoney(input.theirPrice) : null;
  const ours = input.ourPrice ? toMoney(input.ourPrice) : null;
  return scope.tx.competitorFeedback.create({
    data: {
      workspaceId: scope.session.workspaceId,
      competitorId: input.competitorId,
      customerId: input.customerId ?? null,
      dealId: input.dealId ?? null,
      activityId: input.activityId ?? null,
      kind: input.kind,
      sentiment: input.sentiment,
      note: input.note || null,
      theirPrice: their,
      ourPrice: ours,
      priceGap: their && ours ? their.minus(ours) : null,
    },
  });
}

const rowIdOf = z.string().uuid('Not a valid id');
const recordFeedbackInput = feedbackValues.extend({
  competitorId: rowIdOf,
  customerId: rowIdOf.nullish(),
  dealId: rowIdOf.nullish(),
  kind: z.enum(['PRICE', 'PRODUCT', 'SERVICE', 'OTHER']).default('OTHER'),
  sentiment: z.enum(['POSITIVE', 'NEUTRAL', 'NEGATIVE']).default('NEUTRAL'),
});

/** `competitor-feedback.recordFeedback`: a note (and prices) on a competitor's record, for other plugins (a workflow's step). */
/** What it returns: the feedback written and the competitor it is about. */
const recordFeedbackOutput = z.object({ feedbackId: z.uuid().meta({ object: 'CompetitorFeedback' }), competitorId: z.uuid().meta({ object: 'Competitor' }) });

export const recordFeedbackAction: ActionDefinition<CompetitorSettings, CompetitorEvent, z.output<typeof recordFeedbackInput>, z.output<typeof recordFeedbackOutput>> = {
  description: "Writes feedback on a competitor's record: a note (kind OTHER, sentiment NEUTRAL unless given), optionally prices, the customer and deal.",
  input: recordFeedbackInput,
  output: recordFeedbackOutput,
  // A caller acting as a role (a workflow's step, as its publisher) needs what recording feedback by hand needs.
  permission: 'write',
  async run(input, context) {
    const feedback = await recordFeedback(context, input);
    return { feedbackId: feedback.id, competitorId: feedback.competitorId };
  },
};
