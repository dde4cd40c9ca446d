// The trash listing of a custom object's records (docs/data.md, "Trash"): the generic `trash(object:)` lists them like
// every trashable object's. The shared table is governed by the record commands, not the data layer, so the object's
// read permission and own-records rule are applied here.
import type { CustomRecord } from '@crm/db';
import type { Caller } from '../command.js';
import type { CustomRecordTarget } from './record-commands.js';

/** A page of the object's trashed records, most recently deleted first (keyset on deletedAt, id). */
export async function listTrashedRecords(
  caller: Caller,
  target: CustomRecordTarget,
  page: { take: number; after?: { deletedAt: Date; id: string } | null },
): Promise<CustomRecord[]> {
  const { object, permissions } = target;
  permissions?.require(object, 'read');
  const owner = permissions?.ownerField(object);
  // Own records only, for a key linked to no user: it has none.
  if (owner && !permissions!.userId) return [];
  const after = page.after;
  return caller.db.customRecord.findMany({
    // `deletedAt` at the top: the scoped client's trash rule then leaves the condition to the query.
    where: {
      objectId: object.sharedTable!.value,
      deletedAt: { not: null },
      ...(owner ? { ownerId: permissions!.userId! } : {}),
      ...(after ? { OR: [{ deletedAt: { lt: after.deletedAt } }, { deletedAt: after.deletedAt, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ deletedAt: 'desc' }, { id: 'desc' }],
    take: page.take,
  });
}
