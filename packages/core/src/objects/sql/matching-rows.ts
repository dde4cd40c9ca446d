import type { Permissions } from '../../permissions/permissions.js';
import type { ObjectCatalog } from '../catalog.js';
import type { ResolvedObject } from '../declaration.js';
import type { FilterNode } from '../filter/filter-node.js';
import { filterSql, type SqlFilterContext } from './filter-sql.js';
import { column, ident, literal, SqlParams } from './sql-text.js';
import { permittedRows, visibleRows } from './visible-rows.js';

/**
 * A context for compiling filters into one statement of `workspaceId`: its first parameter is the workspace. With
 * `permissions`, rows are narrowed by the key's row rules; without, by tenancy and the trash only.
 */
export function sqlFilterContext(catalog: ObjectCatalog, workspaceId: string, permissions?: Permissions | null): SqlFilterContext {
  const params = new SqlParams();
  let aliases = 0;
  return { catalog, params, workspace: params.add(workspaceId, 'uuid'), nextAlias: () => `f${++aliases}`, permissions: permissions ?? null };
}

/**
 * `SELECT <alias>.id FROM …`: the rows of `object` that a validated filter selects, in the context's workspace, out
 * of the trash, within its permissions. The read engine's filter compiler, so every place that selects records by a
 * filter (lists, saved segments, bulk targets) understands the same language, custom fields included.
 */
export function matchingRowsSql(context: SqlFilterContext, object: ResolvedObject, node: FilterNode, alias = 'r'): string {
  const id = column(alias, object.fields.get('id')!.column);
  return `SELECT ${id} FROM ${ident(object.model)} ${alias} WHERE ${permittedRows(context.workspace, object, alias, context.permissions)} AND ${filterSql(context, object, node, alias)}`;
}

export interface MatchingRecordsOptions {
  workspaceId: string;
  /** Only these records (row ids); absent: any of the object's records. */
  ids?: readonly string[];
  /** Records in the trash count too. */
  trashed?: boolean;
  /** At most this many, by id. */
  limit?: number;
}

/**
 * A whole statement returning `{ id }` (text) of the records of `object` that match `filter`, ordered by id: for code
 * that evaluates a filter outside a GraphQL operation on given records (the SDK's `objects.matches`, workflow
 * conditions with a workspace's own definitions). Tenancy and the trash as for every read.
 */
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

export interface MatchingAsIfOptions {
  workspaceId: string;
  /** The record (row id). */
  id: string;
  /** Values by field name, as events carry them (money "12.50", ISO-8601 times, row ids), in place of the record's own. */
  values: Readonly<Record<string, unknown>>;
  /** A record in the trash counts too. */
  trashed?: boolean;
}

/**
 * A statement returning one row — `"0"`, `"1"`, …: whether the record matches each of `filters` — as the record would
 * be with `values` in place of its own, or no row when it is not visible. The row is rebuilt inside the statement
 * (`jsonb_populate_record`: columns by their field, a custom field's value merged into its JSON column), so nothing is
 * written: no constraint, trigger or `@updatedAt` is touched and no lock taken. For a condition on a record as it was
 * before a change (a change's `from` side); the read engine's compiler, so the language is the lists'.
 */
export function matchingAsIfSql(catalog: ObjectCatalog, object: ResolvedObject, filters: readonly FilterNode[], options: MatchingAsIfOptions): { text: string; values: unknown[] } {
  const context = sqlFilterContext(catalog, options.workspaceId);
  const { params } = context;
  const columns: Record<string, unknown> = {};
  const json = new Map<string, Record<string, unknown>>();
  for (const [name, value] of Object.entries(options.values)) {
    const field = object.fields.get(name);
    if (!field) continue;
    if (field.stored) json.set(field.stored.json, { ...json.get(field.stored.json), [field.stored.key]: value ?? null });
    else columns[field.column] = value ?? null;
  }
  const merged = [...json].map(([name, set]) => `jsonb_build_object(${literal(name)}, coalesce(${column('t', name)}, '{}'::jsonb) || ${params.add(JSON.stringify(set), 'jsonb')})`);
  const replaced = [params.add(JSON.stringify(columns), 'jsonb'), ...merged].join(' || ');
  const id = object.fields.get('id')!.column;
  const row = `SELECT p.* FROM ${ident(object.model)} t CROSS JOIN LATERAL jsonb_populate_record(t, ${replaced}) p WHERE ${column('t', id)} = ${params.add(options.id, 'uuid')}`;
  const tests = filters.map((filter, i) => `coalesce(${filterSql(context, object, filter, 'r')}, false) AS "${i}"`);
  const where = visibleRows(context.workspace, object, 'r', { trashed: options.trashed ?? false });
  return { text: `SELECT ${tests.join(', ') || 'TRUE AS "none"'} FROM (${row}) r WHERE ${where}`, values: params.values };
}
