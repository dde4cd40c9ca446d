// The overview's key figures: the gateway's `dashboardMetrics`, fetched over HTTP for the first paint and then
// pushed by its subscription (graphql-ws), which sends the figures again after every change that can move them.
import { type FragmentOf, graphql, readFragment, type ResultOf } from '@crm/client';
import { useEffect, useState } from 'react';
import { useClient, useCrmQuery } from './hooks.js';

export const LIFECYCLE_STAGES = ['PROSPECT', 'LEAD', 'CUSTOMER', 'ADVOCATE', 'CHURNED'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

const MetricsFields = graphql(`
  fragment MetricsFields on DashboardMetrics {
    asOf customersByStage { stage count } openPipelineValue weightedPipelineValue dealsWonThisMonth
    dealsLostThisMonth revenueThisMonth openTickets averageCsat newCustomersThisWeek
  }
`);
const metricsQuery = graphql(`query DashboardMetrics { dashboardMetrics { ...MetricsFields } }`, [MetricsFields]);
const metricsSubscription = graphql(`subscription LiveMetrics { dashboardMetrics { ...MetricsFields } }`, [MetricsFields]);

/** The shape of `DashboardMetrics`. */
export type KeyFigures = ResultOf<typeof MetricsFields>;
const read = (metrics: FragmentOf<typeof MetricsFields>): KeyFigures => readFragment(MetricsFields, metrics);

/** Live key figures: the query's answer until the subscription's first (then every later) emission. */
export function useKeyFigures() {
  const client = useClient();
  const query = useCrmQuery(metricsQuery, {}, { requestPolicy: 'network-only' });
  const [live, setLive] = useState<KeyFigures>();
  useEffect(() => {
    const { unsubscribe } = client
      .subscription(metricsSubscription, {})
      .subscribe((result) => result.data && setLive(read(result.data.dashboardMetrics)));
    return unsubscribe;
  }, [client]);
  const figures = live ?? (query.data ? read(query.data.dashboardMetrics) : undefined);
  return { figures, error: figures ? undefined : query.error, refetch: query.refetch };
}
