// Competitive figures: a few SQL aggregates (count, group by, sum, avg) per query, never loops over rows.
// Windows: mentions by the activity's time, feedback by when it was recorded, deals by when they closed,
// defections by when the customer churned; `from` inclusive, `to` exclusive.
import { type Builder, formatMoney, type Models, notFound, Prisma, rowId } from '@crm/plugin-sdk';
import type { CompetitorToolkit, CompetitorTypes } from './types.js';

interface Insights {
  competitor: Models.Competitor;
  mentions: number;
  sentiment: { positive: number; neutral: number; negative: number };
  dealsLost: number;
  dealsWon: number;
  winRate: number | null;
  lostRevenue: string;
  topLossReasons: { reason: string; deals: number }[];
  averagePriceGap: string | null;
  priceObservations: number;
  defections: number;
}
interface Standing {
  rank: number;
  competitor: Models.Competitor;
  lostRevenue: string;
  dealsLost: number;
  dealsWon: number;
  defections: number;
  mentions: number;
}

const ratio = (won: number, lost: number) => (won + lost > 0 ? Math.round((won / (won + lost)) * 10_000) / 10_000 : null);

export function registerCompetitorInsights(builder: Builder, plugin: CompetitorToolkit, types: CompetitorTypes) {
  const SentimentBreakdown = builder.objectRef<Insights['sentiment']>('CompetitorSentimentBreakdown').implement({
    fields: (t) => ({ positive: t.exposeInt('positive'), neutral: t.exposeInt('neutral'), negative: t.exposeInt('negative') }),
  });
  const LossReason = builder.objectRef<Insights['topLossReasons'][number]>('CompetitorLossReason').implement({
    fields: (t) => ({ reason: t.exposeString('reason'), deals: t.exposeInt('deals') }),
  });
  const InsightsType = builder.objectRef<Insights>('CompetitorInsights').implement({
    description: 'What we know about one competitor over a period.',
    fields: (t) => ({
      competitor: t.field({ type: types.competitor, resolve: (i) => i.competitor }),
      mentions: t.exposeInt('mentions', { description: 'Activities naming it.' }),
      sentiment: t.field({ type: SentimentBreakdown, description: 'Feedback records by sentiment.', resolve: (i) => i.sentiment }),
      dealsLost: t.exposeInt('dealsLost', { description: 'Deals lost to it (markDealLostToCompetitor).' }),
      dealsWon: t.exposeInt('dealsWon', { description: 'Deals won while it was linked to them.' }),
      winRate: t.exposeFloat('winRate', { nullable: true, description: 'dealsWon / (dealsWon + dealsLost), 0 to 1; null without either.' }),
      lostRevenue: t.expose('lostRevenue', { type: 'Decimal', description: 'Sum of the amounts of the deals lost to it.' }),
      topLossReasons: t.field({ type: [LossReason], description: 'The 5 most frequent reasons, most deals first.', resolve: (i) => i.topLossReasons }),
      averagePriceGap: t.expose('averagePriceGap', {
        type: 'Decimal',
        nullable: true,
        description: 'Average of theirPrice - ourPrice over feedback giving both (negative: they are cheaper).',
      }),
      priceObservations: t.exposeInt('priceObservations'),
      defections: t.exposeInt('defections'),
    }),
  });

  builder.queryField('competitorInsights', (t) =>
    t.field({
      type: InsightsType,
      args: {
        competitorId: t.arg.id({ required: true }),
        from: t.arg({ type: 'DateTime', required: true }),
        to: t.arg({ type: 'DateTime', required: true }),
      },
      resolve: async (_root, args, context) => {
        const db = plugin.authorize(context, 'read').db;
        const competitorId = rowId(args.competitorId, 'Competitor', 'competitorId');
        const competitor = await db.competitor.findUnique({ where: { id: competitorId } });
        if (!competitor) throw notFound('Competitor', 'competitorId');
        const window = { gte: args.from, lt: args.to };
        const [mentions, sentiment, outcomes, reasons, price, defections] = await Promise.all([
          db.competitorMention.count({ where: { competitorId, occurredAt: window } }),
          db.competitorFeedback.groupBy({ by: ['sentiment'], where: { competitorId, createdAt: window }, _count: { _all: true } }),
          db.competitorDeal.groupBy({ by: ['outcome'], where: { competitorId, closedAt: window }, _count: { _all: true }, _sum: { amount: true } }),
          db.competitorDeal.groupBy({
            by: ['lostReason'],
            where: { competitorId, closedAt: window, outcome: 'LOST_TO_COMPETITOR', lostReason: { not: null } },
            _count: { _all: true },
            orderBy: [{ _count: { lostReason: 'desc' } }, { lostReason: 'asc' }],
            take: 5,
          }),
          db.competitorFeedback.aggregate({ where: { competitorId, createdAt: window, priceGap: { not: null } }, _avg: { priceGap: true }, _count: { priceGap: true } }),
          db.competitorDefection.count({ where: { competitorId, occurredAt: window } }),
        ]);
        const bySentiment = (s: string) => sentiment.find((row) => row.sentiment === s)?._count._all ?? 0;
        const byOutcome = (o: string) => outcomes.find((row) => row.outcome === o);
        const lost = byOutcome('LOST_TO_COMPETITOR');
        const dealsLost = lost?._count._all ?? 0;
        const dealsWon = byOutcome('WON')?._count._all ?? 0;
        return {
          competitor,
          mentions,
          sentiment: { positive: bySentiment('POSITIVE'), neutral: bySentiment('NEUTRAL'), negative: bySentiment('NEGATIVE') },
          dealsLost,
          dealsWon,
          winRate: ratio(dealsWon, dealsLost),
          lostRevenue: formatMoney(lost?._sum.amount ?? 0)!,
          topLossReasons: reasons.map((row) => ({ reason: row.lostReason!, deals: row._count._all })),
          averagePriceGap: formatMoney(price._avg.priceGap),
          priceObservations: price._count.priceGap,
          defections,
        };
      },
    }),
  );

  const StandingType = builder.objectRef<Standing>('CompetitorStanding').implement({
    fields: (t) => ({
      rank: t.exposeInt('rank', { description: '1 = the competitor that cost us the most.' }),
      competitor: t.field({ type: types.competitor, resolve: (s) => s.competitor }),
      lostRevenue: t.expose('lostRevenue', { type: 'Decimal' }),
      dealsLost: t.exposeInt('dealsLost'),
      dealsWon: t.exposeInt('dealsWon'),
      defections: t.exposeInt('defections'),
      mentions: t.exposeInt('mentions'),
    }),
  });
  builder.queryField('competitiveLandscape', (t) =>
    t.field({
      type: [StandingType],
      description: 'Every competitor of the library, ranked by lost revenue, then defections, then mentions, then name.',
      args: { from: t.arg({ type: 'DateTime', required: true }), to: t.arg({ type: 'DateTime', required: true }) },
      resolve: async (_root, args, context) => {
        const db = plugin.authorize(context, 'read').db;
        const window = { gte: args.from, lt: args.to };
        const [competitors, deals, defections, mentions] = await Promise.all([
          db.competitor.findMany({ orderBy: { name: 'asc' } }),
          db.competitorDeal.groupBy({
            by: ['competitorId', 'outcome'],
            where: { closedAt: window, outcome: { in: ['WON', 'LOST_TO_COMPETITOR'] } },
            _count: { _all: true },
            _sum: { amount: true },
          }),
          db.competitorDefection.groupBy({ by: ['competitorId'], where: { occurredAt: window }, _count: { _all: true } }),
          db.competitorMention.groupBy({ by: ['competitorId'], where: { occurredAt: window }, _count: { _all: true } }),
        ]);
        // One row per competitor from each aggregate: merging them is per competitor, not per record.
        const dealRow = (id: string, outcome: string) => deals.find((row) => row.competitorId === id && row.outcome === outcome);
        const countOf = (rows: { competitorId: string; _count: { _all: number } }[], id: string) => rows.find((r) => r.competitorId === id)?._count._all ?? 0;
        const standings = competitors.map((competitor) => {
          const lost = dealRow(competitor.id, 'LOST_TO_COMPETITOR');
          return {
            competitor,
            lostAmount: lost?._sum.amount ?? new Prisma.Decimal(0),
            dealsLost: lost?._count._all ?? 0,
            dealsWon: dealRow(competitor.id, 'WON')?._count._all ?? 0,
            defections: countOf(defections, competitor.id),
            mentions: countOf(mentions, competitor.id),
          };
        });
        standings.sort(
          (a, b) => b.lostAmount.comparedTo(a.lostAmount) || b.defections - a.defections || b.mentions - a.mentions || a.competitor.name.localeCompare(b.competitor.name),
        );
        return standings.map(({ lostAmount, ...s }, index) => ({ ...s, rank: index + 1, lostRevenue: formatMoney(lostAmount)! }));
      },
    }),
  );
}
