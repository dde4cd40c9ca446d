import { enums, Prisma, type ScopedPrisma } from '@crm/db';
import type { RecordedEvent } from '../events.js';
import { formatMoney } from '../money.js';
import { atRiskSql } from './reports/at-risk.js';
import { notTrashed, ofLiveCustomer } from './reports/live-rows.js';
import { rate } from './reports/period.js';

type LifecycleStage = (typeof enums.LifecycleStage)[keyof typeof enums.LifecycleStage];

/** The funnel, in order: every stage is reported, zero counts included. */
export const LIFECYCLE_FUNNEL = Object.values(enums.LifecycleStage) as LifecycleStage[];

/** A workspace's live key figures (the `dashboardMetrics` query and subscription). Money is a 2-decimal string. */
export interface DashboardMetrics {
  asOf: Date;
  customersByStage: { stage: LifecycleStage; count: number }[];
  openPipelineValue: string;
  weightedPipelineValue: string;
  dealsWonThisMonth: number;
  dealsLostThisMonth: number;
  revenueThisMonth: string;
  openTickets: number;
  averageCsat: number | null;
  newCustomersThisWeek: number;
  /** Sum of the scored customers' predicted lifetime value (as of the latest fit). */
  customerEquity: string;
  /** Scored customers at risk by the default criteria (services/reports/at-risk.ts). */
  atRiskCount: number;
  /** This month's defections over the customers active at its start (as the defection report); null without any. */
  defectionRate: number | null;
}

/**
 * Event types that can change a figure: the subscription recomputes after these only.
 *
 * Seam for more figures (issue 8: customer equity, at-risk customers, defection rate): add a column to the
 * statement below (or a second statement run alongside it), a field to {@link DashboardMetrics} and to the GraphQL
 * type (packages/graph/src/modules/dashboard-metrics.ts), and the event types that move it here. The subscription
 * computes the whole object once per workspace per emission, so new figures are shared by every subscriber too.
 */
const RELEVANT_PREFIXES = ['customer.', 'lead.', 'deal.', 'order.', 'ticket.', 'survey.', 'clv.'];

export function affectsDashboardMetrics(event: Pick<RecordedEvent, 'type'>): boolean {
  return RELEVANT_PREFIXES.some((prefix) => event.type.startsWith(prefix));
}

/** Start of the calendar month and of the ISO week (Monday) of `asOf`, in UTC. */
export function dashboardPeriods(asOf: Date): { monthStart: Date; nextMonthStart: Date; weekStart: Date } {
  const year = asOf.getUTCFullYear();
  const month = asOf.getUTCMonth();
  const day = asOf.getUTCDate();
  const sinceMonday = (asOf.getUTCDay() + 6) % 7;
  return {
    monthStart: new Date(Date.UTC(year, month, 1)),
    nextMonthStart: new Date(Date.UTC(year, month + 1, 1)),
    weekStart: new Date(Date.UTC(year, month, day - sinceMonday)),
  };
}

/** The statement's one row: the figures, with the stage counts as a JSON object (stage → count). */
type MetricsRow = Omit<DashboardMetrics, 'asOf' | 'customersByStage' | 'defectionRate'> & {
  stages: Record<string, number> | string | null;
  activeAtMonthStart: number;
  defectionsThisMonth: number;
};

/**
 * The figures of one workspace in ONE statement of single-row aggregates, each served by an index that starts with
 * workspaceId. Raw SQL bypasses the workspace scope, so every part names the workspace itself.
 */
export async function computeDashboardMetrics(db: ScopedPrisma, workspaceId: string, asOf: Date = new Date()): Promise<DashboardMetrics> {
  const { monthStart, nextMonthStart, weekStart } = dashboardPeriods(asOf);
  const ws = Prisma.sql`${workspaceId}::uuid`;
  const live = (condition: string) => Prisma.raw(condition);
  const [row] = await db.$queryRaw<MetricsRow[]>(Prisma.sql`
    SELECT stages.counts AS "stages",
           pipeline.open::text AS "openPipelineValue",
           pipeline.weighted::text AS "weightedPipelineValue",
           closed.won AS "dealsWonThisMonth",
           closed.lost AS "dealsLostThisMonth",
           revenue.total::text AS "revenueThisMonth",
           tickets.open AS "openTickets",
           csat.average AS "averageCsat",
           newcomers.count AS "newCustomersThisWeek",
           value.equity::text AS "customerEquity",
           value."atRisk" AS "atRiskCount",
           base.active AS "activeAtMonthStart",
           defections.count AS "defectionsThisMonth"
      FROM (SELECT json_object_agg(stage, n) AS counts
              FROM (SELECT "lifecycleStage"::text AS stage, count(*)::int AS n
                      FROM "Customer" c WHERE "workspaceId" = ${ws} AND ${live(notTrashed('c'))} GROUP BY 1) s) stages,
           (SELECT coalesce(sum(d.amount), 0) AS open,
                   round(coalesce(sum(d.amount * st.probability), 0) / 100, 2) AS weighted
              FROM "Deal" d JOIN "Stage" st ON st.id = d."stageId"
             WHERE d."workspaceId" = ${ws} AND d.status = 'OPEN' AND ${live(notTrashed('d'))}) pipeline,
           (SELECT (count(*) FILTER (WHERE status = 'WON'))::int AS won, (count(*) FILTER (WHERE status = 'LOST'))::int AS lost
              FROM "Deal" d
             WHERE "workspaceId" = ${ws} AND status IN ('WON', 'LOST') AND ${live(notTrashed('d'))}
               AND "closedAt" >= ${monthStart} AND "closedAt" < ${nextMonthStart}) closed,
           (SELECT coalesce(sum(total), 0) AS total FROM "Order"
             WHERE "workspaceId" = ${ws} AND "orderedAt" >= ${monthStart} AND "orderedAt" < ${nextMonthStart}) revenue,
           (SELECT count(*)::int AS open FROM "Ticket" t
             WHERE "workspaceId" = ${ws} AND status IN ('OPEN', 'PENDING') AND ${live(notTrashed('t'))}) tickets,
           (SELECT round(avg(score), 2)::float8 AS average FROM "SurveyResponse"
             WHERE "workspaceId" = ${ws} AND kind = 'CSAT') csat,
           (SELECT count(*)::int AS count FROM "Customer" c
             WHERE "workspaceId" = ${ws} AND "createdAt" >= ${weekStart} AND ${live(notTrashed('c'))}) newcomers,
           (SELECT coalesce(sum(s."predictedLifetimeValue"), 0) AS equity, (count(*) FILTER (WHERE ${Prisma.raw(atRiskSql('s'))}))::int AS "atRisk"
              FROM "CustomerScore" s WHERE s."workspaceId" = ${ws} AND ${live(ofLiveCustomer('s'))}) value,
           (SELECT count(*)::int AS active
              FROM (SELECT DISTINCT ON ("customerId") "toStage" FROM "LifecycleChange" lc
                     WHERE "workspaceId" = ${ws} AND "changedAt" < ${monthStart} AND ${live(ofLiveCustomer('lc'))}
                     ORDER BY "customerId", "changedAt" DESC, id DESC) latest
             WHERE "toStage" IN ('CUSTOMER', 'ADVOCATE')) base,
           (SELECT count(*)::int AS count FROM "LifecycleChange" lc
             WHERE "workspaceId" = ${ws} AND ${live(ofLiveCustomer('lc'))} AND "toStage" = 'CHURNED' AND "fromStage" IN ('CUSTOMER', 'ADVOCATE')
               AND "changedAt" >= ${monthStart} AND "changedAt" < ${nextMonthStart}) defections`);
  if (!row) throw new Error('dashboard metrics: the aggregate returned no row');
  const counts = (typeof row.stages === 'string' ? JSON.parse(row.stages) : row.stages ?? {}) as Record<string, number>;
  return {
    asOf,
    customersByStage: LIFECYCLE_FUNNEL.map((stage) => ({ stage, count: counts[stage] ?? 0 })),
    openPipelineValue: formatMoney(row.openPipelineValue)!,
    weightedPipelineValue: formatMoney(row.weightedPipelineValue)!,
    dealsWonThisMonth: row.dealsWonThisMonth,
    dealsLostThisMonth: row.dealsLostThisMonth,
    revenueThisMonth: formatMoney(row.revenueThisMonth)!,
    openTickets: row.openTickets,
    averageCsat: row.averageCsat,
    newCustomersThisWeek: row.newCustomersThisWeek,
    customerEquity: formatMoney(row.customerEquity)!,
    atRiskCount: row.atRiskCount,
    defectionRate: rate(row.defectionsThisMonth, row.activeAtMonthStart),
  };
}
