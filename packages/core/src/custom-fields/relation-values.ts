import type { ScopedTransaction } from '@crm/db';
import type { CommandScope } from '../command.js';
import { customValueSql } from './custom-field-indexes.js';
import { isExtensible } from './definition.js';
import { relationTargets } from './field-types.js';

/**
 * What happens to relation values when the record they point at goes (docs/custom-fields.md, "When the target goes"),
 * as Salesforce's lookups ("clear the value of this field") and HubSpot's associations do:
 * - trashed: nothing is written; the relation reads as null (the read engine and the loaders see live rows only) and
 *   comes back when the record is restored;
 * - destroyed (destroyX, trash retention, erasing a person): the values are cleared in the same transaction;
 * - merged away: the values move to the record that was kept, in the same transaction.
 * Every relation field counts, archived ones too (an archived field comes back with its values).
 */

/** The relation fields of the workspace that point at `target` (an extensible object's name or a custom object's id). */
async function relationsTo(tx: ScopedTransaction, target: string) {
  // Only the extensible objects and custom objects (named by id) can be targets: no query for the others.
  if (!(relationTargets as readonly string[]).includes(target) && !/^[0-9a-f]{8}-/i.test(target)) return [];
  return tx.customFieldDefinition.findMany({ where: { type: 'relation', target }, select: { object: true, key: true } });
}

/** The rows of a field's object, in SQL (`$1` is the workspace): its table, and for a custom object its records only. */
function sourceRows(field: { object: string }): { table: string; where: string } {
  return isExtensible(field.object)
    ? { table: `"${field.object}"`, where: `"workspaceId" = $1::uuid` }
    : { table: '"CustomRecord"', where: `"workspaceId" = $1::uuid AND "objectId" = '${field.object.replace(/'/g, "''")}'::uuid` };
}

/**
 * Clears every relation value pointing at the `ids` of `target` (records destroyed in this transaction): one UPDATE per
 * relation field, through the field's expression index (the same expression). Returns how many values were cleared.
 */
export async function clearRelationValues(scope: CommandScope, target: string, ids: readonly string[]): Promise<number> {
  if (!ids.length) return 0;
  let cleared = 0;
  for (const field of await relationsTo(scope.tx, target)) {
    const { table, where } = sourceRows(field);
    cleared += await scope.tx.$executeRawUnsafe(
      `UPDATE ${table} SET "customFields" = "customFields" - $2::text WHERE ${where} AND ${customValueSql('reference', field.key)} = ANY($3::uuid[])`,
      scope.session.workspaceId,
      field.key,
      ids,
    );
  }
  return cleared;
}

/** Points every relation value that names one of `mergedIds` of `target` at `keepId` (a merge). Returns how many moved. */
export async function repointRelationValues(scope: CommandScope, target: string, keepId: string, mergedIds: readonly string[]): Promise<number> {
  if (!mergedIds.length) return 0;
  let moved = 0;
  for (const field of await relationsTo(scope.tx, target)) {
    const { table, where } = sourceRows(field);
    moved += await scope.tx.$executeRawUnsafe(
      `UPDATE ${table} SET "customFields" = jsonb_set("customFields", ARRAY[$2::text], to_jsonb($4::text))
        WHERE ${where} AND ${customValueSql('reference', field.key)} = ANY($3::uuid[])`,
      scope.session.workspaceId,
      field.key,
      mergedIds,
      keepId,
    );
  }
  return moved;
}
