import type { Permissions } from '../../permissions/permissions.js';
import type { ObjectCatalog } from '../catalog.js';
import type { ResolvedObject } from '../declaration.js';
import type { FilterNode } from '../filter/filter-node.js';
import { filterSql, type SqlFilterContext } from './filter-sql.js';
import { column, ident, SqlParams } from './sql-text.js';
import { permittedRows } from './visible-rows.js';

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
