import type { ResultOf } from '@crm/client';
import { CustomValue } from '../custom-fields/CustomValue.js';
import type { CustomFieldDefinition, CustomObject } from '../custom-fields/definitions.js';
import { chunksOf, useExtraColumns } from '../custom-fields/extra-columns.js';
import { CUSTOMER } from '../custom-fields/record-kinds.js';
import { formatDate, formatMoney, titleCase } from '../data/format.js';
import { ErrorRow } from './States.js';
import type { customersQuery } from '../pages/CustomersPage.js';
import { hrefOf } from '../router.js';

type Row = ResultOf<typeof customersQuery>['customers']['edges'][number]['node'];

/** The customers list's table: the built-in columns, the scores while they are asked for, the chosen custom columns. */
export function CustomerTable(props: { rows: Row[]; withScores: boolean; fields: CustomFieldDefinition[]; columns: CustomFieldDefinition[]; objects: readonly CustomObject[] }) {
  const { rows, withScores, fields, columns, objects } = props;
  const chunks = chunksOf(rows);
  return (
    <div className="table-scroll">
      <table className="list" data-testid="customer-list">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Company</th>
            <th scope="col">Stage</th>
            <th scope="col" className="number">
              Lifetime value
            </th>
            {columns.map((field) => (
              <th scope="col" key={field.id} data-testid={`column-${field.name}`}>
                {field.label}
              </th>
            ))}
            {withScores && (
              <>
                <th scope="col" className="number">
                  Predicted value
                </th>
                <th scope="col">Segment</th>
              </>
            )}
            <th scope="col" className="wide-only">
              Since
            </th>
          </tr>
        </thead>
        {chunks.map((chunk) => (
          <RowsChunk key={chunk[0]!.id} rows={chunk} withScores={withScores} fields={fields} columns={columns} objects={objects} />
        ))}
      </table>
    </div>
  );
}

interface Scores {
  analytics?: { predictedLifetimeValue: string | null; rfm: { segmentName: string } | null } | null;
}

/** A chunk of rows and, when extra columns are shown, one query for them (by id, in the workspace's schema). */
function RowsChunk(props: { rows: Row[]; withScores: boolean; fields: CustomFieldDefinition[]; columns: CustomFieldDefinition[]; objects: readonly CustomObject[] }) {
  const { rows, withScores, fields, columns, objects } = props;
  // The scores are computed fields: a query that selects them cannot filter on custom fields, so the list's does not.
  const extra = useExtraColumns(CUSTOMER, rows.map((row) => row.id), { fields, columns: columns.length, withScores }, objects);
  const values = (extra.values ?? new Map()) as Map<string, Scores & Record<string, unknown>>;
  const width = 5 + columns.length + (withScores ? 2 : 0);
  return (
    <tbody>
      {extra.error && <ErrorRow error={extra.error} retry={extra.refetch} width={width} />}
      {rows.map((node) => (
        <tr key={node.id}>
          <td>
            <a href={hrefOf({ page: 'customer', id: node.id })}>{node.name}</a>
            {node.email && <span className="muted block">{node.email}</span>}
          </td>
          <td>{node.company ? <a href={hrefOf({ page: 'company', id: node.company.id })}>{node.company.name}</a> : '—'}</td>
          <td>
            <span className={`badge stage-${node.lifecycleStage.toLowerCase()}`}>{titleCase(node.lifecycleStage)}</span>
          </td>
          <td className="number">{formatMoney(node.lifetimeValue)}</td>
          {columns.map((field) => (
            <td key={field.id}>{values.has(node.id) ? <CustomValue field={field} value={values.get(node.id)![field.name]} objects={objects} /> : extra.error ? '—' : '…'}</td>
          ))}
          {withScores && (
            <>
              <td className="number">{formatMoney(values.get(node.id)?.analytics?.predictedLifetimeValue)}</td>
              <td>{values.get(node.id)?.analytics?.rfm?.segmentName ?? '—'}</td>
            </>
          )}
          <td className="wide-only">{formatDate(node.createdAt)}</td>
        </tr>
      ))}
    </tbody>
  );
}
