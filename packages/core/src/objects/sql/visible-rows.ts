import { isGoverned } from '../../permissions/role-grants.js';
import type { Permissions } from '../../permissions/permissions.js';
import type { ResolvedObject, ResolvedRelation } from '../declaration.js';
import { isTrashable } from '@crm/db';
import { column, literal } from './sql-text.js';

/**
 * The rows of `object` that exist for a caller, on the row aliased `alias`: its workspace's (`workspace` is the
 * statement's placeholder of the caller's workspace id), and not in the trash (docs/data.md). Every table the engine
 * reads goes through here: tenancy and the trash are applied in this one place.
 */
export function visibleRows(workspace: string, object: Pick<ResolvedObject, 'model' | 'sharedTable'>, alias: string, options: { trashed?: boolean } = {}): string {
  const inWorkspace = `${column(alias, 'workspaceId')} = ${workspace}`;
  // A custom object's rows in the table custom objects share (its id is a uuid read from the database).
  const own = object.sharedTable ? `${inWorkspace} AND ${column(alias, object.sharedTable.column)} = ${literal(object.sharedTable.value)}::uuid` : inWorkspace;
  // `trashed`: the trash too (a deleted record's last state, for a trigger on deletes).
  return isTrashable(object.model) && !options.trashed ? `${own} AND ${column(alias, 'deletedAt')} IS NULL` : own;
}

/**
 * The key's row rules on `object` as SQL (null: none): nothing of an object its role does not read, and under "own
 * records only" the rows whose owner column is the key's user. The same rules the data layer adds to Prisma reads
 * (`rowAccessOf`, permissions/write-guard.ts), so both paths list, count and aggregate the same rows.
 */
export function rowRuleSql(permissions: Permissions, object: ResolvedObject, alias: string): string | null {
  if (!permissions.can(object, 'read')) return 'FALSE';
  if (!isGoverned(object)) return null;
  const owner = permissions.ownerField(object);
  if (!owner) return null;
  // The user id comes from the key's row (a uuid column), never from the request.
  return permissions.userId ? `${column(alias, owner.column)} = ${literal(permissions.userId)}::uuid` : 'FALSE';
}

/** {@link visibleRows} narrowed by the caller's permissions: the rows a list, count, aggregate or search may show. */
export function permittedRows(workspace: string, object: ResolvedObject, alias: string, permissions: Permissions | null | undefined): string {
  const rows = visibleRows(workspace, object, alias);
  const rule = permissions ? rowRuleSql(permissions, object, alias) : null;
  return rule ? `${rows} AND ${rule}` : rows;
}

/**
 * Statistics that tell PostgreSQL a child row's workspace follows from its parent key: one per to-many relation of
 * `objects` (its target's key column with `workspaceId`), the SQL of the migration `tenancy_statistics`, which a test
 * holds equal to the core declarations. Tenancy puts `"workspaceId" = $1` on every nested table; a prepared statement's
 * generic plan reads it as one workspace's share of the rows (half, with two workspaces; a thousandth, with a
 * thousand), on top of the parent key, so it expects a customer's last 5 of ~10 activities to be 5 rows or fewer and
 * sorts all of them instead of walking the `(customerId, occurredAt, id)` index and stopping after 5. With the
 * functional dependency the condition costs nothing in the estimate, and the plan is the one without it.
 */
export function tenancyStatisticsSql(objects: Iterable<ResolvedObject>, target: (relation: ResolvedRelation) => ResolvedObject): string[] {
  const columns = new Map<string, string>();
  for (const object of objects) {
    for (const relation of object.relations.values()) {
      if (relation.kind !== 'toMany' || relation.custom) continue;
      const child = target(relation);
      const key = child.fields.get(relation.key)!;
      if (key.stored || child.sharedTable) continue;
      columns.set(`${child.model}.${key.column}`, `CREATE STATISTICS "${child.model}_${key.column}_workspace_stats" (dependencies) ON "${key.column}", "workspaceId" FROM "${child.model}";`);
    }
  }
  return [...columns.values()];
}
