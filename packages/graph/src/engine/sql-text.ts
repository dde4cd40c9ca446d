// The statement basics (parameters, quoting, a field's value) are @crm/core's: its filter compiler uses them too.
import { column, ident, literal } from '@crm/core';

export { column, ident, literal, SqlParams, valueSql } from '@crm/core';

/** One ORDER BY term. `nulls` as Prisma's `{ sort, nulls }`; absent keeps PostgreSQL's default, like Prisma. */
export interface OrderTerm {
  column: string;
  direction: 'asc' | 'desc';
  nulls?: 'first' | 'last';
}

export const orderSql = (alias: string, terms: readonly OrderTerm[]): string =>
  terms
    .map((t) => `${column(alias, t.column)} ${t.direction.toUpperCase()}${t.nulls ? ` NULLS ${t.nulls.toUpperCase()}` : ''}`)
    .join(', ');

/** Bytes of base64 input PostgreSQL puts on one line (76 characters) before it wraps. */
const BASE64_LINE_BYTES = 57;
/** Bytes of a UUID's text. */
const UUID_BYTES = 36;

/**
 * Relay's opaque ids and Pothos' prisma cursors, computed in SQL byte-for-byte as `encodeGlobalID` and
 * `formatPrismaCursor` compute them (base64 of `Type:id` and of `GPC:S:id`; every id column is a UUID). PostgreSQL
 * wraps base64 at 76 characters; only a prefix long enough to wrap pays for removing the newline (`translate` tripled
 * the cost of an id: it is most of a page's PostgreSQL CPU after the JSON itself).
 */
export const base64Sql = (prefix: string, uuid: string): string => {
  const encoded = `encode(convert_to(${literal(prefix)} || ${uuid}::text, 'UTF8'), 'base64')`;
  return Buffer.byteLength(prefix) + UUID_BYTES <= BASE64_LINE_BYTES ? encoded : `translate(${encoded}, E'\\n', '')`;
};

export const globalIdSql = (typename: string, alias: string, idColumn: string) => base64Sql(`${typename}:`, column(alias, idColumn));

/** The cursor of the row whose id is the UUID expression `uuid` (null when it is null). */
export const cursorOfSql = (uuid: string) => base64Sql('GPC:S:', uuid);

export const cursorSql = (alias: string, idColumn: string) => cursorOfSql(column(alias, idColumn));
