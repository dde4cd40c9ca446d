// The overview's key figures. The gateway's `dashboardMetrics` query and subscription (issue 9's companion
// branch) replace the interim source below: swap `useKeyFigures` for a `dashboardMetrics` query plus its
// subscription; MetricsPanel takes the same shape and does not change.
import { graphql } from '@crm/client';
import { useMemo } from 'react';
import { useCrmQuery, useEventStream, useThrottled } from './hooks.js';

export const LIFECYCLE_STAGES = ['PROSPECT', 'LEAD', 'CUSTOMER', 'ADVOCATE', 'CHURNED'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** The shape of `DashboardMetrics`; figures the interim source cannot compute are null. */
export interface KeyFigures {
  asOf: string;
  customersByStage: { stage: LifecycleStage; count: number }[];
  openPipelineValue: string;
  weightedPipelineValue: string;
  dealsWonThisMonth: number | null;
  dealsLostThisMonth: number | null;
  revenueThisMonth: string | null;
  openTickets: number;
  averageCsat: number | null;
  newCustomersThisWeek: number;
}

const interimFigures = graphql(`
  query InterimKeyFigures($weekAgo: DateTime!) {
    prospect: customers(first: 1, filter: { lifecycleStage: [PROSPECT] }) { totalCount }
    lead: customers(first: 1, filter: { lifecycleStage: [LEAD] }) { totalCount }
    customer: customers(first: 1, filter: { lifecycleStage: [CUSTOMER] }) { totalCount }
    advocate: customers(first: 1, filter: { lifecycleStage: [ADVOCATE] }) { totalCount }
    churned: customers(first: 1, filter: { lifecycleStage: [CHURNED] }) { totalCount }
    newThisWeek: customers(first: 1, filter: { createdAt: { from: $weekAgo } }) { totalCount }
    pipelines { id openValue weightedValue }
    openTickets: tickets(first: 1, status: [OPEN, PENDING]) { totalCount }
  }
`);

const sum = (values: string[]) => values.reduce((total, value) => total + Number(value), 0).toFixed(2);

/** Live key figures: fetched, then fetched again (throttled) after every event of the workspace. */
export function useKeyFigures() {
  const weekAgo = useMemo(() => new Date(Date.now() - 7 * 86_400_000).toISOString(), []);
  const query = useCrmQuery(interimFigures, { weekAgo }, { requestPolicy: 'network-only' });
  const refresh = useThrottled(query.refetch, 150);
  useEventStream({}, refresh);
  const data = query.data;
  const figures: KeyFigures | undefined = data && {
    asOf: new Date().toISOString(),
    customersByStage: LIFECYCLE_STAGES.map((stage) => ({ stage, count: data[stage.toLowerCase() as Lowercase<LifecycleStage>].totalCount })),
    openPipelineValue: sum(data.pipelines.map((p) => p.openValue)),
    weightedPipelineValue: sum(data.pipelines.map((p) => p.weightedValue)),
    dealsWonThisMonth: null,
    dealsLostThisMonth: null,
    revenueThisMonth: null,
    openTickets: data.openTickets.totalCount,
    averageCsat: null,
    newCustomersThisWeek: data.newThisWeek.totalCount,
  };
  return { figures, error: query.error, refetch: query.refetch };
}
