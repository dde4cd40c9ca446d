// The trash retention of custom objects' records (docs/data.md, "Trash"): their table is shared by every custom object
// and their trash is their own commands' (deleteX/restoreX), so the retention job destroys them here, with the same
// claim as every other trashed row (FOR UPDATE SKIP LOCKED: instances share the work, each row goes once).
import { includingTrashed, Prisma } from '@crm/db';
import type { CommandScope } from '../command.js';
import { clearRelationValues } from '../custom-fields/relation-values.js';
import { recordEventType } from './custom-object.js';

/** Workspaces holding custom records trashed before `$1` (a part of the retention job's UNION). */
export const workspacesWithExpiredRecordsSql = `SELECT DISTINCT "workspaceId"::text AS "workspaceId" FROM "CustomRecord" WHERE "deletedAt" < $1`;

/**
 * Destroys up to `limit` records of the workspace's custom objects trashed before `cutoff`; `x.destroyed` for each.
 * Relation values pointing at them are cleared in the same transaction (docs/custom-fields.md, "When the target goes").
 */
export async function purgeExpiredRecords(scope: CommandScope, cutoff: Date, limit: number): Promise<number> {
  if (limit <= 0) return 0;
  const claimed = await scope.tx.$queryRaw<{ id: string; objectId: string; name: string }[]>(Prisma.sql`
    SELECT r.id::text AS id, r."objectId"::text AS "objectId", o.name FROM "CustomRecord" r JOIN "CustomObjectDefinition" o ON o.id = r."objectId"
     WHERE r."workspaceId" = ${scope.session.workspaceId}::uuid AND r."deletedAt" < ${cutoff}
     ORDER BY r."deletedAt" LIMIT ${limit}
     FOR UPDATE OF r SKIP LOCKED`);
  await destroyCustomRecords(scope, claimed, 'retention');
  return claimed.length;
}

/**
 * Removes custom records for good (the retention job, `destroyX`): the relation values pointing at them cleared, the
 * rows deleted, `x.destroyed` for each, all in the caller's transaction.
 */
export async function destroyCustomRecords(scope: CommandScope, rows: readonly { id: string; objectId: string; name: string }[], reason: string | null): Promise<void> {
  if (!rows.length) return;
  for (const objectId of new Set(rows.map((row) => row.objectId))) {
    await clearRelationValues(scope, objectId, rows.filter((row) => row.objectId === objectId).map((row) => row.id));
  }
  await scope.tx.customRecord.deleteMany({ where: { id: { in: rows.map((row) => row.id) }, ...includingTrashed } });
  for (const { id, name } of rows) {
    scope.emit(recordEventType({ name }, 'destroyed') as never, { type: name, id }, { object: name, reason } as never);
  }
}
