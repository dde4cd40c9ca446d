import type { ResultOf } from '@crm/client';
import type { CustomValues } from '../custom-fields/customer-values.js';
import { customerColumnsDocument } from '../custom-fields/customer-values.js';
import { CustomValue } from '../custom-fields/CustomValue.js';
import type { CustomFieldDefinition, CustomObject } from '../custom-fields/definitions.js';
import { formatDate, formatMoney, titleCase } from '../data/format.js';
import { useCrmQuery } from '../data/hooks.js';
import { ErrorMessage } from './States.js';
import type { customersQuery } from '../pages/CustomersPage.js';
import { hrefOf } from '../router.js';

type Row = ResultOf<typeof customersQuery>['customers']['edges'][number]['node'];

/** Rows are read in chunks of this many: each chunk asks once for its extra columns, and keeps them as more load. */
const CHUNK = 30;

/** The customers list's table: the built-in columns, the scores while they are asked for, the chosen custom columns. */
export function CustomerTable({ rows, withScores, columns, objects }: { rows: Row[]; withScores: boolean; columns: CustomFieldDefinition[]; objects: readonly CustomObject[] }) {
  const chunks = Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, i) => rows.slice(i * CHUNK, (i + 1) * CHUNK));
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
          <RowsChunk key={chunk[0]!.id} rows={chunk} withScores={withScores} columns={columns} objects={objects} />
        ))}
      </table>
    </div>
  );
}

interface Scores {
  analytics?: { predictedLifetimeValue: string | null; rfm: { segmentName: string } | null } | null;
}

/** A chunk of rows and, when extra columns are shown, one query for them (by id, in the workspace's schema). */
function RowsChunk({ rows, withScores, columns, objects }: { rows: Row[]; withScores: boolean; columns: CustomFieldDefinition[]; objects: readonly CustomObject[] }) {
  const ids = rows.map((row) => row.id);
  const extra = useCrmQuery<{ customers: { edges: { node: CustomValues & Scores }[] } }, { ids: string[]; first: number }>(
    customerColumnsDocument(columns, objects, withScores),
    { ids, first: ids.length },
    { pause: columns.length === 0 && !withScores },
  );
  const values = new Map(extra.data?.customers.edges.map(({ node }) => [node.id, node]));
  const width = 5 + columns.length + (withScores ? 2 : 0);
  return (
    <tbody>
      {extra.error && (
        <tr>
          <td colSpan={width}>
            <ErrorMessage error={extra.error} retry={extra.refetch} />
          </td>
        </tr>
      )}
      {rows.map((node) => (
        <tr key={node.id}>
          <td>
            <a href={hrefOf({ page: 'customer', id: node.id })}>{node.name}</a>
            {node.email && <span className="muted block">{node.email}</span>}
          </td>
          <td>{node.company?.name ?? '—'}</td>
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
