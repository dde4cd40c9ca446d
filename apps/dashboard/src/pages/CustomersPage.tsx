import { graphql, type VariablesOf } from '@crm/client';
import { useState } from 'react';
import { NewCustomerForm } from '../components/NewCustomerForm.js';
import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { amountOrNull } from '../data/format.js';
import { useCrmQuery, useSettled } from '../data/hooks.js';
import type { LifecycleStage } from '../data/key-figures.js';
import { StageSelect } from '../components/FormParts.js';
import { useCanEdit } from '../data/role.js';
import { CustomerTable } from '../components/CustomerTable.js';
import { CustomColumnsPicker, CustomFilters } from '../custom-fields/CustomListControls.js';
import { useCustomListOptions, withConditions } from '../custom-fields/list-options.js';
import { CUSTOMER } from '../custom-fields/record-kinds.js';
import { LoadMore } from '../data/paging.js';

const PAGE = 30;

export const customersQuery = graphql(`
  query CustomerList($search: String, $filter: CustomerFilter, $orderBy: [CustomerOrderBy!], $after: String, $first: Int!) {
    customers(search: $search, filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id name email lifecycleStage lifetimeValue createdAt company { id name }
        }
      }
    }
  }
`);

// What the filters choose from: the saved segments and the industries the workspace's companies are in.
const filterChoicesQuery = graphql(`
  query CustomerFilterChoices {
    segments { id name }
    companiesGroupBy(by: [{ field: INDUSTRY }], first: 100) { key { industry } }
  }
`);

type Sort = 'NAME' | 'CREATED_AT' | 'LIFETIME_VALUE' | 'LAST_ORDER_AT' | 'PREDICTED_LIFETIME_VALUE';
type Filter = NonNullable<VariablesOf<typeof customersQuery>['filter']>;
type RfmSegment = NonNullable<NonNullable<NonNullable<Filter['score']>['rfmSegment']>['eq']>;

/** The filter language's conditions for the choices made (all of them hold); null when none is made. */
function customerFilter(choices: { stage: string; tag: string; rfm: string; industry: string; minDealAmount: string | null; savedSegment: string }): Filter | null {
  const { stage, tag, rfm, industry, minDealAmount, savedSegment } = choices;
  const filter: Filter = {
    ...(stage ? { lifecycleStage: { eq: stage as LifecycleStage } } : {}),
    ...(tag ? { tags: { has: tag } } : {}),
    ...(rfm ? { score: { rfmSegment: { eq: rfm as RfmSegment } } } : {}),
    ...(industry ? { company: { industry: { eq: industry } } } : {}),
    ...(minDealAmount ? { deals: { some: { amount: { gte: minDealAmount } } } } : {}),
    ...(savedSegment ? { inSegment: savedSegment } : {}),
  };
  return Object.keys(filter).length ? filter : null;
}

// RfmSegment, in the schema's order, as people write them (docs/analytics.md).
const SEGMENTS: { value: RfmSegment; label: string }[] = [
  { value: 'CHAMPIONS', label: 'Champions' },
  { value: 'LOYAL', label: 'Loyal' },
  { value: 'POTENTIAL_LOYALIST', label: 'Potential loyalist' },
  { value: 'NEW', label: 'New' },
  { value: 'AT_RISK', label: 'At risk' },
  { value: 'CANT_LOSE_THEM', label: "Can't lose them" },
  { value: 'HIBERNATING', label: 'Hibernating' },
  { value: 'LOST', label: 'Lost' },
];

/** Search, filters and a Relay list that loads the next page as you scroll (or with the button). */
export function CustomersPage() {
  const [searchInput, setSearchInput] = useState('');
  const [stage, setStage] = useState<LifecycleStage | ''>('');
  const [tag, setTag] = useState('');
  const [sort, setSort] = useState<Sort>('NAME');
  const [rfm, setRfm] = useState<RfmSegment | ''>('');
  const [industry, setIndustry] = useState('');
  const [minDealInput, setMinDealInput] = useState('');
  const [savedSegment, setSavedSegment] = useState('');
  const canEdit = useCanEdit();
  const custom = useCustomListOptions(CUSTOMER);
  const choices = useCrmQuery(filterChoicesQuery, {});
  const industries = (choices.data?.companiesGroupBy ?? []).flatMap((group) => (group.key.industry ? [group.key.industry] : []));

  // Typing settles for 250 ms before the search (or the amount) is sent.
  const search = useSettled(searchInput.trim(), 250);
  const minDealAmount = useSettled(amountOrNull(minDealInput), 250);
  // The custom fields' conditions are in the workspace's CustomerFilter, not in the typed client's: same language.
  const filter = withConditions(customerFilter({ stage, tag, rfm, industry, minDealAmount, savedSegment }), custom.conditions);
  // A cursor belongs to one search/filter/order: changing them starts from the first page.
  const filtersKey = JSON.stringify([search, filter, sort]);
  const [paging, setPaging] = useState<{ key: string; after: string | null }>({ key: filtersKey, after: null });
  const after = paging.key === filtersKey ? paging.after : null;
  const setAfter = (cursor: string | null) => setPaging({ key: filtersKey, after: cursor });

  // The scores' columns only when sorting or filtering by them (the plain list stays as light as before); the table
  // reads them with its extra columns, so the list's own query selects no computed field and may filter on custom ones.
  const withScores = sort === 'PREDICTED_LIFETIME_VALUE' || !!rfm;
  const orderBy = [{ field: sort, direction: sort === 'NAME' ? ('ASC' as const) : ('DESC' as const) }];
  // The cache merges the pages (same search/filter/order, growing `after`) into one list.
  const list = useCrmQuery(customersQuery, { search: search || null, filter, orderBy, after, first: PAGE });
  const connection = list.data?.customers;
  const more = connection?.pageInfo.hasNextPage ? connection.pageInfo.endCursor ?? null : null;

  return (
    <div className="customers">
      <div className="page-head">
        <h1>Customers</h1>
        {connection && <p className="muted" role="status">{connection.totalCount.toLocaleString('en-US')} found</p>}
      </div>
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <label>
          Search
          <input type="search" value={searchInput} onChange={(e) => setSearchInput(e.target.value)} placeholder="Name, email or company" />
        </label>
        <StageSelect<LifecycleStage | ''> value={stage} onChange={setStage} anyLabel="All stages" />
        <label>
          Tag
          <input value={tag} onChange={(e) => setTag(e.target.value.trim())} placeholder="e.g. vip" />
        </label>
        <label>
          Sort by
          <select value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
            <option value="NAME">Name</option>
            <option value="CREATED_AT">Newest</option>
            <option value="LIFETIME_VALUE">Lifetime value</option>
            <option value="LAST_ORDER_AT">Last order</option>
            <option value="PREDICTED_LIFETIME_VALUE">Predicted lifetime value</option>
          </select>
        </label>
        <label>
          RFM segment
          <select value={rfm} onChange={(e) => setRfm(e.target.value as RfmSegment | '')}>
            <option value="">All segments</option>
            {SEGMENTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Company industry
          <select value={industry} onChange={(e) => setIndustry(e.target.value)}>
            <option value="">All industries</option>
            {industries.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Deal amount at least
          <input inputMode="decimal" value={minDealInput} onChange={(e) => setMinDealInput(e.target.value)} placeholder="e.g. 1000" />
        </label>
        <label>
          Saved segment
          <select value={savedSegment} onChange={(e) => setSavedSegment(e.target.value)}>
            <option value="">Everyone</option>
            {(choices.data?.segments ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <CustomFilters {...custom.filters} />
      </form>
      <CustomColumnsPicker fields={custom.fields} chosen={custom.columnIds} onChange={custom.setColumnIds} />
      {canEdit && <NewCustomerForm />}
      {list.error ? (
        <ErrorMessage error={list.error} retry={list.refetch} />
      ) : !connection ? (
        <Loading what="customers" />
      ) : connection.edges.length === 0 ? (
        <Empty>
          No customer matches. Check the spelling, clear a filter (customers are scored once they have bought), or {canEdit ? 'add one above.' : 'ask a member to add one.'}
        </Empty>
      ) : (
        <CustomerTable rows={connection.edges.map((e) => e.node)} withScores={withScores} fields={custom.fields} columns={custom.columns} objects={custom.objects} />
      )}
      <LoadMore more={more} loading={list.fetching} onMore={() => setAfter(more)} />
    </div>
  );
}
