import type { Channel, LifecycleStage } from '@crm/db';
import { pickTaste } from './catalog.js';
import { addCampaignResponses } from './marketing.js';
import { emailFor, personName, phoneNumber } from './people.js';
import { addDeals } from './pipeline.js';
import { addOrderRows, orderTotal, type PurchaseHistory, simulatePurchases } from './purchases.js';
import type { Random } from './random.js';
import type { SeedRows } from './rows.js';
import { addTickets, addNpsAnswer } from './service.js';
import { addActivities, addTasks } from './timeline.js';
import { DAY, money, type SeedWorld, WEEK } from './world.js';

/** One customer as the other generators see them. */
export interface DemoCustomer {
  id: string;
  createdAt: number;
  ownerId: string | null;
  companyId: string | null;
  companySize: SeedWorld['companies'][number]['size'] | null;
  stage: LifecycleStage;
  history: PurchaseHistory;
  /** When the team marked them churned, or null. */
  churnedAt: number | null;
  /** Interactions stop a while after churn. */
  activeUntil: number;
}

const churnReasons = [
  'Price: found a cheaper supplier', 'Moved to a competitor (BeanCo)', 'Moved to a competitor (Brewster)', 'Service problems',
  'No longer needs the product', 'Business closed',
];

interface StageChange {
  stage: LifecycleStage;
  at: number;
  reason: string | null;
}

/**
 * The recorded lifecycle, derived from what happened: prospects qualify as leads, the first purchase makes a
 * customer, repeat buyers may become advocates, and a customer who has long stopped buying gets marked churned.
 */
function lifecycle(random: Random, world: SeedWorld, qualifies: boolean, createdAt: number, history: PurchaseHistory): { changes: StageChange[]; churnReason: string | null } {
  const changes: StageChange[] = [{ stage: 'PROSPECT', at: createdAt, reason: null }];
  const first = history.orders[0];
  const qualifiedAt = Math.min(world.asOf, createdAt + random.int(1, 20) * DAY);
  if (qualifies && (!first || qualifiedAt < first.orderedAt)) changes.push({ stage: 'LEAD', at: qualifiedAt, reason: 'Qualified' });
  if (!first) return { changes, churnReason: null };
  changes.push({ stage: 'CUSTOMER', at: first.orderedAt, reason: 'First purchase' });
  // Repeat buyers may become advocates: half of those with three orders, a few with two.
  const second = history.orders[1];
  const third = history.orders[2];
  const advocateAfter = third && random.chance(0.5) ? third : second && random.chance(0.15) ? second : null;
  if (advocateAfter) {
    changes.push({ stage: 'ADVOCATE', at: Math.min(world.asOf, advocateAfter.orderedAt + random.int(1, 14) * DAY), reason: 'Repeat buyer who recommends us' });
  }
  const last = history.orders[history.orders.length - 1]!.orderedAt;
  // The team notices silence, not the (unobservable) dropout itself: most of those who dropped out, a few who did not.
  const silentFor = world.asOf - last;
  const noticed = history.droppedOutAt !== null ? silentFor > 20 * WEEK && random.chance(0.75) : silentFor > 40 * WEEK && random.chance(0.3);
  if (!noticed) return { changes, churnReason: null };
  const churnReason = random.pick(churnReasons);
  const at = Math.min(world.asOf, Math.max(changes[changes.length - 1]!.at + DAY, last + random.int(20, 30) * WEEK));
  changes.push({ stage: 'CHURNED', at, reason: churnReason });
  return { changes, churnReason };
}

const sources: (readonly [Channel, number])[] = [['WEB', 35], ['SOCIAL', 15], ['IN_PERSON', 15], ['CHAT', 12], ['EMAIL', 12], ['PHONE', 11]];

/** Adds one customer's whole life (profile, stage history, purchases, interactions, deals, service, marketing). */
export function addCustomer(random: Random, world: SeedWorld, persona: number, number: number, rows: SeedRows): void {
  const { workspaceId, asOf } = world;
  // Acquisition grows over the two years: more customers joined recently.
  const createdAt = asOf - (1 - Math.sqrt(random.next())) * 104 * WEEK;
  const id = world.ids.uuid7(createdAt);
  const name = personName(random);
  // `persona` is well spread over [0, 1) for any number of customers: 12 % stay prospects, 16 % leads, 72 % buy.
  const buyer = persona >= 0.28;
  const taste = pickTaste(random);
  const firstAt = createdAt + random.exponential(1 / 10) * DAY;
  const history = buyer && firstAt < asOf ? simulatePurchases(random, world.catalog, taste, firstAt, asOf) : { orders: [], droppedOutAt: null };
  const { changes, churnReason } = lifecycle(random, world, persona >= 0.12 && (!buyer || random.chance(0.55)), createdAt, history);
  const stage = changes[changes.length - 1]!;
  const company = random.chance(0.4) ? random.pick(world.companies) : null;
  const ownerId = random.chance(0.8) ? random.pick(world.userIds) : null;

  const totals = history.orders.map(orderTotal);
  const lifetime = totals.reduce((a, b) => a + b, 0);
  const first = history.orders[0];
  const last = history.orders[history.orders.length - 1];
  const source = random.weighted(sources);
  const tags = [
    ...(lifetime > 100_000 ? ['vip'] : []),
    ...(random.chance(0.3) ? ['newsletter'] : []),
    ...(source === 'IN_PERSON' && random.chance(0.5) ? ['loyalty-card'] : []),
    ...(history.orders.some((o) => o.lines.some((l) => l.product.category === 'Machines' || l.product.category === 'Grinders')) && random.chance(0.5)
      ? ['warranty-card']
      : []),
    ...(company && company.size !== 'MICRO' && company.size !== 'SMALL' && random.chance(0.5) ? ['wholesale'] : []),
    ...(random.chance(0.05) ? ['contest'] : []),
  ];
  const yearsBuying = first ? Math.max(0.25, (asOf - first.orderedAt) / (52 * WEEK)) : 1;
  rows.customers.push({
    id, workspaceId, name,
    email: emailFor(random, name, number),
    phone: random.chance(0.6) ? phoneNumber(random) : null,
    lifecycleStage: stage.stage,
    stageChangedAt: new Date(stage.at),
    churnReason,
    source,
    ownerId,
    companyId: company?.id ?? null,
    tags,
    externalRef: `DEMO-${number}`,
    // What they spend a year on coffee and tea, with us and elsewhere (share of wallet); asked of half the buyers.
    annualWallet: buyer && random.chance(0.5) ? money(Math.max(Math.round((lifetime / yearsBuying) * (1.2 + random.next() * 2)), random.int(200, 3000) * 100)) : null,
    lifetimeValue: money(lifetime),
    orderCount: history.orders.length,
    firstOrderAt: first ? new Date(first.orderedAt) : null,
    lastOrderAt: last ? new Date(last.orderedAt) : null,
    createdAt: new Date(createdAt),
    updatedAt: new Date(Math.max(stage.at, last?.orderedAt ?? 0)),
  });
  changes.forEach((change, i) =>
    rows.stageChanges.push({
      id: world.ids.uuid7(change.at), workspaceId, customerId: id, fromStage: i ? changes[i - 1]!.stage : null, toStage: change.stage,
      reason: change.reason, actorId: 'system', changedAt: new Date(change.at),
    }),
  );
  addOrderRows(random, world, id, number, history, rows);

  const churnedAt = stage.stage === 'CHURNED' ? stage.at : null;
  const customer: DemoCustomer = {
    id, createdAt, ownerId, companyId: company?.id ?? null, companySize: company?.size ?? null, stage: stage.stage, history, churnedAt,
    activeUntil: churnedAt === null ? asOf : Math.min(asOf, churnedAt + 4 * WEEK),
  };
  addActivities(random, world, customer, rows);
  addDeals(random, world, customer, rows);
  addTickets(random, world, customer, rows);
  addNpsAnswer(random, world, customer, rows);
  addCampaignResponses(random, world, customer, rows);
  addTasks(random, world, customer, rows);
}

