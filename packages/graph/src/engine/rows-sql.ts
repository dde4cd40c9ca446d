// Which rows the engine reads and in what order: the caller's workspace and permissions on every table (one place),
// and an order's SQL (a to-one relation's field read through its link).
import { type OrderTerm, permittedRows, type ResolvedObject, type SqlFilterContext } from '@crm/core';
import { column, ident, valueSql } from './sql-text.js';

/**
 * Every table the engine lists, counts or nests is filtered by the caller's workspace and permissions, here and
 * nowhere else (a to-one link names its row whatever the rules: see `relationSql`). The plugins whose objects it reads
 * are noted: their per-workspace switches are read in the same statement.
 */
export function visible(context: SqlFilterContext & { plugins?: Set<string> }, object: ResolvedObject, alias: string): string {
  if (object.plugin) context.plugins?.add(object.plugin);
  return permittedRows(context.workspace, object, alias, context.permissions);
}

/** The SQL value of an order term on `alias` (a to-one relation's field is read by a correlated subquery). */
export function orderValueSql(context: SqlFilterContext, object: ResolvedObject, term: OrderTerm, alias: string): string {
  if (!term.relation) return valueSql(alias, object.fields.get(term.field)!);
  const relation = object.relations.get(term.relation)!;
  const target = context.catalog.target(relation);
  const r = context.nextAlias();
  return `(SELECT ${valueSql(r, target.fields.get(term.field)!)} FROM ${ident(target.model)} ${r} WHERE ${column(r, 'id')} = ${valueSql(alias, object.fields.get(relation.key)!)} AND ${visible(context, target, r)})`;
}

export function orderSql(context: SqlFilterContext, object: ResolvedObject, terms: readonly OrderTerm[], alias: string): string {
  return terms
    .map((t) => `${orderValueSql(context, object, t, alias)} ${t.direction.toUpperCase()}${t.nulls ? ` NULLS ${t.nulls.toUpperCase()}` : ''}`)
    .join(', ');
}
