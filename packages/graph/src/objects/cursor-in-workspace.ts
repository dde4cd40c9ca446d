// The cursor of a Prisma connection paged by row id (`cursor: 'id'`): Pothos decodes the client's `after`/`before` into
// the page query's `cursor: { id }`. The data layer keeps every cursor's look-up inside the workspace
// (`@crm/db`'s cursor-scope.ts: another workspace's row reads as missing, an empty page). The lists that check their
// cursor here first answer BAD_USER_INPUT on `after` or `before` instead, alike for a malformed cursor, a missing row
// and another workspace's; `cursorRowId` is the shape check alone (keyset pages: `{ id: 5 }` would fail in Prisma),
// `@crm/db`'s one rule for cursors.
import { badInput } from '@crm/core';
import { isCursorOf, ROW_ID } from '@crm/db';
import type { PageQuery } from './keyset-page.js';

/** A connection's cursor arguments, as the client sent them. */
export interface CursorArgs {
  after?: string | null;
  before?: string | null;
}

/**
 * `query` once its cursor (if any) is the id of a row `find` reads (through the caller's workspace-scoped client, e.g.
 * `(id) => db.apiKey.findFirst({ where: { id }, select: { id: true } })`); BAD_USER_INPUT on `after`/`before` otherwise.
 */
export async function cursorInWorkspace<Q extends PageQuery>(query: Q, args: CursorArgs, find: (id: string) => Promise<unknown>): Promise<Q> {
  if (!query.cursor) return query;
  const field = args.before != null ? 'before' : 'after';
  if (!(await find(cursorRowId(query.cursor, field)))) throw notThisList(field);
  return query;
}

/** The row id a page query's cursor names (`{ id: <uuid> }`); BAD_USER_INPUT on `field` for anything else. */
export function cursorRowId(cursor: Record<string, unknown>, field: 'after' | 'before'): string {
  if (!isCursorOf(ROW_ID, cursor)) throw notThisList(field);
  return cursor.id as string;
}

const notThisList = (field: 'after' | 'before') => badInput(`${field}: not a cursor of this list`, field);
