import type { Channel } from '@crm/db';
import type { DemoCustomer } from './customers.js';
import type { Random } from './random.js';
import type { SeedRows } from './rows.js';
import { HOUR, type SeedWorld, WEEK } from './world.js';

// Marketing: a campaign every quarter, and each customer's responses. A coupon counts as redeemed only when the
// customer really bought during the campaign (the order is in their history), so promotional response is measurable.

const names = ['Spring tasting', 'Summer cold brew', 'Back to office', 'Holiday gifts', 'New year machines', 'Tea week', 'Grinder upgrade', 'Loyalty week'];

export interface DemoCampaign {
  name: string;
  channel: Channel;
  startsAt: number;
  endsAt: number;
  /** Cents. */
  cost: number;
}

/** Eight campaigns over the two years up to `asOf`, three weeks each. */
export function buildCampaigns(random: Random, asOf: number): DemoCampaign[] {
  return names.map((name, i) => {
    const startsAt = asOf - (98 - i * 13) * WEEK;
    return {
      name, channel: random.weighted([['EMAIL', 60], ['SOCIAL', 25], ['WEB', 15]] as const), startsAt, endsAt: startsAt + 3 * WEEK,
      cost: random.int(500, 5000) * 100,
    };
  });
}

/** SENT to most customers known at the time, then OPENED, CLICKED, REDEEMED (with an order in the window) or UNSUBSCRIBED. */
export function addCampaignResponses(random: Random, world: SeedWorld, customer: DemoCustomer, rows: SeedRows): void {
  const { orders } = customer.history;
  for (const campaign of world.campaigns) {
    if (campaign.startsAt < customer.createdAt || campaign.startsAt > customer.activeUntil || !random.chance(0.6)) continue;
    const respond = (kind: 'SENT' | 'OPENED' | 'CLICKED' | 'REDEEMED' | 'UNSUBSCRIBED', at: number, couponCode: string | null = null) =>
      rows.responses.push({ id: world.ids.uuid7(at), workspaceId: world.workspaceId, campaignId: campaign.id, customerId: customer.id, kind, couponCode, occurredAt: new Date(at) });
    const sentAt = campaign.startsAt + random.int(0, 6) * HOUR;
    respond('SENT', sentAt);
    if (random.chance(0.015)) {
      respond('UNSUBSCRIBED', sentAt + random.int(1, 48) * HOUR);
      return; // no further campaigns for them
    }
    if (!random.chance(orders.length ? 0.4 : 0.22)) continue;
    const openedAt = sentAt + random.int(1, 72) * HOUR;
    respond('OPENED', openedAt);
    const bought = orders.find((o) => o.orderedAt > openedAt && o.orderedAt <= campaign.endsAt);
    if (!random.chance(bought ? 0.7 : 0.25)) continue;
    respond('CLICKED', Math.min(openedAt + random.int(0, 2) * HOUR, bought?.orderedAt ?? Infinity));
    if (bought && random.chance(0.6)) respond('REDEEMED', bought.orderedAt, `${campaign.name.split(' ')[0]!.toUpperCase()}${random.int(10, 30)}-${random.int(1000, 9999)}`);
  }
}
