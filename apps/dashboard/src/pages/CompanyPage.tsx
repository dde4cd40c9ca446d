import { graphql } from '@crm/client';
import { ListSection } from '../components/ListSection.js';
import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { CustomFieldsCard } from '../custom-fields/CustomFieldsCard.js';
import { COMPANY } from '../custom-fields/record-kinds.js';
import { formatDate, formatMoney, titleCase } from '../data/format.js';
import { useCrmQuery, useLiveVersion } from '../data/hooks.js';
import { useCanEdit } from '../data/role.js';
import { ReverseConnections } from '../records/ReverseConnections.js';
import { hrefOf } from '../router.js';

export const companyQuery = graphql(`
  query CompanyPage($id: ID!) {
    company(id: $id) {
      id name domain industry size annualWallet createdAt
      owner { id name }
      customers(first: 10, orderBy: [{ field: NAME }]) { totalCount edges { node { id name lifecycleStage } } }
      deals(first: 10) { totalCount edges { node { id title amount status } } }
    }
  }
`);

/** A company: its profile, its custom fields (editable), its people and deals, and the custom records pointing at it. */
export function CompanyPage({ id }: { id: string }) {
  const query = useCrmQuery(companyQuery, { id });
  // Another user's change to the company shows without reload.
  const version = useLiveVersion((event) => event.subject?.id === id, query.refetch);
  const canEdit = useCanEdit();

  if (query.error) return <ErrorMessage error={query.error} retry={query.refetch} />;
  if (!query.data) return <Loading what="the company" />;
  const company = query.data.company;
  if (!company) return <Empty>This company does not exist (any more). Go back to the company list and search for it.</Empty>;
  return (
    <div className="customer-360">
      <section className="card profile" aria-labelledby="company-name">
        <div className="page-head">
          <h1 id="company-name">{company.name}</h1>
          {company.size && <span className="badge">{titleCase(company.size)}</span>}
        </div>
        <dl className="pairs">
          <dt>Domain</dt>
          <dd>{company.domain ?? '—'}</dd>
          <dt>Industry</dt>
          <dd>{company.industry ?? '—'}</dd>
          <dt>Yearly wallet</dt>
          <dd>{formatMoney(company.annualWallet)}</dd>
          <dt>Owner</dt>
          <dd>{company.owner?.name ?? '—'}</dd>
          <dt>Since</dt>
          <dd>{formatDate(company.createdAt)}</dd>
        </dl>
      </section>
      <CustomFieldsCard kind={COMPANY} recordId={company.id} canEdit={canEdit} version={version} title="More about it" />
      <div className="panels">
        <ListSection
          id="company-customers"
          title="People"
          total={company.customers.totalCount}
          items={company.customers.edges.map((e) => e.node)}
          empty="Nobody at this company yet."
          cells={(customer) => [<a href={hrefOf({ page: 'customer', id: customer.id })}>{customer.name}</a>, titleCase(customer.lifecycleStage)]}
        />
        <ListSection
          id="company-deals"
          title="Deals"
          total={company.deals.totalCount}
          items={company.deals.edges.map((e) => e.node)}
          empty="No deals."
          cells={(deal) => [deal.title, titleCase(deal.status), formatMoney(deal.amount)]}
        />
        <ReverseConnections kind={COMPANY} recordId={company.id} version={version} />
      </div>
    </div>
  );
}
