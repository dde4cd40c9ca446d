import { graphql } from '@crm/client';
import { ErrorMessage, Loading } from '../components/States.js';
import { formatDate, formatMoney } from '../data/format.js';
import { type CustomerPanelProps, usePanelQuery } from './customer-panel.js';

const customerAnalytics = graphql(`
  query CustomerAnalytics($id: ID!) {
    customer(id: $id) {
      id
      analytics {
        predictedLifetimeValue probabilityAlive expectedPurchases(weeks: 52) expectedOrderValue
        rfm { recency frequency monetary segmentName } profit shareOfWallet scoredAt
      }
    }
  }
`);

const percent = (value: number) => `${Math.round(value * 100)}%`;

/** Predicted value and RFM (as of the latest lifetime-value fit), profit and share of wallet (docs/analytics.md). */
export function AnalyticsPanel(props: CustomerPanelProps) {
  const query = usePanelQuery(customerAnalytics, props);
  const analytics = query.data?.customer?.analytics;
  return (
    <section className="card" aria-labelledby="analytics-title" data-testid="panel-analytics">
      <h2 id="analytics-title">Value and outlook</h2>
      {query.error ? (
        <ErrorMessage error={query.error} retry={query.refetch} />
      ) : !analytics ? (
        <Loading what="the analytics" />
      ) : (
        <dl className="pairs">
          <dt>Predicted lifetime value</dt>
          <dd>{analytics.predictedLifetimeValue == null ? 'Not scored yet' : formatMoney(analytics.predictedLifetimeValue, true)}</dd>
          <dt>Probability alive</dt>
          <dd>{analytics.probabilityAlive == null ? 'Not scored yet' : percent(analytics.probabilityAlive)}</dd>
          <dt>Expected purchases (52 weeks)</dt>
          <dd>{analytics.expectedPurchases == null ? 'Not scored yet' : analytics.expectedPurchases.toFixed(1)}</dd>
          <dt>RFM segment</dt>
          <dd>
            {analytics.rfm ? `${analytics.rfm.segmentName} (R${analytics.rfm.recency} F${analytics.rfm.frequency} M${analytics.rfm.monetary})` : 'Not scored yet'}
          </dd>
          <dt>Profit</dt>
          <dd>{formatMoney(analytics.profit, true)}</dd>
          {analytics.shareOfWallet != null && (
            <>
              <dt>Share of wallet</dt>
              <dd>{percent(analytics.shareOfWallet)}</dd>
            </>
          )}
          <dt>Scored</dt>
          <dd>{analytics.scoredAt ? formatDate(analytics.scoredAt) : 'Scores appear after the first lifetime-value fit'}</dd>
        </dl>
      )}
    </section>
  );
}
