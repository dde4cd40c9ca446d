// The competitor types and `Customer.competitorMentions`, resolved through a per-request loader: one query per page
// of customers.
import { type Builder, declaredRef, globalId, type PluginToolkit, type Prisma, type ScopedPrisma } from '@crm/plugin-sdk';
import type { CompetitorSettings } from '../settings.js';

export type CompetitorPermission = 'read' | 'write';
export type CompetitorToolkit = PluginToolkit<CompetitorSettings, CompetitorPermission>;

const optionalGlobalId = (type: string, id: string | null) => (id ? globalId(type, id) : null);

export function registerCompetitorTypes(builder: Builder, plugin: CompetitorToolkit) {
  const FeedbackKind = builder.enumType('CompetitorFeedbackKind', { values: ['PRICE', 'PRODUCT', 'SERVICE', 'OTHER'] as const });
  const Sentiment = builder.enumType('CompetitorSentiment', { values: ['POSITIVE', 'NEUTRAL', 'NEGATIVE'] as const });
  const DealOutcome = builder.enumType('CompetitorDealOutcome', {
    values: ['OPEN', 'WON', 'LOST_TO_COMPETITOR', 'LOST_OTHER'] as const,
  });

  // Competitor itself is a declared object (src/objects.ts): its type and lists come from the declaration.
  const competitor = declaredRef(builder, 'Competitor');

  const feedback = builder.prismaNode('CompetitorFeedback', {
    id: { field: 'id' },
    fields: (t) => ({
      competitor: t.relation('competitor'),
      customerId: t.id({ nullable: true, resolve: (f) => optionalGlobalId('Customer', f.customerId) }),
      dealId: t.id({ nullable: true, resolve: (f) => optionalGlobalId('Deal', f.dealId) }),
      activityId: t.id({ nullable: true, resolve: (f) => optionalGlobalId('Activity', f.activityId) }),
      kind: t.expose('kind', { type: FeedbackKind }),
      sentiment: t.expose('sentiment', { type: Sentiment }),
      note: t.exposeString('note', { nullable: true }),
      theirPrice: t.expose('theirPrice', { type: 'Decimal', nullable: true }),
      ourPrice: t.expose('ourPrice', { type: 'Decimal', nullable: true }),
      priceGap: t.expose('priceGap', { type: 'Decimal', nullable: true, description: 'theirPrice - ourPrice (negative: they are cheaper).' }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });

  const mention = builder.prismaNode('CompetitorMention', {
    id: { field: 'id' },
    description: "A competitor named in an activity's subject or body.",
    fields: (t) => ({
      competitor: t.relation('competitor'),
      matched: t.exposeString('matched', { description: 'The text as it appeared.' }),
      activityId: t.id({ resolve: (m) => globalId('Activity', m.activityId) }),
      customerId: t.id({ resolve: (m) => globalId('Customer', m.customerId) }),
      occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    }),
  });

  const dealLink = builder.prismaNode('CompetitorDeal', {
    id: { field: 'id' },
    description: 'A deal a competitor is in, and how it ended for us.',
    fields: (t) => ({
      competitor: t.relation('competitor'),
      dealId: t.id({ resolve: (d) => globalId('Deal', d.dealId) }),
      outcome: t.expose('outcome', { type: DealOutcome }),
      amount: t.expose('amount', { type: 'Decimal', nullable: true }),
      lostReason: t.exposeString('lostReason', { nullable: true }),
      closedAt: t.expose('closedAt', { type: 'DateTime', nullable: true }),
    }),
  });

  const defection = builder.prismaNode('CompetitorDefection', {
    id: { field: 'id' },
    description: 'A churned customer who went to a competitor.',
    fields: (t) => ({
      competitor: t.relation('competitor'),
      customerId: t.id({ resolve: (d) => globalId('Customer', d.customerId) }),
      reason: t.exposeString('reason', { nullable: true }),
      occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    }),
  });

  // Keyed by parent row and by the selection Pothos asks for (the same for every parent of a page), so a page's
  // mentions or deal links, with their competitors, load in one query.
  const mentionsOf = listLoader(plugin, (db, ids, query: Selection<Prisma.CompetitorMentionInclude, Prisma.CompetitorMentionSelect>) =>
    db.competitorMention
      .findMany({ ...query, where: { customerId: { in: ids } }, orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }] })
      .then((rows) => rows.map((row) => [row.customerId, row] as const)),
  );
  builder.prismaObjectField('Customer', 'competitorMentions', (t) =>
    t.prismaField({
      type: ['CompetitorMention'],
      description: "Competitors named in the customer's activities, newest first.",
      resolve: async (query, customer, _args, context) => (await mentionsOf.load(context, { id: customer.id, query })) ?? [],
    }),
  );
  const linksOf = listLoader(plugin, (db, ids, query: Selection<Prisma.CompetitorDealInclude, Prisma.CompetitorDealSelect>) =>
    db.competitorDeal
      .findMany({ ...query, where: { dealId: { in: ids } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
      .then((rows) => rows.map((row) => [row.dealId, row] as const)),
  );
  builder.prismaObjectField('Deal', 'competitors', (t) =>
    t.prismaField({
      type: ['CompetitorDeal'],
      description: 'Competitors in this deal (linkCompetitorToDeal, markDealLostToCompetitor) and how it ended against each.',
      resolve: async (query, deal, _args, context) => (await linksOf.load(context, { id: deal.id, query })) ?? [],
    }),
  );

  return { competitor, feedback, mention, dealLink, defection, FeedbackKind, Sentiment, DealOutcome };
}

export type CompetitorTypes = ReturnType<typeof registerCompetitorTypes>;

type Selection<Include, Select> = { include?: Include; select?: Select };
type ListKey<Query> = { id: string; query: Query };

/** A loader of the rows of many parents: one `find` per distinct selection, rows grouped by parent id. */
function listLoader<Query, Row>(
  plugin: CompetitorToolkit,
  find: (db: ScopedPrisma, ids: string[], query: Query) => Promise<(readonly [string, Row])[]>,
) {
  return plugin.loader<ListKey<Query>, Row[]>(async (keys, context) => {
    const db = plugin.authorize(context, 'read').db;
    const found = new Map<ListKey<Query>, Row[]>();
    const bySelection = new Map<string, ListKey<Query>[]>();
    for (const key of keys) {
      const selection = JSON.stringify(key.query);
      bySelection.set(selection, [...(bySelection.get(selection) ?? []), key]);
    }
    for (const group of bySelection.values()) {
      const byParent = new Map<string, Row[]>();
      for (const [parent, row] of await find(db, group.map((k) => k.id), group[0]!.query)) byParent.set(parent, [...(byParent.get(parent) ?? []), row]);
      for (const key of group) found.set(key, byParent.get(key.id) ?? []);
    }
    return found;
  });
}
