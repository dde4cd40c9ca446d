import type { Prisma } from '@crm/db';
import type { DemoProduct } from './catalog.js';
import { csat, dealTitles, interaction, lostReasons, nps, taskTitles, ticketSubjects } from './engagement.js';
import { churnReasons, emailFor, personName, phoneNumber } from './people.js';
import { cents, simulatePurchases } from './purchases.js';
import type { Random } from './random.js';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** What every customer's life refers to: the workspace's team, companies, catalog, pipeline and campaigns. */
export interface SeedWorld {
  workspaceId: string;
  /** Ids come from their own generator, mixed with the workspace id: same data in two workspaces, distinct ids. */
  ids: Random;
  asOf: number;
  userIds: string[];
  companyIds: string[];
  catalog: (DemoProduct & { id: string })[];
  stages: { id: string; pipelineId: string; probability: number; isWon: boolean; isLost: boolean }[];
  campaigns: { id: string; startsAt: number }[];
}

/** The rows of a batch of customers, in insertion order (parents before children). */
export interface SeedRows {
  customers: Prisma.CustomerCreateManyInput[];
  stageChanges: Prisma.LifecycleChangeCreateManyInput[];
  orders: Prisma.OrderCreateManyInput[];
  lines: Prisma.OrderLineCreateManyInput[];
  activities: Prisma.ActivityCreateManyInput[];
  deals: Prisma.DealCreateManyInput[];
  tickets: Prisma.TicketCreateManyInput[];
  surveys: Prisma.SurveyResponseCreateManyInput[];
  responses: Prisma.CampaignResponseCreateManyInput[];
  tasks: Prisma.TaskCreateManyInput[];
}

export const emptyRows = (): SeedRows => ({
  customers: [], stageChanges: [], orders: [], lines: [], activities: [], deals: [], tickets: [], surveys: [], responses: [], tasks: [],
});

type Stage = 'PROSPECT' | 'LEAD' | 'CUSTOMER' | 'ADVOCATE' | 'CHURNED';
const channels = ['WEB', 'PHONE', 'CHAT', 'EMAIL', 'SOCIAL', 'IN_PERSON'] as const;

/** Adds one customer's whole life (profile, stage history, purchases, interactions, deals, service) to `rows`. */
export function addCustomerLife(random: Random, world: SeedWorld, index: number, rows: SeedRows): void {
  const { workspaceId, asOf } = world;
  const createdAt = asOf - random.next() * 104 * WEEK;
  const id = world.ids.uuid7(createdAt);
  const name = personName(random);
  const buyer = random.chance(0.72);
  const orders = buyer ? simulatePurchases(random, world.catalog, createdAt + random.int(0, 21) * DAY, asOf) : [];

  // The stage follows from the history, as it would have been recorded.
  const history: { stage: Stage; at: number; reason?: string }[] = [{ stage: 'PROSPECT', at: createdAt }];
  if (buyer || random.chance(0.5)) history.push({ stage: 'LEAD', at: createdAt + random.int(1, 10) * DAY });
  const last = orders[orders.length - 1];
  if (orders.length) history.push({ stage: 'CUSTOMER', at: orders[0]!.orderedAt.getTime() });
  if (orders.length >= 4 && random.chance(0.45)) history.push({ stage: 'ADVOCATE', at: orders[3]!.orderedAt.getTime() + DAY });
  let churnReason: string | null = null;
  if (last && asOf - last.orderedAt.getTime() > 26 * WEEK && random.chance(0.6)) {
    churnReason = random.pick(churnReasons);
    history.push({ stage: 'CHURNED', at: last.orderedAt.getTime() + 26 * WEEK, reason: churnReason });
  }
  const stage = history[history.length - 1]!;

  const totalCents = orders.reduce((sum, o) => sum + o.total, 0);
  rows.customers.push({
    id, workspaceId, name,
    email: emailFor(name, index, random.pick(['example.com', 'mail.example', 'inbox.example'])),
    phone: random.chance(0.6) ? phoneNumber(random) : null,
    lifecycleStage: stage.stage,
    stageChangedAt: new Date(stage.at),
    churnReason,
    source: random.pick(channels),
    ownerId: random.chance(0.8) ? random.pick(world.userIds) : null,
    companyId: random.chance(0.7) ? random.pick(world.companyIds) : null,
    tags: random.chance(0.3) ? [random.pick(['vip', 'wholesale', 'newsletter', 'event', 'beta'])] : [],
    externalRef: `DEMO-${index}`,
    annualWallet: buyer && random.chance(0.5) ? cents(Math.max(totalCents, random.int(200, 3000) * 100)) : null,
    lifetimeValue: cents(totalCents),
    orderCount: orders.length,
    firstOrderAt: orders[0]?.orderedAt ?? null,
    lastOrderAt: last?.orderedAt ?? null,
    createdAt: new Date(createdAt),
    updatedAt: new Date(stage.at),
  });
  history.forEach((change, i) =>
    rows.stageChanges.push({
      id: world.ids.uuid7(change.at), workspaceId, customerId: id, fromStage: i ? history[i - 1]!.stage : null, toStage: change.stage,
      reason: change.reason ?? null, actorId: 'system', changedAt: new Date(change.at),
    }),
  );

  for (const order of orders) {
    const orderId = world.ids.uuid7(order.orderedAt.getTime());
    rows.orders.push({
      id: orderId, workspaceId, customerId: id, orderRef: `DEMO-${index}-${rows.orders.length}`, orderedAt: order.orderedAt,
      total: cents(order.total), cost: cents(order.cost), channel: random.pick(['WEB', 'WEB', 'PHONE', 'IN_PERSON'] as const), createdAt: order.orderedAt,
    });
    for (const line of order.lines) {
      const product = line.product as DemoProduct & { id: string };
      rows.lines.push({
        id: world.ids.uuid7(order.orderedAt.getTime()), workspaceId, orderId, productId: product.id, sku: product.sku, quantity: line.quantity,
        unitPrice: cents(product.price), unitCost: cents(product.cost), total: cents(product.price * line.quantity),
      });
    }
  }

  for (let i = random.int(4, 16); i > 0; i--) {
    const at = createdAt + random.next() * (asOf - createdAt);
    const { type, channel, subject, direction } = interaction(random);
    rows.activities.push({
      id: world.ids.uuid7(at), workspaceId, customerId: id, type: type as never, channel: channel as never, direction, subject,
      body: random.chance(0.3) ? `${subject}. Notes taken by the team.` : null, occurredAt: new Date(at), createdAt: new Date(at),
    });
  }

  if (random.chance(buyer ? 0.35 : 0.25)) addDeal(random, world, id, createdAt, rows);
  if (buyer && random.chance(0.25)) addTickets(random, world, id, createdAt, rows);
  if (buyer && random.chance(0.3)) {
    const at = createdAt + random.next() * (asOf - createdAt);
    rows.surveys.push({ id: world.ids.uuid7(at), workspaceId, customerId: id, kind: 'NPS', score: nps(random), respondedAt: new Date(at), createdAt: new Date(at) });
  }
  addCampaignResponses(random, world, id, createdAt, rows);
  if (random.chance(0.2)) {
    const at = asOf - random.int(0, 30) * DAY;
    const done = random.chance(0.4);
    rows.tasks.push({
      id: world.ids.uuid7(at), workspaceId, title: random.pick(taskTitles), status: done ? 'DONE' : 'OPEN', dueAt: new Date(at + random.int(-5, 20) * DAY),
      completedAt: done ? new Date(at + DAY) : null, assigneeId: random.pick(world.userIds), customerId: id, createdAt: new Date(at), updatedAt: new Date(at),
    });
  }
}

function addDeal(random: Random, world: SeedWorld, customerId: string, createdAt: number, rows: SeedRows) {
  const stage = random.weighted(world.stages.map((s) => [s, s.isWon ? 3 : s.isLost ? 2 : 2] as const));
  const at = createdAt + random.next() * (world.asOf - createdAt);
  const closed = stage.isWon || stage.isLost;
  rows.deals.push({
    id: world.ids.uuid7(at), workspaceId: world.workspaceId, title: random.pick(dealTitles), amount: cents(random.int(50, 2000) * 1000),
    customerId, pipelineId: stage.pipelineId, stageId: stage.id, ownerId: random.pick(world.userIds),
    status: stage.isWon ? 'WON' : stage.isLost ? 'LOST' : 'OPEN', expectedCloseAt: new Date(at + random.int(7, 90) * DAY),
    closedAt: closed ? new Date(Math.min(world.asOf, at + random.int(3, 60) * DAY)) : null,
    lostReason: stage.isLost ? random.pick(lostReasons) : null, stageChangedAt: new Date(at), createdAt: new Date(at), updatedAt: new Date(at),
  });
}

function addTickets(random: Random, world: SeedWorld, customerId: string, createdAt: number, rows: SeedRows) {
  for (let i = random.int(1, 2); i > 0; i--) {
    const at = createdAt + random.next() * (world.asOf - createdAt);
    const status = random.weighted([['CLOSED', 55], ['RESOLVED', 15], ['OPEN', 20], ['PENDING', 10]] as const);
    const closed = status === 'CLOSED' || status === 'RESOLVED';
    const rating = closed && random.chance(0.6) ? csat(random) : null;
    const ticketId = world.ids.uuid7(at);
    const closedAt = closed ? new Date(Math.min(world.asOf, at + random.int(1, 10) * DAY)) : null;
    rows.tickets.push({
      id: ticketId, workspaceId: world.workspaceId, customerId, subject: random.pick(ticketSubjects), status,
      priority: random.weighted([['NORMAL', 60], ['HIGH', 20], ['LOW', 15], ['URGENT', 5]] as const), channel: random.pick(['EMAIL', 'PHONE', 'CHAT'] as const),
      assigneeId: random.pick(world.userIds), satisfactionRating: rating, closedAt, createdAt: new Date(at), updatedAt: closedAt ?? new Date(at),
    });
    if (rating !== null) {
      rows.surveys.push({ id: world.ids.uuid7(at), workspaceId: world.workspaceId, customerId, ticketId, kind: 'CSAT', score: rating, respondedAt: closedAt!, createdAt: closedAt! });
    }
  }
}

function addCampaignResponses(random: Random, world: SeedWorld, customerId: string, createdAt: number, rows: SeedRows) {
  for (const campaign of world.campaigns) {
    if (campaign.startsAt < createdAt || !random.chance(0.4)) continue;
    const respond = (kind: 'SENT' | 'OPENED' | 'CLICKED' | 'REDEEMED' | 'UNSUBSCRIBED', hours: number, couponCode: string | null = null) => {
      const at = campaign.startsAt + hours * 3_600_000;
      rows.responses.push({ id: world.ids.uuid7(at), workspaceId: world.workspaceId, campaignId: campaign.id, customerId, kind, couponCode, occurredAt: new Date(at) });
    };
    respond('SENT', 0);
    if (random.chance(0.02)) {
      respond('UNSUBSCRIBED', 30);
      continue;
    }
    if (!random.chance(0.4)) continue;
    respond('OPENED', random.int(1, 48));
    if (!random.chance(0.3)) continue;
    respond('CLICKED', 50);
    if (random.chance(0.3)) respond('REDEEMED', random.int(60, 300), `SAVE${random.int(10, 30)}-${random.int(1000, 9999)}`);
  }
}
