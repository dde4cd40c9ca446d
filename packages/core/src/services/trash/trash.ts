import { includingTrashed, Prisma } from '@crm/db';
import type { Caller, CommandScope } from '../../command.js';
import { assertRestorable, type CustomValues } from '../../custom-fields/field-values.js';
import { clearRelationValues } from '../../custom-fields/relation-values.js';
import { conflict, notFound } from '../../errors.js';
import { fields, parseInput, z } from '../../validation.js';
import { allTrashObjects, type TrashObject, trashObjectOf } from './objects.js';
import type { TrashObjectName } from './trash-events.js';
import { purgeExpiredRecords, workspacesWithExpiredRecordsSql } from '../../custom-objects/record-retention.js';

/** A row as the trash handles it: every trashable model has these columns. */
export type TrashedRow = Record<string, unknown> & {
  id: string;
  deletedAt: Date | null;
  deletedBy: string | null;
  deleteReason: string | null;
  trashedWithId: string | null;
};

const trashInput = z.object({ id: fields.id, reason: fields.shortText.nullish() });
const idInput = z.object({ id: fields.id });

function emitTrashEvent(scope: CommandScope, object: TrashObject, action: 'trashed' | 'restored' | 'destroyed', row: TrashedRow, reason: string | null, withRelated: number) {
  const customerId = object.customerKey ? (row[object.customerKey] as string | null) : null;
  // A plugin object's `X.trashed` … joins the event map through the plugin's declaration merging (docs/plugins).
  // Event entities are kebab-case (`giftCard` → `gift-card.trashed`), as plugins must name theirs.
  const entity = object.name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  const type = `${entity}.${action}` as `${TrashObjectName}.${typeof action}`;
  scope.emit(type, { type: object.typename, id: row.id }, { reason, withRelated, ...(customerId ? { customerId } : {}) });
}

/** Trashes the live dependents of `parentIds` (and theirs), stamped as trashed with `rootId`; returns how many. */
async function trashDependents(scope: CommandScope, object: TrashObject, parentIds: string[], rootId: string, stamp: object): Promise<number> {
  let count = 0;
  for (const dependent of object.dependents) {
    const target = trashObjectOf(dependent.object);
    const where = { [dependent.key]: { in: parentIds } };
    const ids = (await target.delegate(scope.tx).findMany({ where, select: { id: true } })).map((row) => row.id as string);
    if (!ids.length) continue;
    count += (await target.delegate(scope.tx).updateMany({ where: { id: { in: ids } }, data: { ...stamp, trashedWithId: rootId } })).count;
    count += await trashDependents(scope, target, ids, rootId, stamp);
  }
  return count;
}

/** `deleteX`: moves the record (and what would be deleted with it) to the trash. */
export async function trashRecord(caller: Caller, name: string, raw: { id: string; reason?: string | null }): Promise<TrashedRow> {
  const input = parseInput(trashInput, raw);
  const object = trashObjectOf(name);
  return caller.run(async (scope) => {
    const records = object.delegate(scope.tx);
    const live = await records.findFirst({ where: { id: input.id } });
    if (!live) throw notFound(object.typename, 'id');
    const stamp = { deletedAt: new Date(), deletedBy: scope.session.actor, deleteReason: input.reason ?? null };
    await records.updateMany({ where: { id: input.id }, data: stamp });
    const withRelated = await trashDependents(scope, object, [input.id], input.id, stamp);
    const row = { ...live, ...stamp, trashedWithId: null } as TrashedRow;
    emitTrashEvent(scope, object, 'trashed', row, stamp.deleteReason, withRelated);
    return row;
  });
}

/** The objects that can go to the trash with `object` (its dependents, theirs…): only these carry its `trashedWithId`. */
function trashedWithObjects(object: TrashObject, seen = new Set<string>()): TrashObject[] {
  const out: TrashObject[] = [];
  for (const dependent of object.dependents) {
    if (seen.has(dependent.object)) continue;
    seen.add(dependent.object);
    const target = trashObjectOf(dependent.object);
    out.push(target, ...trashedWithObjects(target, seen));
  }
  return out;
}

async function loadTrashed(scope: CommandScope, object: TrashObject, id: string): Promise<TrashedRow> {
  const row = await object.delegate(scope.tx).findFirst({ where: { id, deletedAt: { not: null } } });
  if (!row) throw notFound(`${object.typename} in the trash`, 'id');
  return row as TrashedRow;
}

/** `restoreX`: brings a trashed record back, with everything that was trashed with it. */
export async function restoreRecord(caller: Caller, name: string, raw: { id: string }): Promise<TrashedRow> {
  const { id } = parseInput(idInput, raw);
  const object = trashObjectOf(name);
  return caller.run(async (scope) => {
    const row = await loadTrashed(scope, object, id);
    if (row.trashedWithId) {
      throw conflict(`This ${object.name} was deleted with another record (${row.trashedWithId}); restore that one`, 'id');
    }
    // An object that takes custom fields (customers, plugins' such as competitors): its unique values must still be free.
    if (row.customFields) await assertRestorable(scope.tx, object.typename, id, row.customFields as CustomValues);
    const live = { deletedAt: null, deletedBy: null, deleteReason: null, trashedWithId: null };
    await object.delegate(scope.tx).updateMany({ where: { id, deletedAt: { not: null } }, data: live });
    let withRelated = 0;
    for (const other of trashedWithObjects(object)) {
      withRelated += (await other.delegate(scope.tx).updateMany({ where: { trashedWithId: id, deletedAt: { not: null } }, data: live })).count;
    }
    emitTrashEvent(scope, object, 'restored', row, null, withRelated);
    return { ...row, ...live };
  });
}

/**
 * Removes rows for good (the database deletes their dependents with them), forgets merges into them and clears the
 * custom relation values pointing at them.
 */
async function destroyRows(scope: CommandScope, object: TrashObject, rows: TrashedRow[], reason: string | null): Promise<void> {
  const ids = rows.map((row) => row.id);
  const withRelated = new Map<string, number>();
  for (const other of trashedWithObjects(object)) {
    const groups = (await other.delegate(scope.tx).findMany({ where: { trashedWithId: { in: ids }, deletedAt: { not: null } }, select: { trashedWithId: true } }));
    for (const group of groups) withRelated.set(group.trashedWithId as string, (withRelated.get(group.trashedWithId as string) ?? 0) + 1);
  }
  await clearRelationValues(scope, object.typename, ids);
  await object.delegate(scope.tx).deleteMany({ where: { id: { in: ids }, ...includingTrashed } });
  await scope.tx.recordMerge.deleteMany({ where: { survivorId: { in: ids } } });
  for (const row of rows) emitTrashEvent(scope, object, 'destroyed', row, reason, withRelated.get(row.id) ?? 0);
}

/** `destroyX` (ADMIN): removes a record for good, from the trash or not. */
export async function destroyRecord(caller: Caller, name: string, raw: { id: string }): Promise<TrashedRow> {
  const { id } = parseInput(idInput, raw);
  const object = trashObjectOf(name);
  return caller.run(
    async (scope) => {
      const row = (await object.delegate(scope.tx).findFirst({ where: { id, ...includingTrashed } })) as TrashedRow | null;
      if (!row) throw notFound(object.typename, 'id');
      await destroyRows(scope, object, [row], null);
      return row;
    },
    { role: 'ADMIN' },
  );
}

/** A page of the trash, most recently deleted first (keyset on deletedAt, id). */
export async function listTrash(caller: Caller, name: string, page: { take: number; after?: { deletedAt: Date; id: string } | null }): Promise<TrashedRow[]> {
  const object = trashObjectOf(name);
  const after = page.after;
  const where = after
    ? { OR: [{ deletedAt: { lt: after.deletedAt } }, { deletedAt: after.deletedAt, id: { lt: after.id } }] }
    : { deletedAt: { not: null } };
  const rows = await object.delegate(caller.db as never).findMany({
    where: after ? { AND: [{ deletedAt: { not: null } }, where] } : where,
    orderBy: [{ deletedAt: 'desc' }, { id: 'desc' }],
    take: page.take,
  });
  return rows as TrashedRow[];
}

/**
 * Destroys up to `batchSize` records of the workspace trashed before `cutoff` (records trashed with another go with
 * it). The rows are claimed with FOR UPDATE SKIP LOCKED inside the command's transaction, so gateways purging at the
 * same time share the work and never destroy (or emit `.destroyed` for) the same row twice. Returns how many went.
 */
export async function purgeExpiredTrash(caller: Caller, cutoff: Date, batchSize = 500): Promise<number> {
  return caller.run(
    async (scope) => {
      let destroyed = 0;
      const names = allTrashObjects.map((object) => object.typename);
      const present = await scope.tx.$queryRawUnsafe<{ name: string }[]>(presentTablesSql(names), ...names);
      const tables = new Set(present.map((row) => row.name));
      for (const object of allTrashObjects.filter((candidate) => tables.has(candidate.typename))) {
        const claimed = await scope.tx.$queryRaw<{ id: string }[]>(Prisma.sql`
          SELECT id::text AS id FROM ${Prisma.raw(`"${object.typename}"`)}
           WHERE "workspaceId" = ${scope.session.workspaceId}::uuid AND "deletedAt" < ${cutoff} AND "trashedWithId" IS NULL
           ORDER BY "deletedAt" LIMIT ${batchSize - destroyed}
           FOR UPDATE SKIP LOCKED`);
        if (!claimed.length) continue;
        const rows = (await object.delegate(scope.tx).findMany({ where: { id: { in: claimed.map((row) => row.id) }, ...includingTrashed } })) as TrashedRow[];
        await destroyRows(scope, object, rows, 'retention');
        destroyed += rows.length;
        if (destroyed >= batchSize) break;
      }
      destroyed += await purgeExpiredRecords(scope, cutoff, batchSize - destroyed);
      return destroyed;
    },
    { role: 'ADMIN' },
  );
}

/**
 * The trashable tables this database has, of `names` ($1…$n): a plugin's exist once its migrations ran, and a gateway
 * may run without that plugin, so the retention reads only these.
 */
const presentTablesSql = (names: readonly string[]) =>
  `SELECT t.name FROM (VALUES ${names.map((_, i) => `($${i + 1}::text)`).join(', ')}) AS t(name) WHERE to_regclass(format('%I', t.name)) IS NOT NULL`;

/** The trashable tables present in the database (for `workspacesWithExpiredTrashSql`). */
export async function presentTrashTables(sql: { query<Row>(text: string, params?: readonly unknown[]): Promise<Row[]> }): Promise<ReadonlySet<string>> {
  const names = allTrashObjects.map((object) => object.typename);
  return new Set((await sql.query<{ name: string }>(presentTablesSql(names), names)).map((row) => row.name));
}

/** Workspaces holding records trashed before `cutoff` ($1; raw SQL over the trashable tables `present`, for the purge job). */
export function workspacesWithExpiredTrashSql(present: ReadonlySet<string>): string {
  const selects = allTrashObjects
    .filter((object) => present.has(object.typename))
    .map((object) => `SELECT DISTINCT "workspaceId"::text AS "workspaceId" FROM "${object.typename}" WHERE "deletedAt" < $1`);
  return [...selects, workspacesWithExpiredRecordsSql].join(' UNION ');
}
