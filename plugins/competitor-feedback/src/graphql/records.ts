// Feedback, deal links, lost-to-competitor and defections: each one transaction through `plugin.run`.
import {
  badInput,
  type Builder,
  conflict,
  formatMoney,
  globalId,
  type Models,
  notFound,
  optionalRowId,
  parseInput,
  type PluginCommandScope,
  type Prisma,
  rowId,
  z,
} from '@crm/plugin-sdk';
import { linkOutcomeOf } from '../deal-outcomes.js';
import { feedbackValues, recordFeedback } from '../feedback.js';
import type { CompetitorSettings } from '../settings.js';
import type { CompetitorToolkit, CompetitorTypes } from './types.js';

type Scope = PluginCommandScope<CompetitorSettings>;

const reasonInput = z.object({ reason: z.string().trim().min(1, 'Say why').max(500, 'At most 500 characters') });

async function competitorIn(scope: Scope, id: string, field = 'competitorId'): Promise<Models.Competitor> {
  const competitor = await scope.tx.competitor.findUnique({ where: { id: rowId(id, 'Competitor', field) } });
  if (!competitor) throw notFound('Competitor', field);
  return competitor;
}
async function dealIn(scope: Scope, id: string, field = 'dealId'): Promise<Models.Deal> {
  const deal = await scope.tx.deal.findUnique({ where: { id: rowId(id, 'Deal', field) } });
  if (!deal) throw notFound('Deal', field);
  return deal;
}
type LinkOutcome = Omit<Prisma.CompetitorDealUncheckedCreateInput, 'workspaceId' | 'dealId' | 'competitorId'>;

/** Creates the deal's link to the competitor with `create`, or applies `update` to the one there is. */
function saveLink(scope: Scope, dealId: string, competitorId: string, create: LinkOutcome, update: LinkOutcome) {
  return scope.tx.competitorDeal.upsert({
    where: { dealId_competitorId: { dealId, competitorId } },
    create: { workspaceId: scope.session.workspaceId, dealId, competitorId, ...create },
    update,
  });
}

export function registerCompetitorRecords(builder: Builder, plugin: CompetitorToolkit, types: CompetitorTypes) {
  const FeedbackPayload = builder.objectRef<{ feedback: Models.CompetitorFeedback }>('RecordCompetitorFeedbackPayload').implement({
    fields: (t) => ({ feedback: t.field({ type: types.feedback, resolve: (p) => p.feedback }) }),
  });
  builder.mutationField('recordCompetitorFeedback', (t) =>
    t.field({
      type: FeedbackPayload,
      description: 'Records what a customer said about a competitor; prices as decimal strings.',
      args: {
        input: t.arg({
          type: builder.inputType('RecordCompetitorFeedbackInput', {
            fields: (f) => ({
              competitorId: f.id({ required: true }),
              customerId: f.id({ required: false }),
              dealId: f.id({ required: false }),
              activityId: f.id({ required: false }),
              kind: f.field({ type: types.FeedbackKind, required: true }),
              sentiment: f.field({ type: types.Sentiment, required: true }),
              note: f.string({ required: false }),
              theirPrice: f.field({ type: 'Decimal', required: false }),
              ourPrice: f.field({ type: 'Decimal', required: false }),
            }),
          }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'write', async (scope) => {
          const feedback = await recordFeedback(scope, {
            ...parseInput(feedbackValues, input),
            competitorId: rowId(input.competitorId, 'Competitor', 'competitorId'),
            customerId: optionalRowId(input.customerId, 'Customer', 'customerId'),
            activityId: optionalRowId(input.activityId, 'Activity', 'activityId'),
            dealId: optionalRowId(input.dealId, 'Deal', 'dealId'),
            kind: input.kind,
            sentiment: input.sentiment,
          });
          return { feedback };
        }),
    }),
  );

  const DealLinkPayload = builder.objectRef<{ link: Models.CompetitorDeal }>('CompetitorDealPayload').implement({
    fields: (t) => ({ link: t.field({ type: types.dealLink, resolve: (p) => p.link }) }),
  });
  builder.mutationField('linkCompetitorToDeal', (t) =>
    t.field({
      type: DealLinkPayload,
      description: 'Notes that a competitor is in a deal (again: no change). When the deal is won, it counts as a win against it.',
      args: {
        input: t.arg({
          type: builder.inputType('LinkCompetitorToDealInput', {
            fields: (f) => ({ dealId: f.id({ required: true }), competitorId: f.id({ required: true }) }),
          }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'write', async (scope) => {
          const deal = await dealIn(scope, input.dealId);
          const competitor = await competitorIn(scope, input.competitorId);
          return { link: await saveLink(scope, deal.id, competitor.id, linkOutcomeOf(deal), {}) };
        }),
    }),
  );

  const UnlinkPayload = builder.objectRef<{ dealId: string; competitor: Models.Competitor; linkId: string }>('UnlinkCompetitorFromDealPayload').implement({
    fields: (t) => ({
      deal: t.prismaField({
        type: 'Deal',
        description: 'The deal, without the competitor among its `competitors` now.',
        resolve: (query, p, _args, context) => plugin.authorize(context, 'read').db.deal.findUniqueOrThrow({ ...query, where: { id: p.dealId } }),
      }),
      competitor: t.field({ type: types.competitor, resolve: (p) => p.competitor }),
      unlinkedLinkId: t.id({ description: 'The global id of the removed CompetitorDeal.', resolve: (p) => globalId('CompetitorDeal', p.linkId) }),
    }),
  });
  builder.mutationField('unlinkCompetitorFromDeal', (t) =>
    t.field({
      type: UnlinkPayload,
      description:
        'Takes a competitor out of a deal (linked by mistake, or it left the race). NOT_FOUND when they are not linked; CONFLICT when ' +
        'the deal was lost to this competitor (reopen the deal first, so the loss is not silently erased from the figures).',
      args: {
        input: t.arg({
          type: builder.inputType('UnlinkCompetitorFromDealInput', {
            fields: (f) => ({ dealId: f.id({ required: true }), competitorId: f.id({ required: true }) }),
          }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'write', async (scope) => {
          const deal = await dealIn(scope, input.dealId);
          const competitor = await competitorIn(scope, input.competitorId);
          const link = await scope.tx.competitorDeal.findUnique({ where: { dealId_competitorId: { dealId: deal.id, competitorId: competitor.id } } });
          if (!link) throw notFound('CompetitorDeal', 'competitorId');
          if (link.outcome === 'LOST_TO_COMPETITOR') throw conflict('The deal was lost to this competitor: reopen the deal before unlinking it', 'competitorId');
          await scope.tx.competitorDeal.delete({ where: { id: link.id } });
          return { dealId: deal.id, competitor, linkId: link.id };
        }),
    }),
  );

  builder.mutationField('markDealLostToCompetitor', (t) =>
    t.field({
      type: DealLinkPayload,
      description: "Moves the deal to its pipeline's lost stage with the reason (the core's moveDeal) and records the loss, in one transaction.",
      args: {
        input: t.arg({
          type: builder.inputType('MarkDealLostToCompetitorInput', {
            fields: (f) => ({ dealId: f.id({ required: true }), competitorId: f.id({ required: true }), reason: f.string({ required: true }) }),
          }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'write', async (scope) => {
          const { reason } = parseInput(reasonInput, input);
          const before = await dealIn(scope, input.dealId);
          const competitor = await competitorIn(scope, input.competitorId);
          if (before.status === 'LOST') throw conflict('The deal is already lost', 'dealId');
          const lostStage = await scope.tx.stage.findFirst({ where: { pipelineId: before.pipelineId, isLost: true }, orderBy: { position: 'asc' } });
          if (!lostStage) throw badInput("The deal's pipeline has no lost stage", 'dealId');
          const deal = await scope.commands.moveDeal({ id: before.id, stageId: lostStage.id, lostReason: reason });
          const outcome = { outcome: 'LOST_TO_COMPETITOR' as const, amount: deal.amount, lostReason: reason, closedAt: deal.closedAt };
          const link = await saveLink(scope, deal.id, competitor.id, outcome, outcome);
          scope.emit('competitor.deal_lost', { type: 'Competitor', id: competitor.id }, {
            competitorId: competitor.id,
            dealId: deal.id,
            customerId: deal.customerId,
            amount: formatMoney(deal.amount)!,
            reason,
          });
          return { link };
        }),
    }),
  );

  const DefectionPayload = builder.objectRef<{ defection: Models.CompetitorDefection }>('RecordDefectionPayload').implement({
    fields: (t) => ({ defection: t.field({ type: types.defection, resolve: (p) => p.defection }) }),
  });
  builder.mutationField('recordDefection', (t) =>
    t.field({
      type: DefectionPayload,
      description: 'Records that a churned customer (lifecycle CHURNED) went to a competitor; one per customer (recording again replaces it).',
      args: {
        input: t.arg({
          type: builder.inputType('RecordDefectionInput', {
            fields: (f) => ({ customerId: f.id({ required: true }), competitorId: f.id({ required: true }), reason: f.string({ required: false }) }),
          }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'write', async (scope) => {
          const reason = parseInput(z.object({ reason: z.string().trim().max(500, 'At most 500 characters').nullish() }), input).reason || null;
          const customerId = rowId(input.customerId, 'Customer', 'customerId');
          const customer = await scope.tx.customer.findUnique({ where: { id: customerId }, select: { lifecycleStage: true, stageChangedAt: true } });
          if (!customer) throw notFound('Customer', 'customerId');
          if (customer.lifecycleStage !== 'CHURNED') throw badInput('Only a churned customer (lifecycle CHURNED) can defect', 'customerId');
          const competitor = await competitorIn(scope, input.competitorId);
          const data = { competitorId: competitor.id, reason, occurredAt: customer.stageChangedAt };
          const defection = await scope.tx.competitorDefection.upsert({
            where: { workspaceId_customerId: { workspaceId: scope.session.workspaceId, customerId } },
            create: { workspaceId: scope.session.workspaceId, customerId, ...data },
            update: data,
          });
          scope.emit('competitor.defection_recorded', { type: 'Competitor', id: competitor.id }, { competitorId: competitor.id, customerId, reason });
          return { defection };
        }),
    }),
  );
}
