import { graphql } from '@crm/client';
import { recordListDocument } from '@crm/gateway/workspace-documents';
import { useState } from 'react';
import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { CustomFilters } from '../custom-fields/CustomListControls.js';
import { CustomValue } from '../custom-fields/CustomValue.js';
import type { CustomFieldDefinition, CustomObject } from '../custom-fields/definitions.js';
import { useCustomListOptions, withConditions } from '../custom-fields/list-options.js';
import type { RecordKind } from '../custom-fields/record-kinds.js';
import { formatDate, titleCase } from '../data/format.js';
import { useCrmQuery, useSettled } from '../data/hooks.js';
import { LoadMore, type PageAnswer, usePages, useReportAnswer } from '../data/paging.js';
import { useCanEdit } from '../data/role.js';
import { connectionIn, UnexpectedAnswer } from '../data/workspace-answers.js';
import { NewRecordForm } from '../records/NewRecordForm.js';
import { pluralLabel, recordName, useCustomObjectNamed } from '../records/custom-object.js';
import { hrefOf } from '../router.js';

const PAGE = 30;

interface ListVariables {
  search: string | null;
  filter: Record<string, unknown> | null;
  orderBy: { field: string; direction: 'ASC' | 'DESC' }[];
  first: number;
  after: string | null;
}

const sortKeysQuery = graphql(`
  query SortKeys($type: String!) { __type(name: $type) { enumValues { name } } }
`);

/** The sort keys the workspace's schema offers for the object (its fields and its relations' fields), asked from it. */
function useSortKeys(kind: RecordKind | undefined): string[] {
  const query = useCrmQuery(sortKeysQuery, { type: `${kind?.type ?? ''}OrderField` }, { pause: !kind });
  // gql.tada does not type introspection fields: the shape is the spec's.
  const type = query.data?.__type as { enumValues?: { name: string }[] | null } | null | undefined;
  // Sorting by the opaque id means nothing to people.
  return (type?.enumValues ?? []).map((value) => value.name).filter((name) => typeof name === 'string' && name !== 'ID');
}

/** A custom object's records: a column per field, filters and sort on them, search; pages load as you scroll. */
export function RecordsPage({ objectName }: { objectName: string }) {
  const { object, kind, labelField, query } = useCustomObjectNamed(objectName);
  if (query.error) return <ErrorMessage error={query.error} retry={query.refetch} />;
  if (object === undefined) return <Loading what="the object" />;
  if (!object || !kind) return <Empty>This workspace has no object called {objectName} (any more). An admin defines objects on the Fields page.</Empty>;
  return <RecordList key={object.id} object={object} kind={kind} labelField={labelField} />;
}

function RecordList({ object, kind, labelField }: { object: CustomObject; kind: RecordKind; labelField: string | null }) {
  const canEdit = useCanEdit();
  const custom = useCustomListOptions(kind);
  const [searchInput, setSearchInput] = useState('');
  const [sort, setSort] = useState('CREATED_AT');
  const [direction, setDirection] = useState<'ASC' | 'DESC'>('DESC');
  const [creating, setCreating] = useState(false);
  const sortKeys = useSortKeys(kind);
  const search = useSettled(searchInput.trim(), 250);
  const variables = { search: search || null, filter: withConditions<Record<string, unknown>>(null, custom.conditions), orderBy: [{ field: sort, direction }], first: PAGE };
  const pages = usePages(JSON.stringify(variables));
  const label = object.label;

  if (custom.definitions.error) return <ErrorMessage error={custom.definitions.error} retry={custom.definitions.refetch} />;
  if (!custom.definitions.data) return <Loading what={`the ${object.pluralName}`} />;
  return (
    <div className="records">
      <div className="page-head">
        <h1>{pluralLabel(object)}</h1>
        {pages.totalCount !== undefined && (
          <p className="muted" role="status">
            {pages.totalCount.toLocaleString('en-US')} found
          </p>
        )}
        {canEdit && !creating && custom.fields.length > 0 && (
          <button type="button" onClick={() => setCreating(true)}>
            New {label}
          </button>
        )}
      </div>
      {object.description && <p className="muted">{object.description}</p>}
      {creating && (
        <div className="card">
          <NewRecordForm
            kind={kind}
            label={label}
            fields={custom.fields}
            objects={custom.objects}
            onDone={(id) => {
              setCreating(false);
              if (id) location.hash = hrefOf({ page: 'record', object: object.name, id });
            }}
          />
        </div>
      )}
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <label>
          Search
          <input type="search" value={searchInput} onChange={(e) => setSearchInput(e.target.value)} placeholder={`Search ${object.pluralName}`} />
        </label>
        <label>
          Sort by
          <select value={sort} onChange={(e) => setSort(e.target.value)}>
            {(sortKeys.length ? sortKeys : ['CREATED_AT']).map((key) => (
              <option key={key} value={key}>
                {titleCase(key)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Direction
          <select value={direction} onChange={(e) => setDirection(e.target.value as 'ASC' | 'DESC')}>
            <option value="ASC">Ascending</option>
            <option value="DESC">Descending</option>
          </select>
        </label>
        <CustomFilters {...custom.filters} />
      </form>
      {custom.fields.length === 0 ? (
        <Empty>{label} has no fields yet. An admin adds them on the Fields page; records then have a column per field.</Empty>
      ) : (
        <div className="table-scroll">
          <table className="list" data-testid="record-list">
            <thead>
              <tr>
                <th scope="col">{label}</th>
                {custom.fields.map((field) => (
                  <th scope="col" key={field.id} data-testid={`column-${field.name}`}>
                    {field.label}
                  </th>
                ))}
                <th scope="col" className="wide-only">
                  Created
                </th>
              </tr>
            </thead>
            {pages.cursors.map((after, index) => (
              <RecordRows
                key={`${pages.key}:${after ?? ''}`}
                kind={kind}
                object={object}
                labelField={labelField}
                variables={{ ...variables, after }}
                fields={custom.fields}
                objects={custom.objects}
                onAnswer={(answer) => pages.answered(index, answer)}
              />
            ))}
          </table>
        </div>
      )}
      {pages.totalCount === 0 && custom.fields.length > 0 && (
        <Empty>
          No {object.pluralName} {custom.conditions.length || search ? 'match. Clear a filter or the search.' : `yet. ${canEdit ? `“New ${label}” adds one.` : 'A member adds them.'}`}
        </Empty>
      )}
      <LoadMore more={pages.more} loading={pages.loading} onMore={pages.loadMore} />
    </div>
  );
}

/** One page of records (the workspace's own list field, asked with a document written from the definitions). */
function RecordRows(props: {
  kind: RecordKind;
  object: CustomObject;
  labelField: string | null;
  variables: ListVariables;
  fields: CustomFieldDefinition[];
  objects: readonly CustomObject[];
  onAnswer: (answer: PageAnswer) => void;
}) {
  const { kind, object, labelField, variables, fields, objects } = props;
  const list = useCrmQuery<unknown, ListVariables>(recordListDocument(kind, fields, objects), variables);
  let page;
  let problem: string | null = null;
  try {
    page = list.data === undefined ? undefined : connectionIn(list.data, kind.plural);
  } catch (error) {
    if (!(error instanceof UnexpectedAnswer)) throw error;
    problem = error.message;
  }
  useReportAnswer(page && { totalCount: page.totalCount, hasNextPage: page.hasNextPage, endCursor: page.endCursor }, props.onAnswer);
  const width = fields.length + 2;
  if (list.error || problem || !page) {
    return (
      <tbody>
        <tr>
          <td colSpan={width}>{list.error ? <ErrorMessage error={list.error} retry={list.refetch} /> : problem ?? <Loading what={object.pluralName} />}</td>
        </tr>
      </tbody>
    );
  }
  return (
    <tbody>
      {page.records.map((record) => (
        <tr key={record.id}>
          <td>
            <a href={hrefOf({ page: 'record', object: object.name, id: record.id })}>{recordName(record, labelField)}</a>
          </td>
          {fields.map((field) => (
            <td key={field.id}>
              <CustomValue field={field} value={record[field.name]} objects={objects} />
            </td>
          ))}
          <td className="wide-only">{formatDate(typeof record.createdAt === 'string' ? record.createdAt : null)}</td>
        </tr>
      ))}
    </tbody>
  );
}
