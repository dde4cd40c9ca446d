import { lazy, Suspense, useState } from 'react';
import { usePipelineByStage } from '../charts/usePipelineByStage.js';
import { useRevenueByMonth } from '../charts/useRevenueByMonth.js';
import { EventFeed } from '../components/EventFeed.js';
import { MetricsPanel } from '../components/MetricsPanel.js';
import { ErrorMessage, Loading } from '../components/States.js';
import { pipelinesQuery } from '../data/documents.js';
import { formatMoney, titleCase } from '../data/format.js';
import { useCrmQuery, useEventStream, useThrottled } from '../data/hooks.js';
import { useKeyFigures } from '../data/key-figures.js';

// Chart.js loads after the first figures are on screen (a separate chunk).
const BarChart = lazy(() => import('../charts/BarChart.js').then((module) => ({ default: module.BarChart })));

const money = (value: number) => formatMoney(value);
const count = (value: number) => value.toLocaleString('en-US');

/** Key figures, charts and the live event feed. */
export function OverviewPage() {
  const { figures, error, refetch } = useKeyFigures();
  const pipelines = useCrmQuery(pipelinesQuery, {});
  // Charts are heavier: at most one refresh every 2 s while events arrive.
  const [version, setVersion] = useState(0);
  const refreshCharts = useThrottled(() => setVersion((v) => v + 1), 2000);
  useEventStream({ types: ['order.recorded', 'deal.created', 'deal.updated', 'deal.stage_changed', 'deal.deleted'] }, refreshCharts);
  // Chart data is fetched once the key figures are in, so it does not delay them.
  const revenue = useRevenueByMonth(version, !!figures);
  const byStage = usePipelineByStage(figures && pipelines.data?.pipelines.find((p) => p.isDefault), version);

  return (
    <div className="overview">
      <h1>Overview</h1>
      {error ? <ErrorMessage error={error} retry={refetch} /> : figures ? <MetricsPanel figures={figures} /> : <Loading what="key figures" />}
      <Suspense fallback={<Loading what="charts" />}>
      <div className="charts">
        {revenue ? <BarChart title="Revenue by month" labels={revenue.labels} values={revenue.values} format={money} /> : <Loading what="revenue" />}
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
      </div>
      </Suspense>
      <EventFeed />
    </div>
  );
}
