import { graphql, type ResultOf, type VariablesOf } from '@crm/client';
import { useState } from 'react';
import { Empty, ErrorMessage, ErrorRow, Loading } from '../components/States.js';
import { CustomColumnsPicker, CustomFilters } from '../custom-fields/CustomListControls.js';
import { CustomValue } from '../custom-fields/CustomValue.js';
import type { CustomFieldDefinition, CustomObject } from '../custom-fields/definitions.js';
import { chunksOf, useExtraColumns } from '../custom-fields/extra-columns.js';
import { useCustomListOptions, withConditions } from '../custom-fields/list-options.js';
import { COMPANY } from '../custom-fields/record-kinds.js';
import { formatDate, titleCase } from '../data/format.js';
import { useCrmQuery, useSettled } from '../data/hooks.js';
import { LoadMore, type PageAnswer, usePages, useReportAnswer } from '../data/paging.js';
import { hrefOf } from '../router.js';

const PAGE = 30;

export const companiesQuery = graphql(`
  query CompanyList($search: String, $filter: CompanyFilter, $orderBy: [CompanyOrderBy!], $after: String, $first: Int!) {
    companies(search: $search, filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name domain industry size createdAt } }
    }
  }
`);

type Filter = NonNullable<VariablesOf<typeof companiesQuery>['filter']>;
type Sort = 'NAME' | 'CREATED_AT' | 'INDUSTRY';
type Row = ResultOf<typeof companiesQuery>['companies']['edges'][number]['node'];

/** Companies: search, industry, the workspace's custom fields as columns and filters; pages load as you scroll. */
export function CompaniesPage() {
  const [searchInput, setSearchInput] = useState('');
  const [industry, setIndustry] = useState('');
  const [sort, setSort] = useState<Sort>('NAME');
  const custom = useCustomListOptions(COMPANY);
  const search = useSettled(searchInput.trim(), 250);
  const settledIndustry = useSettled(industry.trim(), 250);
  // The custom fields' conditions are in the workspace's CompanyFilter, not in the typed client's: same language.
  const filter = withConditions<Filter>(settledIndustry ? { industry: { contains: settledIndustry } } : null, custom.conditions);
  const orderBy = [{ field: sort, direction: sort === 'CREATED_AT' ? ('DESC' as const) : ('ASC' as const) }];
  const variables = { search: search || null, filter, orderBy, first: PAGE };
  const pages = usePages(JSON.stringify(variables));

  return (
    <div className="companies">
      <div className="page-head">
        <h1>Companies</h1>
        {pages.totalCount !== undefined && (
          <p className="muted" role="status">
            {pages.totalCount.toLocaleString('en-US')} found
          </p>
        )}
      </div>
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <label>
          Search
          <input type="search" value={searchInput} onChange={(e) => setSearchInput(e.target.value)} placeholder="Name or domain" />
        </label>
        <label>
          Industry contains
          <input value={industry} onChange={(e) => setIndustry(e.target.value)} placeholder="e.g. Retail" />
        </label>
        <label>
          Sort by
          <select value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
            <option value="NAME">Name</option>
            <option value="CREATED_AT">Newest</option>
            <option value="INDUSTRY">Industry</option>
          </select>
        </label>
        <CustomFilters {...custom.filters} />
      </form>
      <CustomColumnsPicker fields={custom.fields} chosen={custom.columnIds} onChange={custom.setColumnIds} />
      <div className="table-scroll">
        <table className="list" data-testid="company-list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Industry</th>
              <th scope="col">Size</th>
              {custom.columns.map((field) => (
                <th scope="col" key={field.id} data-testid={`column-${field.name}`}>
                  {field.label}
                </th>
              ))}
              <th scope="col" className="wide-only">
                Since
              </th>
            </tr>
          </thead>
          {pages.cursors.map((after, index) => (
            <CompaniesPageRows
              key={`${pages.key}:${after ?? ''}`}
              variables={{ ...variables, after }}
              fields={custom.fields}
              columns={custom.columns}
              objects={custom.objects}
              onAnswer={(answer) => pages.answered(index, answer)}
            />
          ))}
        </table>
      </div>
      {pages.totalCount === 0 && <Empty>No company matches. Check the spelling or clear a filter.</Empty>}
      <LoadMore more={pages.more} loading={pages.loading} onMore={pages.loadMore} />
    </div>
  );
}

/** One page of the list: its query, its rows, and its extra columns asked in chunks by id. */
function CompaniesPageRows(props: {
  variables: VariablesOf<typeof companiesQuery>;
  fields: CustomFieldDefinition[];
  columns: CustomFieldDefinition[];
  objects: readonly CustomObject[];
  onAnswer: (answer: PageAnswer) => void;
}) {
  const { variables, fields, columns, objects, onAnswer } = props;
  const list = useCrmQuery(companiesQuery, variables);
  const connection = list.data?.companies;
  const width = 4 + columns.length;
  const answer: PageAnswer | undefined = connection && { totalCount: connection.totalCount, hasNextPage: connection.pageInfo.hasNextPage, endCursor: connection.pageInfo.endCursor ?? null };
  useReportAnswer(answer, onAnswer);
  if (list.error || !connection) {
    return (
      <tbody>
        <tr>
          <td colSpan={width}>{list.error ? <ErrorMessage error={list.error} retry={list.refetch} /> : <Loading what="companies" />}</td>
        </tr>
      </tbody>
    );
  }
  return (
    <>
      {chunksOf(connection.edges.map((e) => e.node)).map((chunk) => (
        <CompanyRows key={chunk[0]!.id} rows={chunk} fields={fields} columns={columns} objects={objects} />
      ))}
    </>
  );
}

function CompanyRows({ rows, fields, columns, objects }: { rows: Row[]; fields: CustomFieldDefinition[]; columns: CustomFieldDefinition[]; objects: readonly CustomObject[] }) {
  const extra = useExtraColumns(COMPANY, rows.map((row) => row.id), { fields, columns: columns.length }, objects);
  return (
    <tbody>
      {extra.error && <ErrorRow error={extra.error} retry={extra.refetch} width={4 + columns.length} />}
      {rows.map((company) => (
        <tr key={company.id}>
          <td>
            <a href={hrefOf({ page: 'company', id: company.id })}>{company.name}</a>
            {company.domain && <span className="muted block">{company.domain}</span>}
          </td>
          <td>{company.industry ?? '—'}</td>
          <td>{company.size ? titleCase(company.size) : '—'}</td>
          {columns.map((field) => (
            <td key={field.id}>{extra.values?.has(company.id) ? <CustomValue field={field} value={extra.values.get(company.id)![field.name]} objects={objects} /> : extra.error ? '—' : '…'}</td>
          ))}
          <td className="wide-only">{formatDate(company.createdAt)}</td>
        </tr>
      ))}
    </tbody>
  );
}
