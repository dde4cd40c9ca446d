import { customValueSql, type ResolvedField } from '@crm/core';

/** Positional parameters of one statement: `add` returns the placeholder (`$3`, optionally cast). */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** Column `name` of the row aliased `alias`. */
export const column = (alias: string, name: string): string => `${alias}.${ident(name)}`;

/**
 * A field's value on the row aliased `alias`, typed for comparing and sorting: its column, or for a custom field the
 * JSONB expression its expression index is built on (`customValueSql`, @crm/core).
 */
export const valueSql = (alias: string, field: Pick<ResolvedField, 'column' | 'kind' | 'stored'>): string =>
  field.stored ? customValueSql(field.kind, field.stored.key, alias) : column(alias, field.column);

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
