import type { Caller } from '../../command.js';
import { formatMoney } from '../../money.js';
import { loadAnalyticsSettings } from '../analytics/settings.js';
import { type MonthRange, num, rate } from './period.js';
import { monthBounds } from './retention.js';

/** Days after a redemption in which the customer's orders are credited to the campaign. */
export const ATTRIBUTION_WINDOW_DAYS = 30;

export interface CampaignEffectiveness {
  campaignId: string;
  name: string;
  channel: string;
  startsAt: Date;
  cost: string;
  sent: number;
  /** Customers with an OPENED, CLICKED or REDEEMED response. */
  responded: number;
  redeemed: number;
  /** responded / sent, redeemed / sent; null when nothing was sent. */
  responseRate: number | null;
  redemptionRate: number | null;
  attributedOrders: number;
  attributedRevenue: string;
  /** Attributed revenue − its product cost (recorded cost, else revenue × (1 − margin)). */
  attributedMargin: string;
  /** (attributed margin − cost) / cost; null for a campaign that cost nothing. */
  roi: number | null;
}

/**
 * Campaign effectiveness for the campaigns starting in the range, in ONE statement. Attribution rule (last touch): an
 * order is credited to a campaign when its customer redeemed that campaign at most 30 days before ordering; when
 * several redemptions qualify, the latest one before the order takes it (each order is credited at most once).
 */
export async function campaignEffectivenessReport(caller: Caller, range: MonthRange): Promise<CampaignEffectiveness[]> {
  const { starts, ends } = monthBounds(range);
  const settings = await loadAnalyticsSettings(caller);
  const rows = await caller.db.$queryRawUnsafe<
    (Omit<CampaignEffectiveness, 'responseRate' | 'redemptionRate' | 'roi' | 'cost' | 'attributedRevenue' | 'attributedMargin'> & {
      cost: string;
      revenue: string;
      margin: string;
    })[]
  >(
    `WITH campaigns AS (
       SELECT id, name, channel::text AS channel, "startsAt", cost FROM "Campaign"
        WHERE "workspaceId" = $1::uuid AND "startsAt" >= $2::timestamptz AND "startsAt" < $3::timestamptz),
     counts AS (
       SELECT "campaignId",
              count(*) FILTER (WHERE kind = 'SENT')::int AS sent,
              count(DISTINCT "customerId") FILTER (WHERE kind IN ('OPENED', 'CLICKED', 'REDEEMED'))::int AS responded,
              count(*) FILTER (WHERE kind = 'REDEEMED')::int AS redeemed
         FROM "CampaignResponse" WHERE "campaignId" IN (SELECT id FROM campaigns) GROUP BY "campaignId"),
     credited AS (
       SELECT DISTINCT ON (o.id) o.id, o.total, o.cost, r."campaignId"
         FROM "CampaignResponse" r
         JOIN "Order" o ON o."customerId" = r."customerId" AND o."orderedAt" >= r."occurredAt"
                       AND o."orderedAt" < r."occurredAt" + make_interval(days => ${ATTRIBUTION_WINDOW_DAYS})
        WHERE r."workspaceId" = $1::uuid AND r.kind = 'REDEEMED'
        ORDER BY o.id, r."occurredAt" DESC, r."campaignId"),
     attributed AS (
       SELECT "campaignId", count(*)::int AS orders, sum(total) AS revenue,
              sum(total - coalesce(cost, round(total * (1 - $4::numeric), 2))) AS margin
         FROM credited GROUP BY "campaignId")
     SELECT c.id AS "campaignId", c.name, c.channel, c."startsAt", c.cost::text AS cost,
            coalesce(n.sent, 0) AS sent, coalesce(n.responded, 0) AS responded, coalesce(n.redeemed, 0) AS redeemed,
            coalesce(a.orders, 0) AS "attributedOrders", coalesce(a.revenue, 0)::text AS revenue, coalesce(a.margin, 0)::text AS margin
       FROM campaigns c LEFT JOIN counts n ON n."campaignId" = c.id LEFT JOIN attributed a ON a."campaignId" = c.id
      ORDER BY c."startsAt", c.id`,
    caller.session.workspaceId,
    starts[0],
    ends[ends.length - 1],
    String(settings.margin),
  );
  return rows.map(({ revenue, margin, ...r }) => {
    const cost = num(r.cost);
    return {
      ...r,
      cost: formatMoney(r.cost)!,
      responseRate: rate(r.responded, r.sent),
      redemptionRate: rate(r.redeemed, r.sent),
      attributedRevenue: formatMoney(revenue)!,
      attributedMargin: formatMoney(margin)!,
      roi: cost > 0 ? Math.round(((num(margin) - cost) / cost) * 10_000) / 10_000 : null,
    };
  });
}
