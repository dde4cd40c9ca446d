import { lazy, Suspense, useMemo, useState } from 'react';
import { ChartSlot } from '../charts/ChartSlot.js';
import { monthLabel, useOverviewReports } from '../charts/useOverviewReports.js';
import { usePipelineByStage } from '../charts/usePipelineByStage.js';
import { EventFeed } from '../components/EventFeed.js';
import { MetricsPanel } from '../components/MetricsPanel.js';
import { ErrorMessage, Loading } from '../components/States.js';
import { pipelinesQuery } from '../data/documents.js';
import { formatMoney, titleCase } from '../data/format.js';
import { useCrmQuery, useEventStream, useThrottled } from '../data/hooks.js';
import { useKeyFigures } from '../data/key-figures.js';

// Chart.js loads after the first figures are on screen (a separate chunk).
const BarChart = lazy(() => import('../charts/BarChart.js').then((module) => ({ default: module.BarChart })));
const RetentionHeatmap = lazy(() => import('../charts/RetentionHeatmap.js').then((module) => ({ default: module.RetentionHeatmap })));

const money = (value: number) => formatMoney(value);
const count = (value: number) => value.toLocaleString('en-US');

/** Events after which a chart can change: orders (revenue, cohorts), deals (pipeline), lifetime-value fits (equity). */
const CHART_EVENTS = ['order.recorded', 'orders.imported', 'deal.created', 'deal.updated', 'deal.stage_changed', 'deal.trashed', 'deal.restored', 'clv.model_fitted'];

/** Key figures, charts and the live event feed. */
export function OverviewPage() {
  const { figures, error, refetch } = useKeyFigures();
  // Asked for once the key figures are in: on the first load, nothing queues in front of them (one database connection).
  const pipelines = useCrmQuery(pipelinesQuery, {}, { pause: !figures });
  // Charts are heavier: at most one refresh every 2 s while events arrive.
  const [version, setVersion] = useState(0);
  const refreshCharts = useThrottled(() => setVersion((v) => v + 1), 2000);
  useEventStream({ types: CHART_EVENTS }, refreshCharts);
  // Chart data is fetched once the key figures are in, so it does not delay them.
  const reports = useOverviewReports(version, !!figures);
  const byStage = usePipelineByStage(figures && pipelines.data?.pipelines.find((p) => p.isDefault), version);
  const data = reports.data?.reports;

  const revenue = useMemo(
    () => data && { labels: data.revenueByMonth.map((m) => monthLabel(m.month)), values: data.revenueByMonth.map((m) => Math.round(Number(m.revenue))) },
    [data],
  );
  const equity = useMemo(
    () => data && { labels: data.customerEquity.bySegment.map((s) => s.key), values: data.customerEquity.bySegment.map((s) => Math.round(Number(s.equity))) },
    [data],
  );
  const cohorts = useMemo(() => data?.cohorts.map((c) => ({ label: monthLabel(c.cohort), size: c.size, retention: c.retention })), [data]);
  const reportState = { error: reports.error, retry: reports.refetch, loading: !data };

  return (
    <div className="overview">
      <h1>Overview</h1>
      {error ? <ErrorMessage error={error} retry={refetch} /> : figures ? <MetricsPanel figures={figures} /> : <Loading what="key figures" />}
      <Suspense fallback={<Loading what="charts" />}>
        <div className="charts">
          <ChartSlot
            title="Revenue by month"
            {...reportState}
            empty={revenue && revenue.values.every((v) => v === 0) ? 'No orders in the last 12 months: orders recorded through the API or imported with `crm import orders` appear here.' : null}
          >
            {revenue && <BarChart title="Revenue by month" labels={revenue.labels} values={revenue.values} format={money} />}
          </ChartSlot>
          {byStage ? (
            <BarChart title="Open pipeline by stage" labels={byStage.labels} values={byStage.values} format={money} color="#1f9d74" />
          ) : (
            <Loading what="pipeline" />
          )}
          {figures ? (
            <BarChart
              title="Lifecycle funnel"
              labels={figures.customersByStage.map((s) => titleCase(s.stage))}
              values={figures.customersByStage.map((s) => s.count)}
              format={count}
              horizontal
              color="#8a5cd6"
            />
          ) : (
            <Loading what="lifecycle funnel" />
          )}
          <ChartSlot
            title="Customer equity by segment"
            {...reportState}
            empty={
              data && data.customerEquity.customers === 0
                ? 'No customer is scored yet: equity (the sum of predicted lifetime values) appears after the first lifetime-value fit, `crm analytics fit`.'
                : null
            }
          >
            {equity && <BarChart title="Customer equity by segment" labels={equity.labels} values={equity.values} format={money} horizontal color="#d9822b" />}
          </ChartSlot>
          <ChartSlot
            title="Cohort retention"
            wide
            {...reportState}
            empty={cohorts && cohorts.length === 0 ? 'No first purchases in the last 12 months: each month of first orders becomes a row here.' : null}
          >
            {cohorts && <RetentionHeatmap title="Cohort retention" cohorts={cohorts} />}
          </ChartSlot>
        </div>
      </Suspense>
      <EventFeed />
    </div>
  );
}
