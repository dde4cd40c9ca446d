// Relay connections in the engine's statement: a page (`first + 1` rows for `hasNextPage`), `totalCount` and
// `aggregate` over the filtered rows, in the JSON form (`connectionSql`, nested ones spread) or, for a lone root list,
// in the row form (`connectionRows`, `row-form.ts`). The objects on each row are rendered by `render.ts`.
import type { ResolvedObject, OrderTerm } from '@crm/core';
import type { FieldNode, GraphQLObjectType } from 'graphql';
import { selectionOfAggregate } from '../objects/aggregate-types.js';
import { aggregateObjectSql } from './aggregate-sql.js';
import { buildObject, type Entry, marks, ROW_ID, spreadObject, textTuple } from './built-object.js';
import { decline } from './decline.js';
import { aggregateResultSql } from './group-render.js';
import { type JoinedRow, joinedRow, listsAs, objectEntries, type RenderContext } from './render.js';
import { cursorOf, formatted, leaf, type LeafKind, within } from './result-shape.js';
import { edgeColumns, type PageInfoField, type RowPage } from './row-form.js';
import { orderSql } from './rows-sql.js';
import { collectFields, objectTypeOf, subSelections } from './selection.js';
import { column, ident, literal } from './sql-text.js';

const pageInfoFields = new Set<string>(['__typename', 'hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor'] satisfies PageInfoField[]);

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
export function connectionValue<T>(
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
  // A paged connection is one JSON object (its page read once for `pageInfo`): its lists are JSON too.
  if (paged && !rowForm && context.arrays) return listsAs(context, false, () => connectionValue(context, connection, nodes, source, unpaged));
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
        // The row's columns are text: its nested lists are text arrays.
        pageElement = listsAs(context, true, () => joinedRow(context, () => {
          const columns = edgeColumns(context, edgeEntries(context, edge, pageAlias, fieldNodes), column(pageAlias, 'id'));
          pageColumns = columns.kinds;
          pageValues = columns.values;
          return columns.sql;
        }));
        return 'NULL';
      }
      if (key === pageEdges) {
        pageElement = joinedRow(context, () => edgeSql(context, edge, pageAlias, fieldNodes, column(pageAlias, 'id')));
        return `array_to_json(${p}[1:${first}])`;
      }
      const a = context.nextAlias();
      if (context.arrays) return leaf(context, 'rows', rowsSql(a, joinedRow(context, () => textTuple(context, edgeEntries(context, edge, a, fieldNodes))), first));
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
        kind: 'page',
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
