import { graphql } from '@crm/client';
import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { formatDate } from '../data/format.js';
import { type CustomerPanelProps, usePanelQuery } from './customer-panel.js';

// Typed against schema.graphql (every bundled plugin); sent only when the gateway serves `Customer.competitorMentions`.
const customerCompetitorMentions = graphql(`
  query CustomerCompetitorMentions($id: ID!) {
    customer(id: $id) {
      id
      competitorMentions { id matched occurredAt competitor { id name } }
    }
  }
`);

/** How many mentions the panel lists (newest first); the count covers them all. */
const SHOWN = 8;

/** The competitor feedback plugin's mentions: competitors named in the customer's interactions (docs/plugins/competitor-feedback.md). */
export function CompetitorMentionsPanel(props: CustomerPanelProps) {
  const query = usePanelQuery(customerCompetitorMentions, props);
  const customer = query.data?.customer;
  const mentions = customer?.competitorMentions ?? [];
  const byCompetitor = new Map<string, number>();
  for (const mention of mentions) byCompetitor.set(mention.competitor.name, (byCompetitor.get(mention.competitor.name) ?? 0) + 1);
  return (
    <section className="card" aria-labelledby="competitors-title" data-testid="panel-competitor-mentions">
      <h2 id="competitors-title">Competitor mentions</h2>
      {query.error ? (
        <ErrorMessage error={query.error} retry={query.refetch} />
      ) : !customer ? (
        <Loading what="the competitor mentions" />
      ) : mentions.length === 0 ? (
        <Empty>No competitor named yet: calls, emails and notes that name a competitor of the library show up here.</Empty>
      ) : (
        <>
          <p data-testid="competitor-summary">
            {[...byCompetitor].map(([name, n]) => `${name} ×${n}`).join(', ')}
          </p>
          <ul className="rows" aria-label="Latest competitor mentions">
            {mentions.slice(0, SHOWN).map((mention) => (
              <li key={mention.id}>
                <time dateTime={mention.occurredAt}>{formatDate(mention.occurredAt)}</time>
                <span>{mention.competitor.name}</span>
                <span>“{mention.matched}”</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
