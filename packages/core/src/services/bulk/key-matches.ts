// The records an upsert's keys name (bulk upserts and imports), found through the key's unique index whatever the
// planner's statistics say. Asked as `key IN (1,000 values)`, PostgreSQL may pick the trigram GIN index of the same
// column (customers' email) and scan its pending list once per value: after a bulk insert, 2 to 15 s per batch of an
// import, growing with the table (docs/performance.md, "Bulk writes and import"). One probe per key cannot go wrong.
import type { CommandScope } from '../../command.js';
import type { ResolvedObject } from '../../objects/declaration.js';

const COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The ids of `object`'s rows in the caller's workspace whose `column` (a text column with a unique index on
 * (workspaceId, column)) holds one of `values`, trashed or not, by one statement. Raw SQL sees past the data layer's
 * rules: read the ids back through the scoped client (trash, permissions) before using them.
 */
export async function keyMatches(scope: CommandScope, object: ResolvedObject, column: string, values: readonly unknown[]): Promise<string[]> {
  if (!values.length) return [];
  for (const name of [object.model, column]) if (!COLUMN.test(name)) throw new Error(`keyMatches: not a name: ${name}`);
  const rows = await scope.tx.$queryRawUnsafe<{ id: string }[]>(
    `SELECT m.id::text AS id FROM unnest($2::text[]) AS k(value)
       CROSS JOIN LATERAL (SELECT t.id FROM "${object.model}" t WHERE t."workspaceId" = $1::uuid AND t."${column}" = k.value LIMIT 1) m`,
    scope.session.workspaceId,
    values.map(String),
  );
  return rows.map((row) => row.id);
}
