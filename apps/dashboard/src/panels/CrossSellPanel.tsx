import { graphql } from '@crm/client';
import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { formatMoney } from '../data/format.js';
import { type CustomerPanelProps, usePanelQuery } from './customer-panel.js';

// Typed against schema.graphql (every bundled plugin); sent only when the gateway serves `Customer.crossSellSuggestions`.
const customerCrossSell = graphql(`
  query CustomerCrossSell($id: ID!) {
    customer(id: $id) {
      id
      crossSellSuggestions(first: 5) { score confidence lift reason product { id sku name unitPrice } }
    }
  }
`);

const percent = (value: number) => `${Math.round(value * 100)}%`;

/** The cross-sell plugin's suggestions for the customer, best first, with the rule behind each (docs/plugins/cross-sell.md). */
export function CrossSellPanel(props: CustomerPanelProps) {
  const query = usePanelQuery(customerCrossSell, props);
  const customer = query.data?.customer;
  return (
    <section className="card" aria-labelledby="cross-sell-title" data-testid="panel-cross-sell">
      <h2 id="cross-sell-title">Suggestions to offer</h2>
      {query.error ? (
        <ErrorMessage error={query.error} retry={query.refetch} />
      ) : !customer ? (
        <Loading what="the suggestions" />
      ) : customer.crossSellSuggestions.length === 0 ? (
        <Empty>
          No suggestion now. None is made to a customer who unsubscribed from campaigns or had the period’s offers already, nor for
          products they bought or dismissed lately.
        </Empty>
      ) : (
        <ol className="rows suggestions" aria-label="Products to offer, best first">
          {customer.crossSellSuggestions.map((suggestion) => (
            <li key={suggestion.product.id}>
              <strong>{suggestion.product.name}</strong>
              <span>{suggestion.reason}</span>
              <span>
                {suggestion.confidence != null ? `${percent(suggestion.confidence)} · lift ${suggestion.lift?.toFixed(1) ?? '—'}` : 'popular'} ·{' '}
                {formatMoney(suggestion.product.unitPrice, true)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
