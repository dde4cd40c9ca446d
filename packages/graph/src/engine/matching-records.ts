// Which records of an object match a filter, in one statement compiled by the read engine's filter compiler (the one
// lists use: custom fields in their JSON, relation fields, to-many relations, segments), outside a GraphQL operation.
// For code that evaluates a filter on given records (the SDK's `objects.matches` and selections with a workspace's
// own definitions: workflow conditions). Tenancy and the trash are applied by `visibleRows`, as for every engine read.
import { type FilterNode, filterSql, type ObjectCatalog, type ResolvedObject, sqlFilterContext, visibleRows } from '@crm/core';
import { column, ident } from './sql-text.js';

export interface MatchingRecordsOptions {
  workspaceId: string;
  /** Only these records (row ids); absent: any of the object's records. */
  ids?: readonly string[];
  /** Records in the trash count too. */
  trashed?: boolean;
  /** At most this many, by id. */
  limit?: number;
}

/** The statement returning `{ id }` (text) of the records of `object` that match `filter`, ordered by id. */
export function matchingRecordsSql(catalog: ObjectCatalog, object: ResolvedObject, filter: FilterNode, options: MatchingRecordsOptions): { text: string; values: unknown[] } {
  const context = sqlFilterContext(catalog, options.workspaceId);
  const { params } = context;
  const id = column('r', object.fields.get('id')!.column);
  const where = [visibleRows(context.workspace, object, 'r', { trashed: options.trashed ?? false })];
  // One parameter per id: PGlite's adapter sends a one-value array parameter as a bare string.
  if (options.ids) where.push(options.ids.length ? `${id} = ANY(ARRAY[${options.ids.map((v) => params.add(v, 'uuid')).join(', ')}])` : 'FALSE');
  where.push(filterSql(context, object, filter, 'r'));
  const limit = options.limit === undefined ? '' : ` LIMIT ${params.add(options.limit, 'int')}`;
  return { text: `SELECT ${id}::text AS "id" FROM ${ident(object.model)} r WHERE ${where.join(' AND ')} ORDER BY ${id}${limit}`, values: params.values };
}
