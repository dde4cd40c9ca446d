// The overview's report charts (revenue by month, customer equity by segment, cohort retention) in ONE request: each
// report is one SQL aggregate on the server (reports { … }, docs/analytics.md), so the browser pages through nothing.
import { graphql, type ResultOf } from '@crm/client';
import { useEffect } from 'react';
import { useCrmQuery } from '../data/hooks.js';

export const overviewReports = graphql(`
  query OverviewReports {
    reports {
      revenueByMonth(months: 12) { month revenue orders }
      customerEquity { total customers bySegment { key customers equity share } }
      cohorts { cohort size retained retention }
    }
  }
`);

export type OverviewReports = ResultOf<typeof overviewReports>['reports'];

/**
 * The reports, asked for once `enabled` (after the key figures, so they never queue in front of them) and again
 * whenever `version` grows.
 */
export function useOverviewReports(version: number, enabled: boolean) {
  const query = useCrmQuery(overviewReports, {}, { pause: !enabled, requestPolicy: 'network-only' });
  const { refetch } = query;
  useEffect(() => {
    if (version > 0) refetch();
  }, [version, refetch]);
  return query;
}

/** `2026-03` → `Mar 26`. */
export const monthLabel = (month: string) =>
  new Date(`${month}-01T00:00:00Z`).toLocaleString('en-US', { month: 'short', year: '2-digit', timeZone: 'UTC' });
