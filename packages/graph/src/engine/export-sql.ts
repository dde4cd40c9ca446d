import {
  badInput,
  CrmError,
  type FilterNode,
  type ObjectCatalog,
  type Permissions,
  type OrderTerm,
  type ResolvedField,
  type ResolvedObject,
  type ResolvedRelation,
  termNullable,
  castOf,
  filterSql,
  type SqlFilterContext,
} from '@crm/core';
import { scalarSql } from './render.js';
import { orderValueSql, visible } from './rows-sql.js';
import { column, globalIdSql, ident, literal, SqlParams } from './sql-text.js';

/** One column of an export: a field of the object, or of a to-one related object (`company.name`). */
export interface ExportColumn {
  /** As asked for and as written in the header: `email`, `company.name`. */
  path: string;
  field: ResolvedField;
  /** The to-one relations walked from the exported object to the field's object, in order. */
  via: readonly ResolvedRelation[];
}

/** Columns of one export at most (each is a `json_build_array` argument, and PostgreSQL takes 100). */
export const MAX_EXPORT_COLUMNS = 100;
const MAX_RELATION_DEPTH = 3;

/**
 * The columns of an export of `object`: the `requested` paths (`name`, `company.name`, `company.owner.email`), or,
 * when none are requested, every field of the object the caller may read, in declaration order. A requested field the
 * caller may not read is FORBIDDEN; an unknown one BAD_USER_INPUT (`field`: `fields.<i>`).
 */
export function exportColumns(
  catalog: ObjectCatalog,
  object: ResolvedObject,
  requested: readonly string[] | null,
  canRead: (field: ResolvedField) => boolean,
): ExportColumn[] {
  if (!requested) return [...object.fields.values()].filter(canRead).map((field) => ({ path: field.name, field, via: [] }));
  if (requested.length > MAX_EXPORT_COLUMNS) throw badInput(`fields: at most ${MAX_EXPORT_COLUMNS} columns`, 'fields');
  const columns = new Map<string, ExportColumn>();
  requested.forEach((path, i) => {
    const at = `fields.${i}`;
    const names = path.split('.');
    if (names.length > MAX_RELATION_DEPTH + 1) throw badInput(`${at}: at most ${MAX_RELATION_DEPTH} relations deep`, at);
    let owner = object;
    const via: ResolvedRelation[] = [];
    for (const name of names.slice(0, -1)) {
      const relation = owner.relations.get(name);
      if (relation?.kind !== 'toOne') throw badInput(`${at}: ${owner.name} has no to-one relation ${name}`, at);
      via.push(relation);
      owner = catalog.target(relation);
    }
    const field = owner.fields.get(names.at(-1)!);
    if (!field) throw badInput(`${at}: ${owner.name} has no field ${names.at(-1)}`, at);
    if (!canRead(field)) throw new CrmError('FORBIDDEN', `${at}: your API key cannot read ${owner.name}.${field.name}`, at);
    if (!columns.has(path)) columns.set(path, { path, field, via });
  });
  return [...columns.values()];
}

/** One page of an export: the statement and its parameters. */
export interface ExportPage {
  sql: string;
  params: unknown[];
}

/**
 * The keyset pages of an export: each page is one statement returning `row` (the columns as a JSON array, formatted as
 * the API formats them) and `k0…kn` (the row's order values as text), ordered by the list's order (which ends on
 * `id`, so it is total). The next page starts after the last row's values: no OFFSET, no cursor held open between
 * pages, so memory and locks stay flat however many rows there are.
 */
export class ExportQuery {
  readonly #base: string;
  readonly #count: string;
  readonly #order: string;
  readonly #params: readonly unknown[];
  readonly #keys: { expression: string; cast: string; direction: 'asc' | 'desc'; nullsLast: boolean; nullable: boolean }[];

  constructor(options: {
    catalog: ObjectCatalog;
    object: ResolvedObject;
    columns: readonly ExportColumn[];
    filter: FilterNode;
    order: readonly OrderTerm[];
    workspaceId: string;
    /** The caller's permissions: rows (the root's and every joined one's) are narrowed as in every read. */
    permissions: Permissions;
  }) {
    const { catalog, object, columns, filter, order } = options;
    const params = new SqlParams();
    let aliases = 0;
    const context: SqlFilterContext = { catalog, params, workspace: params.add(options.workspaceId, 'uuid'), nextAlias: () => `x${++aliases}`, permissions: options.permissions };
    const root = context.nextAlias();

    // One LEFT JOIN per relation path; a link to a trashed row (or none) gives empty cells, as the API reads null.
    const joins = new Map<string, string>();
    const joinLines: string[] = [];
    const aliasOf = (via: readonly ResolvedRelation[]): string => {
      let alias = root;
      let owner = object;
      via.forEach((relation, i) => {
        const key = via.slice(0, i + 1).map((r) => r.name).join('.');
        const target = catalog.target(relation);
        let joined = joins.get(key);
        if (!joined) {
          joined = context.nextAlias();
          const on = relation.keyOnTarget
            ? `${column(joined, target.fields.get(relation.key)!.column)} = ${column(alias, owner.fields.get('id')!.column)}`
            : `${column(joined, target.fields.get('id')!.column)} = ${column(alias, owner.fields.get(relation.key)!.column)}`;
          joinLines.push(`LEFT JOIN ${ident(target.model)} ${joined} ON ${on} AND ${visible(context, target, joined)}`);
          joins.set(key, joined);
        }
        alias = joined;
        owner = target;
      });
      return alias;
    };
    const values = columns.map((c) => valueSql(catalog, c.field, aliasOf(c.via)));

    const where = `${visible(context, object, root)} AND ${filterSql(context, object, filter, root)}`;
    this.#keys = order.map((term) => ({
      expression: orderValueSql(context, object, term, root),
      cast: castOf((term.relation ? catalog.target(object.relations.get(term.relation)!) : object).fields.get(term.field)!) ?? 'text',
      direction: term.direction,
      nullsLast: term.nulls ? term.nulls === 'last' : term.direction === 'asc',
      nullable: termNullable(catalog, object, term),
    }));
    this.#order = this.#keys
      .map((k) => `${k.expression} ${k.direction.toUpperCase()} NULLS ${k.nullsLast ? 'LAST' : 'FIRST'}`)
      .join(', ');
    const keys = this.#keys.map((k, i) => `(${k.expression})::text AS k${i}`).join(', ');
    this.#base = `SELECT json_build_array(${values.join(', ')})::text AS "row", ${keys} FROM ${ident(object.model)} ${root} ${joinLines.join(' ')} WHERE ${where}`;
    this.#count = `SELECT count(*)::int AS "rows" FROM ${ident(object.model)} ${root} WHERE ${where}`;
    this.#params = params.values;
  }

  /** The page of at most `size` rows after the row whose order values are `after` (null: the first page). */
  page(after: readonly (string | null)[] | null, size: number): ExportPage {
    const params = new SqlParams();
    params.values.push(...this.#params);
    const condition = after ? ` AND ${this.#after(after, params)}` : '';
    return { sql: `${this.#base}${condition} ORDER BY ${this.#order} LIMIT ${Math.trunc(size)}`, params: params.values };
  }

  /** How many rows the export has (for progress). */
  count(): ExportPage {
    return { sql: this.#count, params: [...this.#params] };
  }

  /** Rows strictly after `last` in the order. */
  #after(last: readonly (string | null)[], params: SqlParams): string {
    const keys = this.#keys;
    const value = (i: number) => params.add(last[i], keys[i]!.cast);
    // The common case (no empty values, one direction) as one row comparison, which an index on the order can serve.
    if (keys.every((k) => !k.nullable && k.direction === keys[0]!.direction) && last.every((v) => v !== null)) {
      return `(${keys.map((k) => k.expression).join(', ')}) ${keys[0]!.direction === 'asc' ? '>' : '<'} (${keys.map((_, i) => value(i)).join(', ')})`;
    }
    const alternatives: string[] = [];
    keys.forEach((key, i) => {
      let beyond: string | null;
      if (last[i] === null) beyond = key.nullsLast ? null : `${key.expression} IS NOT NULL`;
      else beyond = `(${key.expression} ${key.direction === 'asc' ? '>' : '<'} ${value(i)}${key.nullsLast ? ` OR ${key.expression} IS NULL` : ''})`;
      if (beyond === null) return;
      const equal = keys.slice(0, i).map((k, j) => (last[j] === null ? `${k.expression} IS NULL` : `${k.expression} = ${value(j)}`));
      alternatives.push(`(${[...equal, beyond].join(' AND ')})`);
    });
    return alternatives.length ? `(${alternatives.join(' OR ')})` : 'FALSE';
  }
}

/** A field's cell: ids as the API's global ids, money and instants as its scalars write them. */
function valueSql(catalog: ObjectCatalog, field: ResolvedField, alias: string): string {
  // A custom field: its JSONB value in the row's custom values, as the API reads it.
  if (field.stored) return scalarSql(field, `${column(alias, field.stored.json)}->${literal(field.stored.key)}`);
  if (field.kind === 'id' && catalog.get(field.owner).node) return globalIdSql(field.owner, alias, field.column);
  if (field.kind === 'reference' && field.references && catalog.get(field.references).node) return globalIdSql(field.references, alias, field.column);
  if (field.kind === 'id' || field.kind === 'reference' || field.kind === 'enum') return `${column(alias, field.column)}::text`;
  return scalarSql(field, column(alias, field.column));
}
