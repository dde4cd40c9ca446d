import { graphql } from '@crm/client';
import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { formatDate, titleCase } from '../data/format.js';
import { type CustomerPanelProps, usePanelQuery } from './customer-panel.js';

// Typed against schema.graphql (every bundled plugin); sent only when the gateway serves `Customer.loyalty`.
const customerLoyalty = graphql(`
  query CustomerLoyalty($id: ID!) {
    customer(id: $id) {
      id
      loyalty {
        id points lifetimePoints tier { name } tierSince
        transactions(first: 5) { edges { node { id kind points reason occurredAt } } }
      }
    }
  }
`);

/** The loyalty plugin's account: points, tier, recent transactions (docs/plugins/loyalty.md). */
export function LoyaltyPanel(props: CustomerPanelProps) {
  const query = usePanelQuery(customerLoyalty, props);
  const customer = query.data?.customer;
  const loyalty = customer?.loyalty;
  return (
    <section className="card" aria-labelledby="loyalty-title" data-testid="panel-loyalty">
      <h2 id="loyalty-title">Loyalty</h2>
      {query.error ? (
        <ErrorMessage error={query.error} retry={query.refetch} />
      ) : !customer ? (
        <Loading what="the loyalty account" />
      ) : !loyalty ? (
        <Empty>No points yet: points are earned on recorded orders.</Empty>
      ) : (
        <>
          <dl className="pairs">
            <dt>Points</dt>
            <dd data-testid="loyalty-points">{loyalty.points.toLocaleString('en-US')}</dd>
            <dt>Tier</dt>
            <dd>{loyalty.tier ? `${loyalty.tier.name}${loyalty.tierSince ? ` since ${formatDate(loyalty.tierSince)}` : ''}` : 'None'}</dd>
            <dt>Earned in all</dt>
            <dd>{loyalty.lifetimePoints.toLocaleString('en-US')}</dd>
          </dl>
          <ul className="rows" aria-label="Recent loyalty transactions">
            {loyalty.transactions.edges.map(({ node }) => (
              <li key={node.id}>
                <time dateTime={node.occurredAt}>{formatDate(node.occurredAt)}</time>
                <span>
                  {titleCase(node.kind)}
                  {node.reason ? ` · ${node.reason}` : ''}
                </span>
                <strong>{node.points > 0 ? `+${node.points}` : node.points}</strong>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
