import {
  type FilterNode,
  type ObjectCatalog,
  type OrderTerm,
  type ResolvedField,
  type ResolvedObject,
  type ResolvedRelation,
  filterSql,
  type SqlFilterContext,
  visibleRows,
} from '@crm/core';
import type { FieldNode, GraphQLField, GraphQLObjectType } from 'graphql';
import { getArgumentValues } from 'graphql/execution/values.js';
import { buildObject, type Entry, marks, optionalObject, type Spread, spreadObject, textTuple } from './built-object.js';
import { decline, declineReason } from './decline.js';
import { ENGINE_ROW } from './engine-answers.js';
import { parentRowSql } from './parent-row.js';
import { orderSql, visible } from './rows-sql.js';
import { collectFields, objectTypeOf, type SelectionContext, subSelections } from './selection.js';
import { formatted, globalIdOf, instant, leaf, type LeafKind, type ResultShape, within } from './result-shape.js';
import { column, ident, literal, valueSql } from './sql-text.js';
import { connectionValue } from './connection-sql.js';

/** Everything compiling one operation needs (one per request). */
export interface RenderContext extends SelectionContext, SqlFilterContext {
  catalog: ObjectCatalog;
  defaultPageSize: number;
  maxPageSize: number;
  /** Whether the caller reads a field (its permissions: role, scopes, the declaration's `read` role). */
  canRead(field: ResolvedField): boolean;
  /** A list's filter and order from its arguments (validated as the Pothos path validates them). */
  listQuery(object: ResolvedObject, args: Record<string, unknown>): { filter: FilterNode; order: OrderTerm[] };
  /**
   * Whether graphql executes the operation over the engine's answer (some field is left to its resolver): every
   * object the statement builds then carries the marks `engine-answers.ts` reads.
   */
  marked: boolean;
  /** Why each field left to its resolver was left (in compile order). */
  deferred: string[];
  /** The plugins whose objects the statement reads (their per-workspace switches are read with it). */
  plugins: Set<string>;
  /** Where the answer holds raw ids, cursors and instants for the gateway to format (`result-shape.ts`). */
  shape: ResultShape;
  /**
   * The `LEFT JOIN`s of the row being rendered (`fromRows`): a to-one link joins here instead of looking its row up
   * in a correlated subquery per row. Null where no FROM the engine builds is open.
   */
  joins: string[] | null;
  /**
   * Whether the FROM of `joins` is a nested list's, run once per parent row (`joinedRow` inside another row): its
   * links join as `LATERAL` lookups (see `relationSql`).
   */
  nestedRows: boolean;
  /**
   * Whether a nested list rendered now is built as a PostgreSQL text array (`textTuple`, kind `rows`) rather than as
   * JSON: under a row of the row form, whose columns are text, until a value built as JSON is entered (a link looked
   * up as a tuple, a paged connection), whose lists must be JSON (`listsAs`).
   */
  arrays: boolean;
}

/** `build()` with the nested lists it renders built as text arrays (`arrays`) or as JSON. */
export function listsAs<T>(context: RenderContext, arrays: boolean, build: () => T): T {
  const outer = context.arrays;
  context.arrays = arrays;
  try {
    return build();
  } finally {
    context.arrays = outer;
  }
}

/**
 * `build()`, or null when it declines: the field it compiles is then left to its resolver (the rest of the operation
 * stays one statement). The parameters it added are dropped with it.
 */
export function deferrable<T>(context: RenderContext, build: () => T): T | null {
  const mark = context.params.values.length;
  const joins = context.joins;
  const joinMark = joins?.length ?? 0;
  try {
    return build();
  } catch (error) {
    const reason = declineReason(error);
    if (reason === null) throw error;
    context.params.values.length = mark;
    if (joins) joins.length = joinMark;
    context.deferred.push(reason);
    return null;
  }
}

/** What is selected from a row (`value`) with the `LEFT JOIN`s of the to-one links it reads (`from`, after the table). */
export interface JoinedRow {
  value: string;
  joins: string;
}

/**
 * `render()` for a row of a FROM the caller builds: the to-one links it reads join onto that FROM (see
 * `RenderContext.joins`) instead of each being a correlated lookup per row. PostgreSQL then memoizes each link per key
 * (a page of 50 customers names ~10 owners); the lookups were a third of a page's statement, and a tiny table (users)
 * was scanned whole per row (docs/performance.md, issue 14 round 6).
 */
export function joinedRow(context: RenderContext, render: () => string): JoinedRow {
  const outer = context.joins;
  const outerNested = context.nestedRows;
  const joins: string[] = [];
  context.joins = joins;
  context.nestedRows = outer !== null;
  try {
    const value = render();
    return { value, joins: joins.map((j) => ` ${j}`).join('') };
  } finally {
    context.joins = outer;
    context.nestedRows = outerNested;
  }
}

const argsOf = (field: GraphQLField<unknown, unknown>, node: FieldNode, context: RenderContext) =>
  getArgumentValues(field, node, context.variables as Record<string, unknown>);

/** A field's value as its GraphQL scalar serialises it (two-decimal money; ISO-8601 UTC instants with ms). */
export function scalarSql(field: ResolvedField, value: string): string {
  // A custom field's value is stored as its scalar serialises it: the JSONB value itself (a list when unset: []).
  if (field.stored) return field.kind === 'stringList' ? `coalesce(${value}, '[]'::jsonb)` : value;
  if (field.kind === 'decimal') return `${value}::text`;
  if (field.kind === 'datetime') return `to_char(${value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return value;
}

/** How each kind of a table's own column travels as a column of the row form (a custom field's is JSON). */
const leafKinds: Record<ResolvedField['kind'], LeafKind> = {
  id: 'text',
  reference: 'text',
  string: 'text',
  enum: 'text',
  decimal: 'text',
  datetime: 'text',
  date: 'text',
  int: 'number',
  bigint: 'number',
  float: 'number',
  boolean: 'boolean',
  stringList: 'array',
  json: 'json',
};

function declared(context: RenderContext, type: GraphQLObjectType): ResolvedObject {
  return context.catalog.has(type.name) ? context.catalog.get(type.name) : decline(`${type.name} is not declared`);
}

/**
 * The object of the selection on one row of `type` aliased `alias`. A field the engine cannot compile (a
 * computed or plugin field, an argument it does not take) is left to its resolver, which gets the row's columns.
 */
export function objectSql(context: RenderContext, type: GraphQLObjectType, alias: string, nodes: readonly FieldNode[]): string {
  return buildObject(context, objectEntries(context, type, alias, nodes));
}

/** The entries of the selection on one row of `type` aliased `alias` (see `objectSql`). */
export function objectEntries(context: RenderContext, type: GraphQLObjectType, alias: string, nodes: readonly FieldNode[]): Entry[] {
  const object = declared(context, type);
  const graphqlFields = type.getFields();
  const parts = marks(context, type.name);
  let leftToResolvers = false;
  for (const [key, fieldNodes] of collectFields(type, subSelections(nodes), context)) {
    const name = fieldNodes[0]!.name.value;
    const value = deferrable(context, () => within(context, key, () => fieldSql(context, object, type, graphqlFields[name], name, alias, fieldNodes)));
    if (value === null) leftToResolvers = true;
    else parts.push([key, value]);
  }
  if (leftToResolvers) parts.push([ENGINE_ROW, parentRowSql(object.model, alias)]);
  return parts;
}

function fieldSql(
  context: RenderContext,
  object: ResolvedObject,
  type: GraphQLObjectType,
  def: GraphQLField<unknown, unknown> | undefined,
  name: string,
  alias: string,
  nodes: readonly FieldNode[],
): string | Spread {
  if (name === '__typename') return leaf(context, 'text', literal(type.name));
  if (name === 'id' && object.node) return formatted(context, globalIdOf(type.name), column(alias, 'id'));
  const field = object.fields.get(name);
  if (field?.expose && field.kind !== 'reference' && field.kind !== 'id') {
    // A field the caller does not read is null (docs/security.md, "Hidden fields"), as the resolvers answer it.
    if (!context.canRead(field)) {
      if (!field.nullable) decline(`${type.name}.${name} is not readable by the caller`);
      return leaf(context, 'text', 'NULL');
    }
    if (field.kind === 'datetime' && !field.stored) return formatted(context, instant, column(alias, field.column));
    const value = scalarSql(field, field.stored ? `${column(alias, field.stored.json)}->${literal(field.stored.key)}` : column(alias, field.column));
    return leaf(context, field.stored ? 'json' : leafKinds[field.kind], value);
  }
  const relation = [...object.relations.values()].find((r) => r.expose && r.graphqlName === name);
  if (!relation || !def) decline(`${type.name}.${name} is not declared`);
  return relationSql(context, object, relation, def, alias, nodes);
}

function childWhere(context: RenderContext, object: ResolvedObject, relation: ResolvedRelation, alias: string, parentAlias: string): string[] {
  const target = context.catalog.target(relation);
  return [`${valueSql(alias, target.fields.get(relation.key)!)} = ${column(parentAlias, object.fields.get('id')!.column)}`, visible(context, target, alias)];
}

function relationSql(
  context: RenderContext,
  object: ResolvedObject,
  relation: ResolvedRelation,
  def: GraphQLField<unknown, unknown>,
  alias: string,
  nodes: readonly FieldNode[],
): string | Spread {
  const target = context.catalog.target(relation);
  if (relation.kind === 'toOne') {
    const type = objectTypeOf(def) ?? decline(`${def.name} has no object type`);
    const a = context.nextAlias();
    const join = relation.keyOnTarget
      ? `${valueSql(a, target.fields.get(relation.key)!)} = ${column(alias, 'id')}`
      : `${column(a, 'id')} = ${valueSql(alias, object.fields.get(relation.key)!)}`;
    // A nullable link to a trashed row reads as null, as through Prisma; a required one always names its row. Row
    // rules do not apply to links (a deal names its customer), as a foreign key does not.
    const rows = relation.nullable ? visibleRows(context.workspace, target, a) : `${column(a, 'workspaceId')} = ${context.workspace}`;
    // A link by our key names at most one row (its primary key): it joins the FROM being rendered, when there is one.
    if (context.joins && !relation.keyOnTarget) {
      const joins = context.joins;
      // Its place is taken first: the links of the linked row (a deal's customer's company) join after it.
      const at = joins.push('') - 1;
      const entries = objectEntries(context, type, a, nodes);
      // In a nested list, a plain join was planned anew for each parent row, as a hash join probed by the whole linked
      // table (Q3: each order's lines scanned all products, a third of the statement); a LATERAL lookup of one row
      // by its primary key is an index probe per line (Q3: 0.61 -> 0.46 ms, docs/performance.md, round 9). LIMIT 1
      // keeps PostgreSQL from flattening it back into the join.
      joins[at] = context.nestedRows
        ? `LEFT JOIN LATERAL (SELECT ${a}.* FROM ${ident(target.model)} ${a} WHERE ${join} AND ${rows} LIMIT 1) ${a} ON true`
        : `LEFT JOIN ${ident(target.model)} ${a} ON ${join} AND ${rows}`;
      return optionalObject(context, entries, column(a, 'id'));
    }
    return `(SELECT ${listsAs(context, false, () => objectSql(context, type, a, nodes))} FROM ${ident(target.model)} ${a} WHERE ${join} AND ${rows})`;
  }
  const defaultOrder = relation.order
    ? [...relation.order, { field: 'id', direction: relation.order[0]!.direction }]
    : context.listQuery(target, {}).order;
  if (!relation.connection) {
    const type = objectTypeOf(def) ?? decline(`${def.name} has no object type`);
    const a = context.nextAlias();
    context.shape.list = true;
    const where = childWhere(context, object, relation, a, alias).join(' AND ');
    if (context.arrays) {
      const element = joinedRow(context, () => textTuple(context, objectEntries(context, type, a, nodes)));
      return leaf(context, 'rows', `ARRAY(SELECT ${element.value} FROM ${ident(target.model)} ${a}${element.joins} WHERE ${where} ORDER BY ${orderSql(context, target, defaultOrder, a)})`);
    }
    const row = joinedRow(context, () => objectSql(context, type, a, nodes));
    return `(SELECT coalesce(json_agg(${row.value} ORDER BY ${orderSql(context, target, defaultOrder, a)}), '[]'::json) FROM ${ident(target.model)} ${a}${row.joins} WHERE ${where})`;
  }
  const args = argsOf(def, nodes[0]!, context);
  if (nodes.length > 1 && nodes.some((n) => (n.arguments?.length ?? 0) > 0)) decline('a nested connection selected twice with arguments');
  if (args.after != null || args.before != null || args.last != null) decline('nested connection paging');
  const { filter, order } = context.listQuery(target, args);
  const where = (a: string) => [...childWhere(context, object, relation, a, alias), filterSql(context, target, filter, a)];
  return connectionValue(context, objectTypeOf(def)!, nodes, {
    object: target,
    where,
    order: (args.orderBy as unknown[] | undefined)?.length ? order : defaultOrder,
    first: pageSize(context, args.first),
    hasPreviousPage: false,
  }, (parts) => spreadObject(context, parts)) as string | Spread;
}

export function pageSize(context: RenderContext, first: unknown): number {
  if (first == null) return context.defaultPageSize;
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > context.maxPageSize) decline('page size');
  return first;
}
