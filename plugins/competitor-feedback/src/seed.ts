// Demo data: three competitors, calls and emails naming them (mentions found by the same matcher as live ones),
// feedback with prices, some closed deals contested by them, and churned customers who went to one.
import type { SeedContext } from '@crm/plugin-sdk';
import { nameKey } from './library.js';
import { competitorMatcher } from './matcher.js';
import type { CompetitorSettings } from './settings.js';

const demoCompetitors = [
  { name: 'BeanBox', website: 'https://beanbox.example', aliases: ['Bean Box'], strengths: 'Cheap subscriptions', weaknesses: 'Slow support' },
  { name: 'Brewtopia Inc.', website: 'https://brewtopia.example', aliases: ['Brewtopia'], strengths: 'Machines with app control', weaknesses: 'Expensive repairs' },
  { name: 'GrindHouse', website: 'https://grindhouse.example', aliases: [], strengths: 'Local roasters', weaknesses: 'Small catalog' },
];
const demoTexts = [
  'Customer compared our price with BeanBox',
  'Asked whether we match Brewtopia on machine financing',
  'Thinking about switching to Bean Box for the subscription',
  'GrindHouse offered a free grinder',
  'Happy with us, but Brewtopia Inc. called them twice',
];
const reasons = ['Price', 'Price', 'Feature gap', 'Relationship'];

export async function seedCompetitors({ db, workspaceId, random, commands }: SeedContext<CompetitorSettings>) {
  const competitors = await db.competitor.createManyAndReturn({
    data: demoCompetitors.map((c) => ({ ...c, workspaceId, nameKey: nameKey(c.name) })),
    skipDuplicates: true,
  });
  if (!competitors.length) return; // seeded before
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const customers = await db.customer.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' }, take: 40 });
  const now = Date.now();
  // Through the core's command (its validation and activity.logged events); the mentions are made here at once, and the
  // subscriber that also sees those events finds them already there (unique per activity and competitor).
  const activities = [];
  for (const [i, c] of customers.entries()) {
    activities.push(
      await commands.logActivity({
        customerId: c.id,
        type: 'CALL',
        channel: 'PHONE',
        direction: 'INBOUND',
        subject: demoTexts[i % demoTexts.length]!,
        occurredAt: new Date(now - Math.floor(random() * 90) * 86_400_000),
      }),
    );
  }
  const match = competitorMatcher(competitors);
  await db.competitorMention.createMany({
    data: activities.flatMap((a) =>
      match(a.subject).map((m) => ({ workspaceId, competitorId: m.competitorId, activityId: a.id, customerId: a.customerId, matched: m.matched, occurredAt: a.occurredAt })),
    ),
    skipDuplicates: true,
  });
  await db.competitorFeedback.createMany({
    data: customers.slice(0, 15).map((c) => {
      const ours = 40 + Math.floor(random() * 20);
      const theirs = ours - 10 + Math.floor(random() * 15);
      return {
        workspaceId,
        competitorId: pick(competitors).id,
        customerId: c.id,
        kind: pick(['PRICE', 'PRODUCT', 'SERVICE'] as const),
        sentiment: pick(['POSITIVE', 'NEUTRAL', 'NEGATIVE'] as const),
        theirPrice: theirs.toFixed(2),
        ourPrice: ours.toFixed(2),
        priceGap: (theirs - ours).toFixed(2),
      };
    }),
  });
  const closed = await db.deal.findMany({ where: { status: { in: ['WON', 'LOST'] } }, select: { id: true, status: true, amount: true, closedAt: true, lostReason: true }, take: 30 });
  await db.competitorDeal.createMany({
    data: closed.map((d) => ({
      workspaceId,
      competitorId: pick(competitors).id,
      dealId: d.id,
      outcome: d.status === 'WON' ? ('WON' as const) : ('LOST_TO_COMPETITOR' as const),
      amount: d.amount,
      closedAt: d.closedAt,
      lostReason: d.status === 'LOST' ? (d.lostReason ?? pick(reasons)) : null,
    })),
    skipDuplicates: true,
  });
  const churned = await db.customer.findMany({ where: { lifecycleStage: 'CHURNED' }, select: { id: true, stageChangedAt: true, churnReason: true }, take: 10 });
  await db.competitorDefection.createMany({
    data: churned.map((c) => ({ workspaceId, competitorId: pick(competitors).id, customerId: c.id, reason: c.churnReason, occurredAt: c.stageChangedAt })),
    skipDuplicates: true,
  });
}
