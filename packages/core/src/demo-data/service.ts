import type { ActivityType, Channel } from '@crm/db';
import type { DemoCustomer } from './customers.js';
import type { Random } from './random.js';
import type { SeedRows } from './rows.js';
import { between, DAY, HOUR, type SeedWorld } from './world.js';

// Customer service: tickets with priorities and statuses, CSAT on closed ones, and NPS answers.

const subjects = ['Machine leaking', 'Wrong item delivered', 'Grinder too loud', 'Refund request', 'Subscription skipped a month', 'Damaged package', 'Cannot log in', 'Coupon not applied'];
const ticketChannels: (readonly [Channel, ActivityType, number])[] = [['EMAIL', 'EMAIL', 40], ['PHONE', 'CALL', 25], ['CHAT', 'CHAT', 25], ['SOCIAL', 'SOCIAL_POST', 10]];

/** A CSAT score (1-5), often a point worse when the case took over a week. */
function csat(random: Random, daysToClose: number): number {
  const score = random.weighted([[5, 48], [4, 30], [3, 11], [2, 6], [1, 5]] as const);
  return Math.max(1, score - (daysToClose > 7 && random.chance(0.6) ? 1 : 0));
}

/** Tickets for one buyer in four: old ones resolved or closed, recent ones still open or pending. */
export function addTickets(random: Random, world: SeedWorld, customer: DemoCustomer, rows: SeedRows): void {
  const first = customer.history.orders[0];
  if (!first || !random.chance(0.25)) return;
  for (let n = random.weighted([[1, 70], [2, 22], [3, 8]] as const); n > 0; n--) {
    const at = between(random, first.orderedAt, customer.activeUntil);
    const age = (world.asOf - at) / DAY;
    const status = age > 14 ? random.weighted([['CLOSED', 80], ['RESOLVED', 18], ['PENDING', 2]] as const) : random.weighted([['OPEN', 45], ['PENDING', 25], ['RESOLVED', 20], ['CLOSED', 10]] as const);
    const priority = random.weighted([['NORMAL', 60], ['HIGH', 20], ['LOW', 15], ['URGENT', 5]] as const);
    const done = status === 'CLOSED' || status === 'RESOLVED';
    const closedAt = done ? Math.min(world.asOf, at + random.int(2, priority === 'URGENT' ? 24 : 200) * HOUR) : null;
    const rating = status === 'CLOSED' && random.chance(0.6) ? csat(random, (closedAt! - at) / DAY) : null;
    const [channel, type] = random.weighted(ticketChannels.map(([c, t, w]) => [[c, t] as const, w] as const));
    const id = world.ids.uuid7(at);
    const subject = random.pick(subjects);
    const assigneeId = random.chance(0.9) ? random.pick(world.userIds) : null;
    rows.tickets.push({
      id, workspaceId: world.workspaceId, customerId: customer.id, subject, description: null, status, priority, channel, assigneeId,
      satisfactionRating: rating, closedAt: closedAt === null ? null : new Date(closedAt), createdAt: new Date(at), updatedAt: new Date(closedAt ?? at),
    });
    rows.activities.push({
      id: world.ids.uuid7(at), workspaceId: world.workspaceId, customerId: customer.id, dealId: null, ticketId: id, type, channel, direction: 'INBOUND',
      subject, body: null, actorId: assigneeId, occurredAt: new Date(at), createdAt: new Date(at),
    });
    if (rating !== null) {
      rows.surveys.push({
        id: world.ids.uuid7(closedAt!), workspaceId: world.workspaceId, customerId: customer.id, ticketId: id, kind: 'CSAT', score: rating,
        comment: rating <= 2 ? 'Took too long to sort out' : null, respondedAt: new Date(closedAt!), createdAt: new Date(closedAt!),
      });
    }
  }
}

/** An NPS answer (0-10) from some buyers: advocates are promoters, churned customers mostly detractors. */
export function addNpsAnswer(random: Random, world: SeedWorld, customer: DemoCustomer, rows: SeedRows): void {
  const first = customer.history.orders[0];
  if (!first || !random.chance(customer.stage === 'ADVOCATE' ? 0.8 : 0.3)) return;
  const score =
    customer.stage === 'ADVOCATE'
      ? random.weighted([[10, 55], [9, 35], [8, 10]] as const)
      : customer.stage === 'CHURNED'
        ? random.weighted([[2, 15], [3, 15], [4, 20], [5, 20], [6, 15], [7, 10], [8, 5]] as const)
        : random.weighted([[10, 18], [9, 18], [8, 20], [7, 14], [6, 10], [5, 7], [4, 5], [3, 3], [2, 2], [1, 2], [0, 1]] as const);
  const at = between(random, first.orderedAt, customer.activeUntil);
  rows.surveys.push({
    id: world.ids.uuid7(at), workspaceId: world.workspaceId, customerId: customer.id, ticketId: null, kind: 'NPS', score,
    comment: score <= 4 ? random.pick(['Too expensive', 'BeanCo is cheaper', 'Deliveries are slow']) : score >= 9 ? 'Great beans, great service' : null,
    respondedAt: new Date(at), createdAt: new Date(at),
  });
}
