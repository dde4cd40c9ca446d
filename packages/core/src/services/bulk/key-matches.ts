// The records an upsert's keys name (bulk upserts and imports), found through the key's unique index whatever the
// planner's statistics say. Asked as `key IN (1,000 values)`, PostgreSQL may pick the trigram GIN index of the same
// column (customers' email) and scan its pending list once per value: after a bulk insert, 2 to 15 s per batch of an
// import, growing with the table (docs/performance.md, "Bulk writes and import"). One probe per key cannot go wrong.
import { queryRawIn } from '@crm/db';
import type { CommandScope } from '../../command.js';
import { customValueSql } from '../../custom-fields/custom-field-indexes.js';
import type { ResolvedField, ResolvedObject } from '../../objects/declaration.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The key's value on a row `t`, as its unique index has it, and the rows that index covers: a column (unique on
 * (workspaceId, column), trashed rows included), or a custom field's value (its partial unique index: the object's
 * live rows).
 */
function keySql(object: ResolvedObject, field: ResolvedField, column: string): { value: string; rows: string } {
  if (!field.stored) {
    if (!NAME.test(column)) throw new Error(`keyMatches: not a column: ${column}`);
    return { value: `t."${column}"`, rows: '' };
  }
  const shared = object.sharedTable ? ` AND t."${object.sharedTable.column}" = '${object.sharedTable.value.replace(/'/g, "''")}'` : '';
  return { value: customValueSql(field.kind, field.stored.key, 't'), rows: `${shared} AND t."deletedAt" IS NULL` };
}

/**
 * The records of `object` in the caller's workspace whose key `field` (a text key: stored in `column`, or a custom
 * field) holds one of `values`, with the value each matched, by one statement. Raw SQL sees past the data layer's
 * rules: read the ids back through the scoped client (trash, permissions) before using them.
 */
export async function keyMatches(
  scope: CommandScope,
  object: ResolvedObject,
  field: ResolvedField,
  column: string,
  values: readonly unknown[],
): Promise<{ id: string; value: string }[]> {
  if (!values.length) return [];
  if (!NAME.test(object.model)) throw new Error(`keyMatches: not a model: ${object.model}`);
  const key = keySql(object, field, column);
  return queryRawIn<{ id: string; value: string }>(
    scope.tx,
    `SELECT m.id::text AS id, k.value FROM unnest($2::text[]) AS k(value)
       CROSS JOIN LATERAL (SELECT t.id FROM "${object.model}" t WHERE t."workspaceId" = $1::uuid AND ${key.value} = k.value${key.rows} LIMIT 1) m`,
    scope.session.workspaceId,
    values.map(String),
  );
}
