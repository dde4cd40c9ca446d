import { cursorInWorkspace } from '../objects/cursor-in-workspace.js';
import {
  atRiskCustomerWhere,
  campaignEffectivenessReport,
  cohortReport,
  customerEquityReport,
  defectionRateReport,
  defectionReasonsReport,
  lifecycleFunnelReport,
  monthRange,
  satisfactionReport,
  segmentProfitReport,
  segmentSnapshotSeries,
  valueConcentrationReport,
} from '@crm/core';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { Enums } from './enums.js';
import { registerRevenueByMonth } from './reports-revenue.js';
import { registerReportTypes } from './reports-types.js';

/** The `reports` root object carries nothing: each field is a report computed by its own statement(s). */
interface WorkspaceReportsRoot {
  kind: 'reports';
}

/**
 * `reports { … }`: the workspace reports of the analytical CRM (docs/analytics.md, "Workspace reports"). Every role
 * can read them; each field runs only when asked for.
 */
/** What the reports are computed from: a key must read all of it (`Permissions.requireWholeRead`). */
const REPORTS_READ = ['Customer', 'Order', 'Ticket', 'Activity', 'SurveyResponse'] as const;

export function registerReports(builder: Builder, enums: Enums) {
  const types = registerReportTypes(builder);
  const { RfmSegment } = enums;
  const WorkspaceReports = builder.objectRef<WorkspaceReportsRoot>('WorkspaceReports');

  WorkspaceReports.implement({
    description: 'Workspace reports. Months are calendar months in UTC; `from`/`to` name months (any instant in them), default the last 12.',
    fields: (t) => {
      const period = { from: t.arg({ type: 'DateTime' }), to: t.arg({ type: 'DateTime' }) };
      return {
        customerEquity: t.field({ type: types.CustomerEquity, resolve: (_r, _a, ctx) => customerEquityReport(callerOf(ctx)) }),
        valueConcentration: t.field({
          type: types.ValueConcentration,
          args: { points: t.arg.int({ defaultValue: 10, description: 'Points of the whale curve (1–100).' }) },
          resolve: (_r, args, ctx) => valueConcentrationReport(callerOf(ctx), args.points ?? 10),
        }),
        defectionRate: t.field({
          type: [types.DefectionMonthType],
          args: period,
          resolve: (_r, args, ctx) => defectionRateReport(callerOf(ctx), monthRange(args.from, args.to)),
        }),
        defectionReasons: t.field({
          type: [types.DefectionReasonType],
          args: period,
          resolve: (_r, args, ctx) => defectionReasonsReport(callerOf(ctx), monthRange(args.from, args.to)),
        }),
        atRiskCustomers: t.prismaConnection({
          type: 'Customer',
          cursor: 'id',
          description: 'High past value, low probability alive (as of the latest fit), highest past revenue first.',
          args: {
            maxProbabilityAlive: t.arg.float({ description: '@default 0.5' }),
            minMonetaryScore: t.arg.int({ description: 'Lowest RFM monetary score that counts as high value. @default 4' }),
          },
          resolve: async (query, _r, args, ctx) => {
            const { db } = callerOf(ctx);
            const where = atRiskCustomerWhere(args);
            return db.customer.findMany({
              // The cursor is one of this list's customers in the caller's workspace (cursor-in-workspace.ts).
              ...(await cursorInWorkspace(query, args, (id) => db.customer.findFirst({ where: { AND: [{ id }, where] }, select: { id: true } }))),
              where,
              orderBy: [{ score: { historicalRevenue: 'desc' } }, { id: 'asc' }],
            });
          },
          totalCount: (_c, args, ctx) => callerOf(ctx).db.customer.count({ where: atRiskCustomerWhere(args) }),
        }),
        cohorts: t.field({
          type: [types.Cohort],
          args: period,
          resolve: (_r, args, ctx) => cohortReport(callerOf(ctx), monthRange(args.from, args.to)),
        }),
        lifecycleFunnel: t.field({ type: [types.Funnel], resolve: (_r, _a, ctx) => lifecycleFunnelReport(callerOf(ctx)) }),
        satisfaction: t.field({
          type: types.Satisfaction,
          args: period,
          resolve: (_r, args, ctx) => satisfactionReport(callerOf(ctx), monthRange(args.from, args.to)),
        }),
        campaignEffectiveness: t.field({
          type: [types.Campaign],
          args: period,
          description: 'Campaigns starting in the period.',
          resolve: (_r, args, ctx) => campaignEffectivenessReport(callerOf(ctx), monthRange(args.from, args.to)),
        }),
        segmentProfit: t.field({
          type: [types.SegmentMonthType],
          args: period,
          description: 'Revenue and profit by RFM segment per month.',
          resolve: (_r, args, ctx) => segmentProfitReport(callerOf(ctx), monthRange(args.from, args.to)),
        }),
        segmentSnapshots: t.field({
          type: [types.SegmentSnapshotType],
          args: { ...period, segments: t.arg({ type: [RfmSegment], description: 'Only these segments; all when left out.' }) },
          description: 'Monthly snapshots per RFM segment (written by each fit for its month), oldest first.',
          resolve: (_r, args, ctx) => segmentSnapshotSeries(callerOf(ctx), monthRange(args.from, args.to), args.segments),
        }),
      };
    },
  });

  registerRevenueByMonth(builder, WorkspaceReports);

  builder.queryField('reports', (t) =>
    t.field({
      type: WorkspaceReports,
      authScopes: { authenticated: true },
      description:
        'The workspace’s reports: every built-in role reads them; a custom role or scoped key only when it reads every customer, order, ticket and activity (they are totals over all of them).',
      resolve: (_root, _args, ctx) => {
        callerOf(ctx);
        ctx.permissions?.requireWholeRead(REPORTS_READ, 'reports');
        return { kind: 'reports' as const };
      },
    }),
  );
}
