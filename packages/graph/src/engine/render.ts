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
import { selectionOfAggregate } from '../objects/aggregate-types.js';
import { aggregateObjectSql } from './aggregate-sql.js';
import { buildObject, type Entry, marks, optionalObject, ROW_ID, type Spread, spreadObject, tupleValues } from './built-object.js';
import { decline, declineReason } from './decline.js';
import { ENGINE_ROW } from './engine-answers.js';
import { aggregateResultSql } from './group-render.js';
import { parentRowSql } from './parent-row.js';
import { orderSql, visible } from './rows-sql.js';
import { collectFields, objectTypeOf, type SelectionContext, subSelections } from './selection.js';
import { cursorOf, formatted, globalIdOf, instant, leaf, type LeafKind, type ResultShape, tupleKinds, within } from './result-shape.js';
import { column, ident, literal, valueSql } from './sql-text.js';
import { edgeColumns, type PageInfoField, type RowPage } from './row-form.js';

const pageInfoFields = new Set<string>(['__typename', 'hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor'] satisfies PageInfoField[]);

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
  const joins: string[] = [];
  context.joins = joins;
  try {
    const value = render();
    return { value, joins: joins.map((j) => ` ${j}`).join('') };
  } finally {
    context.joins = outer;
  }
}

/** A row source for a connection: a table, its conditions for a given alias, an order ending on `id`. */
export interface ConnectionSource {
  object: ResolvedObject;
  /** The rows of the connection: what `totalCount` and `aggregate` count. */
  where: (alias: string) => string[];
  /** The page's condition past a cursor (`after`), which the count leaves out. */
  cursor?: (alias: string) => string;
  order: readonly OrderTerm[];
  first: number;
  hasPreviousPage: boolean;
  /**
   * Whether `where` reads other tables per row (a relation filter). Counted and paged, its matches are then found once
   * (see `matchesOnce`). @default false
   */
  filtersThroughRelations?: boolean;
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

function objectEntries(context: RenderContext, type: GraphQLObjectType, alias: string, nodes: readonly FieldNode[]): Entry[] {
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
      joins[at] = `LEFT JOIN ${ident(target.model)} ${a} ON ${join} AND ${rows}`;
      return optionalObject(context, entries, column(a, 'id'));
    }
    return `(SELECT ${objectSql(context, type, a, nodes)} FROM ${ident(target.model)} ${a} WHERE ${join} AND ${rows})`;
  }
  const defaultOrder = relation.order
    ? [...relation.order, { field: 'id', direction: relation.order[0]!.direction }]
    : context.listQuery(target, {}).order;
  if (!relation.connection) {
    const type = objectTypeOf(def) ?? decline(`${def.name} has no object type`);
    const a = context.nextAlias();
    context.shape.list = true;
    const row = joinedRow(context, () => objectSql(context, type, a, nodes));
    return `(SELECT coalesce(json_agg(${row.value} ORDER BY ${orderSql(context, target, defaultOrder, a)}), '[]'::json) FROM ${ident(target.model)} ${a}${row.joins} WHERE ${childWhere(context, object, relation, a, alias).join(' AND ')})`;
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

/**
 * How many matches of a relation filter a page sorts (held by `connectionValue`'s CTE); past it, the page walks its
 * order's index and stops after `first + 1` rows. On Q5's data: 502 matches sorted 2.5 ms against 3.0 walked, 4,010
 * walked 10.4 against 17.5 for the whole rows sorted (docs/performance.md, round 7).
 */
const SORTED_MATCHES = 1000;

/**
 * A Relay connection as Pothos' prisma plugin answers it: `first + 1` rows fetched to know `hasNextPage`, cursors
 * on `id`, `totalCount` and `aggregate` over the whole filtered set. One correlated subquery, so a page of parents
 * costs no extra statement.
 */
export function connectionSql(context: RenderContext, connection: GraphQLObjectType, nodes: readonly FieldNode[], source: ConnectionSource): string {
  return connectionValue(context, connection, nodes, source, (parts) => buildObject(context, parts)) as string;
}

/**
 * {@link connectionSql} in the row form (`row-form.ts`): the page's rows with their columns, and the rest of the
 * connection as a JSON array computed once. Not for a page counted under a relation filter (its matches found once
 * choose between two pages, which a row set cannot): the caller keeps the JSON form there.
 */
export function connectionRows(context: RenderContext, connection: GraphQLObjectType, nodes: readonly FieldNode[], source: ConnectionSource): RowPage {
  return connectionValue(context, connection, nodes, source, 'rows') as RowPage;
}

/**
 * {@link connectionSql}, a connection without `pageInfo` built by `unpaged` from its entries (a nested one spreads
 * them into the object holding it), or, `'rows'`, {@link connectionRows}.
 */
function connectionValue<T>(
  context: RenderContext,
  connection: GraphQLObjectType,
  nodes: readonly FieldNode[],
  source: ConnectionSource,
  unpaged: ((parts: readonly Entry[]) => T) | 'rows',
): string | T | RowPage {
  const { first, object } = source;
  const selected = [...collectFields(connection, subSelections(nodes), context)];
  const fields = connection.getFields();
  const rowForm = unpaged === 'rows';
  const paged = selected.some(([, [node]]) => node!.name.value === 'pageInfo');
  // A page counted (`totalCount`, `aggregate`) under a relation filter finds its matches once: a MATERIALIZED CTE
  // holds their ids, counted, and the page sorts them when there are few (`SORTED_MATCHES`). Apart, the count probes
  // every row's relations and the page probes them again: under a generic plan (the prepared statement's) the page even
  // joined and sorted every match, where a custom plan walks the order's index and stops after `first + 1` (Q5: 3.0 ->
  // 2.5 ms of backend CPU, docs/performance.md, round 7). Past `SORTED_MATCHES` the page walks the index as before
  // (the CASE runs one branch): sorting thousands of matches costs more than a walk that stops early. Ids only: the
  // whole rows materialized cost more than the count itself on a filter most rows pass. Without such a filter the page
  // stays a LIMIT over an index.
  const matchesOnce =
    paged && !rowForm && source.filtersThroughRelations === true && selected.some(([, [node]]) => ['totalCount', 'aggregate'].includes(node!.name.value))
      ? context.nextAlias()
      : null;
  const matched = (a: string): string => `${column(a, 'id')} IN (SELECT "id" FROM ${matchesOnce})`;
  /** The rows counted, aliased `a`, as a FROM item's text. */
  const countedFrom = (a: string): string =>
    `${ident(object.model)} ${a} WHERE ${(matchesOnce ? [matched(a)] : source.where(a)).join(' AND ')}`;
  /** The page's rows in order (`limit` of them), each as `element`, under `where`. */
  const pageRows = (a: string, element: JoinedRow, limit: number, where: readonly string[]): string => {
    const cursor = source.cursor ? [source.cursor(a)] : [];
    const page = `FROM ${ident(object.model)} ${a} WHERE ${[...where, ...cursor].join(' AND ')} ORDER BY ${orderSql(context, object, source.order, a)} LIMIT ${limit}`;
    if (!element.joins) return `SELECT ${element.value} ${page}`;
    // The links join the page's rows after its LIMIT: a filtered page (or one in an order no index gives) sorts all
    // its matches first, and links joined before the LIMIT were looked up for every match (Q5: 4.9 -> 8.0 ms). The
    // page keeps its order (a nested loop keeps it as it is; any other join sorts the page's rows again).
    return `SELECT ${element.value} FROM (SELECT ${a}.* ${page}) ${a}${element.joins} ORDER BY ${orderSql(context, object, source.order, a)}`;
  };
  /** The page's rows in one array: `ARRAY(…)` keeps the order. */
  const rowsSql = (a: string, element: JoinedRow, limit: number): string => {
    if (!matchesOnce) return `ARRAY(${pageRows(a, element, limit, source.where(a))})`;
    return `CASE WHEN (SELECT count(*) FROM ${matchesOnce}) <= ${SORTED_MATCHES} THEN ARRAY(${pageRows(a, element, limit, [matched(a)])}) ELSE ARRAY(${pageRows(a, element, limit, source.where(a))}) END`;
  };
  // With `pageInfo`, the page (`first + 1` rows: one more says `hasNextPage`) is one array, `p.page`, computed once
  // (`OFFSET 0` keeps PostgreSQL from inlining it where it is read). Its elements are the first `edges` selected, each
  // carrying its row's id (the cursors' source) after its values, or under `#id` in a JSON object; with no `edges`, the
  // rows' ids. No window, no grouping, no aggregate sorting the rows: a page is a LIMIT over an index. In the row form
  // the page is the statement's rows instead, and `pageInfo` is read from them (`row-answer.ts`).
  const pageEdges = paged || rowForm ? selected.find(([, [node]]) => node!.name.value === 'edges')?.[0] : undefined;
  const pageAlias = context.nextAlias();
  const pageSource = context.nextAlias();
  const p = `${pageSource}.page`;
  let pageElement: JoinedRow = { value: rowForm ? `${column(pageAlias, 'id')}::text AS "c0"` : column(pageAlias, 'id'), joins: '' };
  let pageColumns: LeafKind[] = ['text'];
  let pageValues = [0];
  const pageInfos = new Map<string, [string, PageInfoField][]>();
  const idOf = (element: string) => (pageEdges === undefined ? element : context.marked ? `(${element})->>${literal(ROW_ID)}` : `(${element})->>-1`);
  const part = (key: string, name: string, fieldNodes: readonly FieldNode[]): string => {
    if (name === '__typename') return leaf(context, 'text', literal(connection.name));
    if (name === 'totalCount') {
      if (matchesOnce) return leaf(context, 'number', `(SELECT count(*) FROM ${matchesOnce})`);
      const c = context.nextAlias();
      return leaf(context, 'number', `(SELECT count(*) FROM ${countedFrom(c)})`);
    }
    if (name === 'aggregate') {
      const c = context.nextAlias();
      const type = objectTypeOf(fields.aggregate!)!;
      const selection = selectionOfAggregate(object, type, fieldNodes, context, context.canRead);
      return `(SELECT ${aggregateResultSql(type, fieldNodes, context, aggregateObjectSql(object, selection, c))} FROM ${countedFrom(c)})`;
    }
    if (name === 'edges') {
      const edge = objectTypeOf(fields.edges!)!;
      context.shape.list = true;
      if (key === pageEdges && rowForm) {
        pageElement = joinedRow(context, () => {
          const columns = edgeColumns(context, edgeEntries(context, edge, pageAlias, fieldNodes), column(pageAlias, 'id'));
          pageColumns = columns.kinds;
          pageValues = columns.values;
          return columns.sql;
        });
        return 'NULL';
      }
      if (key === pageEdges) {
        pageElement = joinedRow(context, () => edgeSql(context, edge, pageAlias, fieldNodes, column(pageAlias, 'id')));
        return `array_to_json(${p}[1:${first}])`;
      }
      const a = context.nextAlias();
      return `array_to_json(${rowsSql(a, joinedRow(context, () => edgeSql(context, edge, a, fieldNodes)), first)})`;
    }
    if (name !== 'pageInfo') decline(`${connection.name}.${name} is not compiled`);
    const pageInfo = objectTypeOf(fields.pageInfo!)!;
    if (rowForm) {
      const read: [string, PageInfoField][] = [];
      for (const [infoKey, infoNodes] of collectFields(pageInfo, subSelections(fieldNodes), context)) {
        const infoName = infoNodes[0]!.name.value;
        if (!pageInfoFields.has(infoName)) decline(`PageInfo.${infoName}`);
        read.push([infoKey, infoName as PageInfoField]);
      }
      pageInfos.set(key, read);
      return 'NULL';
    }
    const info = marks(context, pageInfo.name);
    for (const [infoKey, infoNodes] of collectFields(pageInfo, subSelections(fieldNodes), context)) {
      const infoName = infoNodes[0]!.name.value;
      if (infoName === '__typename') info.push([infoKey, literal(pageInfo.name)]);
      else if (infoName === 'hasNextPage') info.push([infoKey, `cardinality(${p}) > ${first}`]);
      else if (infoName === 'hasPreviousPage') info.push([infoKey, source.hasPreviousPage ? 'true' : 'false']);
      // The first and last row's ids (cursors once formatted); null on an empty page.
      else if (infoName === 'startCursor') info.push([infoKey, within(context, infoKey, () => formatted(context, cursorOf, idOf(`${p}[1]`)))]);
      else if (infoName === 'endCursor') info.push([infoKey, within(context, infoKey, () => formatted(context, cursorOf, idOf(`${p}[least(cardinality(${p}), ${first})]`)))]);
      else decline(`PageInfo.${infoName}`);
    }
    return buildObject(context, info);
  };
  const parts = marks(context, connection.name);
  for (const [key, fieldNodes] of selected) {
    parts.push([key, within(context, key, () => part(key, fieldNodes[0]!.name.value, fieldNodes))]);
  }
  if (rowForm) {
    context.shape.keys = parts.map(([key]) => key);
    const head = parts.filter(([key]) => key !== pageEdges && !pageInfos.has(key)).map(([, sql]) => sql);
    return {
      rows: pageRows(pageAlias, pageElement, paged ? first + 1 : first, source.where(pageAlias)),
      head: `json_build_array(${head.join(', ')})`,
      form: {
        first,
        hasPreviousPage: source.hasPreviousPage,
        ...(pageEdges === undefined ? {} : { edges: pageEdges }),
        pageInfo: pageInfos,
        pageInfoType: objectTypeOf(fields.pageInfo!)!.name,
        columns: pageColumns,
        values: pageValues,
      },
    };
  }
  if (!paged) return unpaged(parts);
  const page = `SELECT ${buildObject(context, parts)} FROM (SELECT ${rowsSql(pageAlias, pageElement, first + 1)} AS page OFFSET 0) ${pageSource}`;
  if (!matchesOnce) return `(${page})`;
  const m = context.nextAlias();
  return `(WITH ${matchesOnce} AS MATERIALIZED (SELECT ${m}."id" FROM ${ident(object.model)} ${m} WHERE ${source.where(m).join(' AND ')}) ${page})`;
}

/**
 * One edge of a connection on the row aliased `alias`. `rowId`: the row's id rides along, hidden (after the tuple's
 * values, or under `#id` in a JSON object), for the page's cursors (`connectionSql`).
 */
function edgeSql(context: RenderContext, edge: GraphQLObjectType, alias: string, nodes: readonly FieldNode[], rowId?: string): string {
  return buildObject(context, edgeEntries(context, edge, alias, nodes), rowId);
}

/** The entries of one edge of a connection on the row aliased `alias`. */
function edgeEntries(context: RenderContext, edge: GraphQLObjectType, alias: string, nodes: readonly FieldNode[]): Entry[] {
  const parts = marks(context, edge.name);
  for (const [key, fieldNodes] of collectFields(edge, subSelections(nodes), context)) {
    const name = fieldNodes[0]!.name.value;
    if (name === '__typename') parts.push([key, within(context, key, () => leaf(context, 'text', literal(edge.name)))]);
    else if (name === 'cursor') parts.push([key, within(context, key, () => formatted(context, cursorOf, column(alias, 'id')))]);
    else if (name === 'node') parts.push([key, within(context, key, () => spreadObject(context, objectEntries(context, objectTypeOf(edge.getFields().node!)!, alias, fieldNodes)))]);
    else decline(`${edge.name}.${name} is not compiled`);
  }
  return parts;
}
