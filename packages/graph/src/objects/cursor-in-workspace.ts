// The cursor of a Prisma connection paged by row id (`cursor: 'id'`): Pothos decodes the client's `after`/`before` into
// the page query's `cursor: { id }`, and Prisma reads that row to start the page from it, by id alone: without the
// workspace filter of the caller's client (another workspace's row id paged from that row: an existence oracle), and
// failing inside Prisma on a value that is not a string (`GPC:N:5`: INTERNAL_SERVER_ERROR). A cursor is therefore
// checked first: a row id (a UUID) of a row the caller's workspace-scoped client reads. Anything else is
// BAD_USER_INPUT on `after` or `before`, alike for a malformed cursor, a missing row and another workspace's.
import { badInput, isUuid } from '@crm/core';
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
  const { id, ...rest } = cursor;
  if (typeof id !== 'string' || !isUuid(id) || Object.keys(rest).length) throw notThisList(field);
  return id;
}

const notThisList = (field: 'after' | 'before') => badInput(`${field}: not a cursor of this list`, field);
