import { computeDashboardMetrics, CrmError, type DashboardMetrics } from '@crm/core';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import { dashboardMetricsStream } from '../live/dashboard-hub.js';
import type { Enums } from './enums.js';

/**
 * `dashboardMetrics`: a workspace's live key figures, as a query and as a subscription. The subscription's figures
 * are computed once per workspace per emission and shared by all its subscribers (live/dashboard-hub.ts). To add
 * figures, see the seam described in @crm/core's services/dashboard-metrics.ts.
 */
/** What the figures are computed from: a key must read all of it (`Permissions.requireWholeRead`). */
const METRICS_READ = ['Customer', 'Deal', 'Order', 'Ticket', 'SurveyResponse'] as const;

export function registerDashboardMetrics(builder: Builder, enums: Enums) {
  const LifecycleStageCount = builder.objectRef<DashboardMetrics['customersByStage'][number]>('LifecycleStageCount').implement({
    fields: (t) => ({
      stage: t.expose('stage', { type: enums.LifecycleStage }),
      count: t.exposeInt('count'),
    }),
  });

  const DashboardMetricsType = builder.objectRef<DashboardMetrics>('DashboardMetrics').implement({
    description: 'Key figures of the workspace. Months and weeks are calendar periods in UTC; weeks start on Monday.',
    fields: (t) => ({
      asOf: t.expose('asOf', { type: 'DateTime', description: 'When the figures were computed.' }),
      customersByStage: t.field({
        type: [LifecycleStageCount],
        description: 'Every lifecycle stage, in funnel order, zero counts included.',
        resolve: (metrics) => metrics.customersByStage,
      }),
      openPipelineValue: t.expose('openPipelineValue', { type: 'Decimal', description: 'Sum of the open deals’ amounts.' }),
      weightedPipelineValue: t.expose('weightedPipelineValue', {
        type: 'Decimal',
        description: 'Sum over open deals of amount × their stage’s probability.',
      }),
      dealsWonThisMonth: t.exposeInt('dealsWonThisMonth'),
      dealsLostThisMonth: t.exposeInt('dealsLostThisMonth'),
      revenueThisMonth: t.expose('revenueThisMonth', { type: 'Decimal', description: 'Sum of the totals of orders placed this month.' }),
      openTickets: t.exposeInt('openTickets', { description: 'Tickets OPEN or PENDING.' }),
      averageCsat: t.exposeFloat('averageCsat', { nullable: true, description: 'Mean CSAT score (1-5, two decimals); null without ratings.' }),
      newCustomersThisWeek: t.exposeInt('newCustomersThisWeek'),
      customerEquity: t.expose('customerEquity', { type: 'Decimal', description: 'Sum of predicted lifetime value as of the latest fit.' }),
      atRiskCount: t.exposeInt('atRiskCount', { description: 'Customers with high past value (RFM monetary ≥ 4) and P(alive) < 0.5.' }),
      defectionRate: t.exposeFloat('defectionRate', {
        nullable: true,
        description: 'This month’s defections over the customers active at its start; null when none were.',
      }),
    }),
  });

  builder.queryField('dashboardMetrics', (t) =>
    t.field({
      type: DashboardMetricsType,
      authScopes: { authenticated: true },
      description: 'The workspace’s key figures now (SQL aggregates).',
      resolve: (_root, _args, context) => {
        const caller = callerOf(context);
        context.permissions?.requireWholeRead(METRICS_READ, 'dashboardMetrics');
        return computeDashboardMetrics(caller.db, caller.session.workspaceId);
      },
    }),
  );

  builder.subscriptionField('dashboardMetrics', (t) =>
    t.field({
      type: DashboardMetricsType,
      authScopes: { authenticated: true },
      description:
        'The key figures at once, then again after every committed change that can move them, coalesced to at most ' +
        'a few emissions a second.',
      subscribe: (_root, _args, context) => {
        const caller = callerOf(context);
        if (!context.live) throw new CrmError('NOT_FOUND', 'Subscriptions are not available on this endpoint');
        context.permissions?.requireWholeRead(METRICS_READ, 'dashboardMetrics');
        return dashboardMetricsStream({ live: context.live, db: caller.db, workspaceId: caller.session.workspaceId });
      },
      resolve: (metrics) => metrics,
    }),
  );
}
