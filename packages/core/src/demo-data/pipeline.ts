import { dealAmountFor } from './companies.js';
import type { DemoCustomer } from './customers.js';
import type { Random } from './random.js';
import type { SeedRows } from './rows.js';
import { between, DAY, money, type SeedWorld } from './world.js';

// Opportunity management: deals in the workspace's default pipeline. Old deals are closed (won, or lost with a
// reason), recent ones sit in the open stages; a few activities and a won deal's close date tell the story.

const titles = ['Office coffee service', 'Machine upgrade', 'Subscription for the team', 'Café opening order', 'Annual supply contract', 'Tasting event catering'];

/** Why deals are lost, as sales people write it; "Chose competitor" and "Price" name the competitor when known. */
const lostReasons: (readonly [string, number])[] = [
  ['Price: BeanCo quoted 15% less', 12], ['Price: too expensive for them', 14], ['Chose competitor: Brewster', 12],
  ['Chose competitor: BeanCo', 10], ['Chose competitor: Roastery Direct', 6], ['No budget this year', 18], ['Timing: revisit next quarter', 14],
  ['No decision', 14],
];

/** Deal stages by how often a deal is found in them: many closed, fewer the further an open deal has come. */
function stageWeight(stage: SeedWorld['stages'][number]): number {
  if (stage.isWon) return 26;
  if (stage.isLost) return 30;
  return Math.max(3, 14 - stage.position * 3);
}

/** Deals for leads (often) and buyers (sometimes), especially those with a company behind them. */
export function addDeals(random: Random, world: SeedWorld, customer: DemoCustomer, rows: SeedRows): void {
  const chance = (customer.stage === 'LEAD' ? 0.45 : customer.history.orders.length ? 0.25 : 0.05) + (customer.companyId ? 0.15 : 0);
  if (!random.chance(chance)) return;
  // The first deals of a workspace visit every stage in turn, so even a small demo shows the whole pipeline.
  const stage = world.dealsMade < world.stages.length ? world.stages[world.dealsMade]! : random.weighted(world.stages.map((s) => [s, stageWeight(s)] as const));
  world.dealsMade++;
  const closed = stage.isWon || stage.isLost;
  const lastStart = closed ? world.asOf - 7 * DAY : world.asOf;
  const createdAt = between(random, closed ? customer.createdAt : Math.max(customer.createdAt, world.asOf - 90 * DAY), Math.max(customer.createdAt, lastStart));
  const closedAt = closed ? Math.min(world.asOf, createdAt + random.int(5, 75) * DAY) : null;
  const movedAt = closedAt ?? between(random, createdAt, world.asOf);
  const id = world.ids.uuid7(createdAt);
  const ownerId = customer.ownerId ?? random.pick(world.userIds);
  rows.deals.push({
    id, workspaceId: world.workspaceId, title: random.pick(titles), amount: money(dealAmountFor(random, customer.companySize)),
    customerId: customer.id, companyId: customer.companyId, pipelineId: world.pipelineId, stageId: stage.id, ownerId,
    status: stage.isWon ? 'WON' : stage.isLost ? 'LOST' : 'OPEN',
    expectedCloseAt: new Date(closedAt ?? Math.max(world.asOf + 7 * DAY, createdAt + random.int(14, 90) * DAY)),
    closedAt: closedAt === null ? null : new Date(closedAt), lostReason: stage.isLost ? random.weighted(lostReasons) : null,
    stageChangedAt: new Date(movedAt), createdAt: new Date(createdAt), updatedAt: new Date(movedAt),
  });
  const steps = [
    ['MEETING', 'IN_PERSON', 'Discovery meeting'], ['EMAIL', 'EMAIL', 'Sent the proposal'], ['CALL', 'PHONE', 'Negotiation call'],
  ] as const;
  for (const [i, [type, channel, subject]] of steps.slice(0, Math.max(1, Math.min(3, stage.position + 1))).entries()) {
    const at = createdAt + ((movedAt - createdAt) * i) / 3;
    rows.activities.push({
      id: world.ids.uuid7(at), workspaceId: world.workspaceId, customerId: customer.id, dealId: id, ticketId: null, type, channel,
      direction: 'OUTBOUND', subject, body: null, actorId: ownerId, occurredAt: new Date(at), createdAt: new Date(at),
    });
  }
}
