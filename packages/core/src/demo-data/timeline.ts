import type { ActivityType, Channel } from '@crm/db';
import type { DemoCustomer } from './customers.js';
import type { Random } from './random.js';
import type { SeedRows } from './rows.js';
import { between, DAY, type SeedWorld } from './world.js';

// The collaborative side: one timeline of interactions on every channel, and the team's follow-up tasks.

const interactions: (readonly [readonly [ActivityType, Channel], number])[] = [
  [['EMAIL', 'EMAIL'], 28], [['CALL', 'PHONE'], 18], [['CHAT', 'CHAT'], 15], [['WEB_VISIT', 'WEB'], 17],
  [['MEETING', 'IN_PERSON'], 7], [['SOCIAL_POST', 'SOCIAL'], 8], [['NOTE', 'WEB'], 4], [['VISIT', 'IN_PERSON'], 3],
];

// A few subjects mention competitors and prices: the competitor-feedback plugin mines these.
const subjects: Record<ActivityType, string[]> = {
  EMAIL: ['Order confirmation follow-up', 'Question about delivery times', 'Newsletter reply', 'Invoice request', 'Asked how we compare to BeanCo on price', 'Asked for a bulk discount'],
  CALL: ['Support call: grinder settings', 'Renewal discussion', 'Pricing question', 'Complaint about late delivery', 'Mentioned Brewster offers a cheaper plan'],
  CHAT: ['Chat: tracking number', 'Chat: recommend a decaf', 'Chat: machine error E03', 'Chat: discount code not working', 'Chat: is Roastery Direct cheaper?'],
  WEB_VISIT: ['Viewed espresso machines', 'Viewed subscription page', 'Abandoned cart', 'Read brewing guide', 'Compared grinders'],
  MEETING: ['Quarterly review', 'Product demo', 'Onboarding session', 'Tasting event'],
  SOCIAL_POST: ['Tagged us in a latte photo', 'Asked a question on our post', 'Shared a review', 'Posted a photo of a BeanCo bag'],
  NOTE: ['Prefers email contact', 'Decision maker is the office manager', 'Interested in the care plan', 'Price sensitive: compares with CupCo'],
  VISIT: ['Visited the shop', 'Site visit for machine installation'],
};

/** Types the team takes part in (the activity's actor is the owner); the rest are the customer's own. */
const withTeam = new Set<ActivityType>(['EMAIL', 'CALL', 'CHAT', 'MEETING', 'NOTE', 'VISIT']);

/** About ten interactions per customer over their time with us, more for those who buy more. */
export function addActivities(random: Random, world: SeedWorld, customer: DemoCustomer, rows: SeedRows): void {
  const count = random.int(4, 12) + Math.min(customer.history.orders.length, 6);
  for (let i = 0; i < count; i++) {
    const at = between(random, customer.createdAt, customer.activeUntil);
    const [type, channel] = random.weighted(interactions);
    const subject = random.pick(subjects[type]);
    const direction = type === 'WEB_VISIT' || type === 'SOCIAL_POST' ? 'INBOUND' : type === 'NOTE' ? 'OUTBOUND' : random.chance(0.55) ? 'INBOUND' : 'OUTBOUND';
    rows.activities.push({
      id: world.ids.uuid7(at), workspaceId: world.workspaceId, customerId: customer.id, dealId: null, ticketId: null, type, channel, direction,
      subject, body: random.chance(0.3) ? `${subject}. Notes taken by the team.` : null,
      actorId: withTeam.has(type) ? (customer.ownerId ?? random.pick(world.userIds)) : null, occurredAt: new Date(at), createdAt: new Date(at),
    });
  }
}

const taskTitles = ['Call back about renewal', 'Send a quote', 'Check in after delivery', 'Schedule a demo', 'Follow up on the complaint', 'Offer the care plan'];

/** Follow-ups for one customer in five: open (some overdue), done, or cancelled; tied to an open deal when there is one. */
export function addTasks(random: Random, world: SeedWorld, customer: DemoCustomer, rows: SeedRows): void {
  if (!random.chance(0.2)) return;
  const openDeal = rows.deals.find((deal) => deal.customerId === customer.id && deal.status === 'OPEN');
  const at = Math.max(customer.createdAt, world.asOf - random.int(0, 45) * DAY);
  const status = random.weighted([['OPEN', 50], ['DONE', 42], ['CANCELLED', 8]] as const);
  const dueAt = at + random.int(1, 21) * DAY;
  const completedAt = status === 'DONE' ? Math.min(world.asOf, at + random.int(0, 14) * DAY) : null;
  rows.tasks.push({
    id: world.ids.uuid7(at), workspaceId: world.workspaceId, title: random.pick(taskTitles), notes: null, status, dueAt: new Date(dueAt),
    completedAt: completedAt === null ? null : new Date(completedAt), assigneeId: customer.ownerId ?? random.pick(world.userIds),
    customerId: customer.id, dealId: openDeal?.id ?? null, createdAt: new Date(at), updatedAt: new Date(completedAt ?? at),
  });
}
