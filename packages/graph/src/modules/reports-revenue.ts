import { MAX_REPORT_MONTHS, revenueByMonthReport, type RevenueMonth } from '@crm/core';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';

/**
 * `reports { revenueByMonth(months) }`: revenue per calendar month, computed by one SQL aggregate (the dashboard's
 * revenue chart; it used to page through orders in the browser). Added to `WorkspaceReports` from its own module.
 */
export function registerRevenueByMonth(builder: Builder, reports: Parameters<Builder['objectField']>[0]) {
  const RevenueMonthType = builder.objectRef<RevenueMonth>('RevenueMonth').implement({
    description: 'Revenue of one calendar month (UTC).',
    fields: (t) => ({
      month: t.exposeString('month', { description: 'YYYY-MM (UTC).' }),
      revenue: t.expose('revenue', { type: 'Decimal', description: 'Sum of the totals of the orders placed in the month.' }),
      orders: t.exposeInt('orders', { description: 'Orders placed in the month.' }),
    }),
  });
  builder.objectField(reports, 'revenueByMonth', (t) =>
    t.field({
      type: [RevenueMonthType],
      description: `The \`months\` calendar months ending with the current one (1–${MAX_REPORT_MONTHS}), oldest first, every month present.`,
      args: { months: t.arg.int({ defaultValue: 12 }) },
      resolve: (_r, args, ctx) => revenueByMonthReport(callerOf(ctx), args.months ?? 12),
    }),
  );
}
