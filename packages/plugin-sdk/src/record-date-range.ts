// The date ranges record access's `select` scans: a custom date field's by its own SQL, a date column's as a Prisma `where`.
import { customValueSql, type ResolvedField, type ResolvedObject } from '@crm/core';
import { isTrashable } from '@crm/db';

/** A client that runs raw SQL (the workspace-scoped Prisma client). */
export interface RawReader {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** A time as a custom date field's stored text compares with it: `YYYY-MM-DD` (a date: its UTC day), or the ISO instant. */
const storedTime = (field: ResolvedField, time: Date) => (field.kind === 'date' ? time.toISOString().slice(0, 10) : time.toISOString());

/**
 * A custom date field's records in `(after, until]` after `cursor`, ordered by the value and id: the rows of
 * `object` in `workspaceId` (and of the object, in a shared table), out of the trash.
 */
export async function customDateRange(
  db: RawReader,
  workspaceId: string,
  object: ResolvedObject,
  field: ResolvedField,
  range: { after?: Date; until?: Date; cursor?: { id: string; value: Date } | null },
  limit: number,
): Promise<{ id: string; value: string }[]> {
  const value = customValueSql(field.kind, field.stored!.key);
  const params: unknown[] = [workspaceId];
  const bind = (v: unknown, cast = '') => `$${params.push(v)}${cast}`;
  const where = [`"workspaceId" = $1::uuid`, `${value} IS NOT NULL`];
  if (object.sharedTable) where.push(`"${object.sharedTable.column}" = ${bind(object.sharedTable.value, '::uuid')}`);
  if (isTrashable(object.model)) where.push(`"deletedAt" IS NULL`);
  if (range.after) where.push(`${value} > ${bind(storedTime(field, range.after))}`);
  if (range.until) where.push(`${value} <= ${bind(storedTime(field, range.until))}`);
  if (range.cursor) {
    const at = bind(storedTime(field, range.cursor.value));
    where.push(`(${value} > ${at} OR (${value} = ${at} AND "id" > ${bind(range.cursor.id, '::uuid')}))`);
  }
  return db.$queryRawUnsafe<{ id: string; value: string }[]>(
    `SELECT "id"::text AS "id", ${value} AS "value" FROM "${object.model}" WHERE ${where.join(' AND ')} ORDER BY ${value}, "id" LIMIT ${bind(limit, '::int')}`,
    ...params,
  );
}

/** A date column in `(after, until]` after `cursor` (ordered by the column and id), as a Prisma `where`. */
export function columnRange(column: string, range: { after?: Date; until?: Date; cursor?: { id: string; value: Date } | null }) {
  const { after, until, cursor } = range;
  const within = { [column]: { not: null, ...(after ? { gt: after } : {}), ...(until ? { lte: until } : {}) } };
  return cursor ? { AND: [within, { OR: [{ [column]: { gt: cursor.value } }, { [column]: cursor.value, id: { gt: cursor.id } }] }] } : within;
}
