import { type CrmEvent, graphql } from '@crm/client';
import { CustomerProfile } from '../components/CustomerProfile.js';
import { FieldHistory } from '../components/FieldHistory.js';
import { ListSection } from '../components/ListSection.js';
import { LogActivityForm } from '../components/LogActivityForm.js';
import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { formatDate, formatMoney, titleCase } from '../data/format.js';
import { useCrmQuery, useLiveVersion } from '../data/hooks.js';
import { useCanEdit } from '../data/role.js';
import { CustomerPanels } from '../panels/CustomerPanels.js';
import { CustomFieldsCard } from '../custom-fields/CustomFieldsCard.js';
import { CUSTOMER } from '../custom-fields/record-kinds.js';
import { ReverseConnections } from '../records/ReverseConnections.js';

export const customer360 = graphql(`
  query Customer360($id: ID!) {
    customer(id: $id) {
      id name email phone lifecycleStage tags createdAt lifetimeValue orderCount lastOrderAt
      company { id name domain }
      owner { id name }
      stageHistory { fromStage toStage reason changedAt }
      satisfaction { averageCsat latestNps npsCategory responses }
      activities(first: 20) { totalCount edges { node { id type channel direction subject occurredAt } } }
      orders(first: 10) { totalCount edges { node { id orderRef orderedAt total lines { sku quantity } } } }
      deals(first: 10) { totalCount edges { node { id title amount status stage { id name } } } }
      tickets(first: 10) { totalCount edges { node { id subject status priority satisfactionRating } } }
      tasks(first: 10) { totalCount edges { node { id title dueAt status } } }
      history(first: 10, types: ["customer.updated"]) { totalCount edges { node { id occurredAt actor payload } } }
    }
  }
`);

/** An event about this customer, or about something of theirs (an order, an activity, a ticket, a deal…). */
function concerns(id: string, event: CrmEvent) {
  // Plugins' events name the customer in their payload (`loyalty.points_earned { customerId }`).
  const payload = event.payload as { customerId?: unknown } | null;
  if (payload?.customerId === id) return true;
  const subject = event.subject;
  if (!subject) return false;
  if (subject.id === id) return true;
  if ('customer' in subject) return subject.customer.id === id;
  return 'taskCustomer' in subject && subject.taskCustomer?.id === id;
}

/** The customer 360: profile, timeline, orders, deals, tickets, tasks and satisfaction, live. */
export function CustomerPage({ id }: { id: string }) {
  const query = useCrmQuery(customer360, { id });
  // The panels of analytics and plugins fetch again when `version` grows.
  const version = useLiveVersion((event) => concerns(id, event), query.refetch);
  const canEdit = useCanEdit();

  if (query.error) return <ErrorMessage error={query.error} retry={query.refetch} />;
  if (!query.data) return <Loading what="the customer" />;
  const customer = query.data.customer;
  if (!customer) return <Empty>This customer does not exist (any more). Go back to the customer list and search for them.</Empty>;

  return (
    <div className="customer-360">
      <CustomerProfile customer={customer} canEdit={canEdit} />
      <CustomFieldsCard kind={CUSTOMER} recordId={customer.id} canEdit={canEdit} version={version} title="More about them" />
      <ReverseConnections kind={CUSTOMER} recordId={customer.id} version={version} />
      <div className="panels">
        <section className="card" aria-labelledby="sat-title">
          <h2 id="sat-title">Satisfaction</h2>
          <dl className="pairs">
            <dt>Average CSAT</dt>
            <dd>{customer.satisfaction.averageCsat?.toFixed(2) ?? 'No answers yet'}</dd>
            <dt>Latest NPS</dt>
            <dd>{customer.satisfaction.latestNps ?? 'No answers yet'}{customer.satisfaction.npsCategory ? ` (${titleCase(customer.satisfaction.npsCategory)})` : ''}</dd>
            <dt>Survey answers</dt>
            <dd>{customer.satisfaction.responses}</dd>
            <dt>Lifetime value</dt>
            <dd>{formatMoney(customer.lifetimeValue, true)} over {customer.orderCount} orders</dd>
          </dl>
        </section>
        <CustomerPanels customerId={customer.id} version={version} />
        <ListSection
          id="orders"
          title="Orders"
          total={customer.orders.totalCount}
          items={customer.orders.edges.map((e) => e.node)}
          empty="No orders yet: orders recorded through the API or imported with `crm import orders` appear here."
          cells={(order) => [
            formatDate(order.orderedAt),
            order.orderRef ?? order.lines.map((l) => `${l.quantity}× ${l.sku}`).join(', '),
            <strong key="total">{formatMoney(order.total, true)}</strong>,
          ]}
        />
        <ListSection
          id="deals"
          title="Deals"
          total={customer.deals.totalCount}
          items={customer.deals.edges.map((e) => e.node)}
          empty="No deals."
          cells={(deal) => [deal.title, deal.stage.name, <strong key="amount">{formatMoney(deal.amount)}</strong>]}
        />
        <ListSection
          id="tickets"
          title="Tickets"
          total={customer.tickets.totalCount}
          items={customer.tickets.edges.map((e) => e.node)}
          empty="No tickets."
          cells={(ticket) => [
            ticket.subject,
            `${titleCase(ticket.status)} · ${titleCase(ticket.priority)}`,
            ticket.satisfactionRating ? `CSAT ${ticket.satisfactionRating}` : '',
          ]}
        />
        <ListSection
          id="tasks"
          title="Tasks"
          total={customer.tasks.totalCount}
          items={customer.tasks.edges.map((e) => e.node)}
          empty="No tasks."
          cells={(task) => [task.title, titleCase(task.status), formatDate(task.dueAt)]}
        />
        <FieldHistory entries={customer.history.edges.map((e) => e.node)} total={customer.history.totalCount} />
        <section className="card timeline" aria-labelledby="timeline-title">
          <h2 id="timeline-title">Timeline ({customer.activities.totalCount})</h2>
          {canEdit && <LogActivityForm customerId={customer.id} />}
          {customer.activities.edges.length === 0 ? (
            <Empty>No interactions yet. {canEdit ? 'Log a call, email or meeting above.' : ''}</Empty>
          ) : (
            <ol className="rows">
              {customer.activities.edges.map(({ node }) => (
                <li key={node.id}>
                  <time dateTime={node.occurredAt}>{formatDate(node.occurredAt)}</time>
                  <span>
                    {titleCase(node.type)} · {titleCase(node.channel)}
                    {node.direction ? ` · ${titleCase(node.direction)}` : ''}
                  </span>
                  <span>{node.subject}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
    </div>
  );
}
