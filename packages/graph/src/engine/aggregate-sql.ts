import {
  badInput,
  type FilterNode,
  type ResolvedField,
  type ResolvedObject,
  filterSql,
  type SqlFilterContext,
  permittedRows,
} from '@crm/core';
import { column, globalIdSql, ident, literal, valueSql } from './sql-text.js';

/** Which aggregates a selection asks for (field names per function). */
export interface AggregateSelection {
  count: boolean;
  countDistinct: string[];
  sum: string[];
  avg: string[];
  min: string[];
  max: string[];
}

export type AggregateFunction = Exclude<keyof AggregateSelection, 'count'>;

export const aggregateFunctions: readonly AggregateFunction[] = ['countDistinct', 'sum', 'avg', 'min', 'max'];

export const dateTruncations = ['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const;
export type DateTruncation = (typeof dateTruncations)[number];

/** One group-by key: a groupable field, dates truncated to a unit. */
export interface GroupKey {
  field: ResolvedField;
  truncate?: DateTruncation;
}

/** How a group list is ordered: by a key, by the count, or by an aggregate of a field. */
export interface GroupOrder {
  by: 'key' | 'count' | 'sum' | 'avg' | 'min' | 'max';
  field?: ResolvedField;
  direction: 'asc' | 'desc';
}

/** At most 3 keys and 1,000 groups; 100 groups unless `first` says otherwise. */
export const groupLimits = { keys: 3, groups: 1000, defaultGroups: 100 } as const;

const isoSql = (value: string) => `to_char(${value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A value as its GraphQL scalar serialises it (money with two decimals, instants ISO-8601 UTC). */
function outputSql(field: ResolvedField, value: string): string {
  if (field.kind === 'decimal') return `(${value})::numeric(16,2)::text`;
  // A custom instant is kept as its normalised ISO text already.
  if (field.kind === 'datetime') return field.stored ? value : isoSql(value);
  return value;
}

function aggregateSql(fn: AggregateFunction, field: ResolvedField, alias: string): string {
  const col = valueSql(alias, field);
  switch (fn) {
    case 'countDistinct':
      return `count(DISTINCT ${col})::int`;
    case 'sum':
      return field.kind === 'decimal' ? outputSql(field, `sum(${col})`) : `sum(${col})::float8`;
    case 'avg':
      return field.kind === 'decimal' ? outputSql(field, `round(avg(${col}), 2)`) : `avg(${col})::float8`;
    case 'min':
    case 'max':
      return outputSql(field, `${fn}(${col})`);
  }
}

/** `json_build_object` of the selected aggregates over the rows aliased `alias`. */
export function aggregateObjectSql(object: ResolvedObject, selection: AggregateSelection, alias: string): string {
  const parts: string[] = [`'count'`, 'count(*)::int'];
  for (const fn of aggregateFunctions) {
    const names = [...new Set(selection[fn])];
    if (!names.length) continue;
    const inner = names.flatMap((name) => [literal(name), aggregateSql(fn, object.fields.get(name)!, alias)]);
    parts.push(literal(fn), `json_build_object(${inner.join(', ')})`);
  }
  return `json_build_object(${parts.join(', ')})`;
}

/** The aggregates of one filtered set of rows (optionally of many parents at once: one JSON per `groupColumn`). */
export function aggregateStatement(
  context: SqlFilterContext,
  object: ResolvedObject,
  filter: FilterNode,
  selection: AggregateSelection,
  parents?: { key: ResolvedField; ids: readonly string[] },
): string {
  const a = context.nextAlias();
  const where = [permittedRows(context.workspace, object, a, context.permissions), filterSql(context, object, filter, a)];
  if (!parents) return `SELECT ${aggregateObjectSql(object, selection, a)}::text AS data FROM ${ident(object.model)} ${a} WHERE ${where.join(' AND ')}`;
  // The parent key: a column, or a relation field's id in JSONB (its expression index's expression).
  const key = valueSql(a, parents.key);
  where.push(`${key} = ANY(${context.params.add([...parents.ids], 'uuid[]')})`);
  return `SELECT ${key}::text AS parent, ${aggregateObjectSql(object, selection, a)}::text AS data FROM ${ident(object.model)} ${a} WHERE ${where.join(' AND ')} GROUP BY ${key}`;
}

/**
 * A date truncated to `unit` in UTC, as a UTC wall-clock `timestamp` (what the group-by groups on and prints). The
 * expression is the one `groupStatisticsSql` gives PostgreSQL statistics on: without them the planner takes every
 * row for a group of its own (100,000 estimated groups for 25 months), sorts 100,000 rows on disk and aggregates;
 * with them it hashes the 25 groups in memory.
 */
const truncatedDateSql = (columnSql: string, unit: DateTruncation) => `date_trunc(${literal(unit.toLowerCase())}, ${columnSql} AT TIME ZONE 'UTC')`;

/** The UTC wall-clock `timestamp` `value` as the DateTime scalar prints it. */
const wallClockIsoSql = (value: string) => `to_char(${value}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Statistics on every truncation of an object's groupable dates (see `truncatedDateSql`): the SQL of the migration
 * `group_by_statistics`, which a test holds equal to the declarations.
 */
export function groupStatisticsSql(object: ResolvedObject): string[] {
  return [...object.fields.values()]
    .filter((f) => f.group && f.kind === 'datetime')
    .flatMap((f) =>
      dateTruncations.map(
        (unit) => `CREATE STATISTICS "${object.model}_${f.column}_${unit.toLowerCase()}_stats" ON (${truncatedDateSql(`"${f.column}"`, unit)}) FROM "${object.model}";`,
      ),
    );
}

function keySql(key: GroupKey, alias: string): { group: string; output: string } {
  const col = valueSql(alias, key.field);
  if (key.field.kind === 'datetime') {
    const truncated = truncatedDateSql(col, key.truncate ?? 'DAY');
    return { group: truncated, output: wallClockIsoSql(truncated) };
  }
  if (key.field.kind === 'reference' || key.field.kind === 'id') {
    const typename = key.field.kind === 'reference' ? key.field.references! : key.field.owner;
    return { group: col, output: `CASE WHEN ${col} IS NULL THEN NULL ELSE ${globalIdSql(typename, alias, key.field.column)} END` };
  }
  return { group: col, output: outputSql(key.field, col) };
}

/** A group-by's rows: the keys' values as printed (`keys`, in `by` order) and the clauses from FROM to LIMIT on `alias`. */
export interface GroupedRows {
  alias: string;
  keys: readonly string[];
  /** `FROM … WHERE … GROUP BY … ORDER BY … LIMIT first`. */
  tail: string;
}

/**
 * Groups of the rows `where` selects by 1–3 keys, ordered and limited: the one definition both the `<list>GroupBy`
 * resolver's statement and the read engine use.
 */
export function groupedRowsSql(
  context: SqlFilterContext,
  object: ResolvedObject,
  where: (alias: string) => string[],
  keys: readonly GroupKey[],
  order: readonly GroupOrder[],
  first: number,
): GroupedRows {
  if (!keys.length || keys.length > groupLimits.keys) throw badInput(`by: 1 to ${groupLimits.keys} keys`, 'by');
  if (!Number.isInteger(first) || first < 1 || first > groupLimits.groups) throw badInput(`first: 1 to ${groupLimits.groups} groups`, 'first');
  const a = context.nextAlias();
  const parts = keys.map((k) => keySql(k, a));
  const orderTerms = order.map((o) => {
    const direction = `${o.direction.toUpperCase()} NULLS LAST`;
    if (o.by === 'count') return `count(*) ${direction}`;
    if (o.by === 'key') return `${parts[keys.findIndex((k) => k.field === o.field)]!.group} ${direction}`;
    return `${o.by}(${valueSql(a, o.field!)}) ${direction}`;
  });
  // Keys break the remaining ties, so the order (and what `first` cuts) is the same every time.
  orderTerms.push(...parts.map((p) => `${p.group} ASC NULLS LAST`));
  return {
    alias: a,
    keys: parts.map((p) => p.output),
    tail: `FROM ${ident(object.model)} ${a} WHERE ${where(a).join(' AND ')}
    GROUP BY ${parts.map((p) => p.group).join(', ')} ORDER BY ${orderTerms.join(', ')} LIMIT ${first}`,
  };
}

/** Groups of the filtered rows by 1–3 keys, each with its aggregates, ordered and limited (one statement). */
export function groupByStatement(
  context: SqlFilterContext,
  object: ResolvedObject,
  filter: FilterNode,
  keys: readonly GroupKey[],
  selection: AggregateSelection,
  order: readonly GroupOrder[],
  first: number,
): string {
  const where = (a: string) => [permittedRows(context.workspace, object, a, context.permissions), filterSql(context, object, filter, a)];
  const rows = groupedRowsSql(context, object, where, keys, order, first);
  const keyObject = `json_build_object(${keys.flatMap((k, i) => [literal(k.field.name), rows.keys[i]!]).join(', ')})`;
  return `SELECT json_build_object('key', ${keyObject}, 'aggregate', ${aggregateObjectSql(object, selection, rows.alias)})::text AS data ${rows.tail}`;
}
