import {
  coreFilterContext,
  decodeGlobalId,
  type FilterNode,
  Permissions,
  type ObjectCatalog,
  type OrderTerm,
  parseFilter,
  parseOrder,
  type ResolvedField,
  type ResolvedObject,
  type Session,
  termNullable,
  filterSql,
} from '@crm/core';
import { isCursorOf, ROW_ID } from '@crm/db';
import { decodeBase64, decodeCursorChunk } from '@pothos/core';
import { type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLSchema, Kind, type OperationDefinitionNode } from 'graphql';
import { getArgumentValues, getVariableValues } from 'graphql/execution/values.js';
import { catalogOf } from '../objects/catalog-of.js';
import { decline, declineReason } from './decline.js';
import { groupedRowsSql, groupLimits } from './aggregate-sql.js';
import { type GroupArgs, groupQuery } from '../objects/group-by.js';
import { groupListSql } from './group-render.js';
import { connectionRows, connectionSql } from './connection-sql.js';
import { deferrable, joinedRow, listsAs, objectEntries, objectSql, pageSize, type RenderContext } from './render.js';
import { edgeColumns, objectRowStatement, type ObjectRowForm, type RowForm, type RowPage, rowFormStatement } from './row-form.js';
import { orderValueSql, visible } from './rows-sql.js';
import { switchedOffSql } from './plugin-switches.js';
import { searchMatchSql, searchTerms } from './search-sql.js';
import { collectFields, objectTypeOf } from './selection.js';
import { column, ident, literal, SqlParams } from './sql-text.js';
import { ENGINE_MARK } from './engine-answers.js';
import { type ResultShape, within } from './result-shape.js';

/** A by-id root field's row in the row form: the `SELECT` of its columns, and how to read them. */
interface RowObject {
  rows: string;
  form: Omit<ObjectRowForm, 'key'>;
}

/**
 * One statement that returns the operation's `data` as JSON text (column `data`), and the plugins among those it
 * read that are switched off in the caller's workspace (column `switchedOff`: then answer without the engine, as the
 * plugins' resolvers refuse). `partial`: some fields were left to their resolvers; execute the operation over the
 * answer (`answerWithEngine`) instead of sending it.
 */
export interface CompiledRead {
  sql: string;
  params: unknown[];
  partial: boolean;
  /** Where `data` holds raw ids, cursors and instants: format it with `applyShape` before using it. */
  shape: ResultShape;
  /**
   * The statement is in the row form (`row-form.ts`): one row per edge of the one root list, columns `switchedOff`,
   * `head` and `c0`, `c1`, …; read them with `rowFormAnswer`. Absent: one row, columns `data` and `switchedOff`.
   */
  rows?: RowForm;
}

export interface ReadEngine {
  /**
   * The statement answering `document` for `session`, or null when the operation is not one the engine answers
   * (then execute it as usual; `onDecline` has been told why). Nothing is cached between requests.
   */
  compile(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | undefined, session: Session): CompiledRead | null;
}

export interface ReadEngineOptions {
  defaultPageSize: number;
  maxPageSize: number;
  /** Told every decline of a whole operation with its reason (counted and logged by the gateway). */
  onDecline?: (reason: string) => void;
  /** Told the reason of every field the engine left to its resolver while answering the rest. */
  onDefer?: (reason: string) => void;
}

function operationOf(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | null {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name?.value === operationName) ?? null;
  return operations.length === 1 ? operations[0]! : null;
}

/** Objects whose merged-away ids keep answering through `node` (mergeCustomers, mergeCompanies). */
const mergeable = new Set(['Customer', 'Company']);

/** Decodes a Pothos prisma cursor over `id` (`GPC:S:<uuid>`); anything else is left to Pothos to reject. */
function cursorId(cursor: unknown): string {
  try {
    const decoded = decodeBase64(String(cursor));
    const key = { id: decoded.startsWith('GPC:') ? decodeCursorChunk(decoded.slice(4)) : undefined };
    if (isCursorOf(ROW_ID, key)) return key.id as string;
  } catch {
    // falls through
  }
  return decline('bad cursor');
}

/**
 * Rows after the cursor row in `order` (which ends on the unique `id`), as Prisma's `cursor` + `skip: 1` returns
 * them; none when the cursor row does not exist (in this workspace). A nullable term (a custom field, an optional
 * column or relation) keeps its nulls where the order puts them (`nulls`, else PostgreSQL's: last ascending, first
 * descending): equal is `IS NOT DISTINCT FROM`, and beyond a value come the nulls when they sort last; beyond a null
 * come the values when nulls sort first.
 */
function afterCursor(context: RenderContext, object: ResolvedObject, alias: string, order: readonly OrderTerm[], id: string): string {
  const idParam = context.params.add(id, 'uuid');
  const cursorValue = (term: OrderTerm) => {
    const c = context.nextAlias();
    return `(SELECT ${orderValueSql(context, object, term, c)} FROM ${ident(object.model)} ${c} WHERE ${c}."id" = ${idParam} AND ${visible(context, object, c)})`;
  };
  const nullable = (term: OrderTerm) => termNullable(context.catalog, object, term);
  const equal = (term: OrderTerm) => `${orderValueSql(context, object, term, alias)} ${nullable(term) ? 'IS NOT DISTINCT FROM' : '='} ${cursorValue(term)}`;
  const beyond = (term: OrderTerm) => {
    const value = orderValueSql(context, object, term, alias);
    const strictly = `${value} ${term.direction === 'asc' ? '>' : '<'} ${cursorValue(term)}`;
    if (!nullable(term)) return strictly;
    const nullsLast = term.nulls ? term.nulls === 'last' : term.direction === 'asc';
    return nullsLast ? `(${strictly} OR (${value} IS NULL AND ${cursorValue(term)} IS NOT NULL))` : `(${strictly} OR (${cursorValue(term)} IS NULL AND ${value} IS NOT NULL))`;
  };
  const alternatives = `(${order.map((term, i) => `(${[...order.slice(0, i).map(equal), beyond(term)].join(' AND ')})`).join(' OR ')})`;
  if (!order.some(nullable)) return alternatives;
  // A null cursor value must come from the cursor row, not from its absence (another workspace's, a deleted one).
  const c = context.nextAlias();
  return `(EXISTS (SELECT 1 FROM ${ident(object.model)} ${c} WHERE ${c}."id" = ${idParam} AND ${visible(context, object, c)}) AND ${alternatives})`;
}

/**
 * The read engine: compiles whole read operations over the declared objects (root lists with filter, order, search,
 * cursor, totalCount and aggregate; `<list>GroupBy`; by-id fields; `node`; nested relations and connections) into ONE statement that
 * builds the response's JSON in PostgreSQL, formatted as the GraphQL scalars format it. Tenancy (every table by
 * workspace) and the declared read permissions are applied here, from the declarations; an operation with anything
 * else (a computed or plugin field, backward paging) is declined and executed by Pothos.
 */
export function createReadEngine(schema: GraphQLSchema, options: ReadEngineOptions): ReadEngine {
  const catalog: ObjectCatalog = catalogOf(schema);
  const queryType = schema.getQueryType();
  const byPlural = new Map([...catalog.objects].filter((o) => o.plural).map((o) => [o.plural!, o]));
  const bySingle = new Map([...catalog.objects].filter((o) => o.single).map((o) => [o.single!, o]));
  const byGroupBy = new Map([...catalog.objects].filter((o) => o.plural && queryType?.getFields()[`${o.plural}GroupBy`]).map((o) => [`${o.plural}GroupBy`, o]));

  function compile(
    operation: OperationDefinitionNode,
    fragments: Record<string, FragmentDefinitionNode>,
    variables: Record<string, unknown>,
    session: Session,
    marked: boolean,
  ): { read: CompiledRead; deferred: string[] } {
    if (operation.operation !== 'query' || !queryType) decline('not a query');
    const params = new SqlParams();
    const roots = collectFields(queryType, [operation.selectionSet], { fragments, variables });
    let aliases = 0;
    const permissions = Permissions.of(session, catalog);
    const canRead = (field: ResolvedField) => permissions.canReadField(field);
    const filterContext = coreFilterContext(catalog, { canRead, ...(permissions.restrictsRows ? { rowRule: (object: ResolvedObject) => permissions.rowFilter(object) } : {}) });
    const context: RenderContext = {
      catalog,
      params,
      fragments,
      variables,
      workspace: workspacePlaceholder(params, session.workspaceId, roots),
      permissions,
      defaultPageSize: options.defaultPageSize,
      maxPageSize: options.maxPageSize,
      nextAlias: () => `t${++aliases}`,
      canRead,
      listQuery: (object, args) => ({
        filter: parseFilter(object, args.filter, filterContext),
        order: parseOrder(catalog, object, args.orderBy as never, { canRead }),
      }),
      marked,
      deferred: [],
      plugins: new Set(),
      shape: {},
      joins: null,
      nestedRows: false,
      arrays: false,
    };
    const parts: string[] = marked ? [literal(ENGINE_MARK), '1'] : [];
    // An operation that is one root list returns its page as rows (`row-form.ts`): one JSON document per request cost
    // PostgreSQL more than the rows (docs/performance.md, issue 14 round 8). Several root fields would each need a row
    // set (a statement returns one), and graphql executing over the answer (`marked`) reads JSON objects: both keep the
    // JSON form, as does a page counted under a relation filter (`rootList`).
    const rowForm = !marked && roots.size === 1;
    let rowPage: RowPage | RowObject | null = null;
    let answered = 0;
    for (const [key, nodes] of roots) {
      const name = nodes[0]!.name.value;
      const value = deferrable(context, () =>
        within(context, key, () => {
          if (name === '__typename') return literal(queryType.name);
          if (byPlural.has(name)) return rowForm ? rootList(context, byPlural.get(name)!, nodes, true) : rootList(context, byPlural.get(name)!, nodes);
          if (bySingle.has(name)) return rootSingle(context, bySingle.get(name)!, nodes, name, rowForm);
          if (byGroupBy.has(name)) return rootGroupBy(context, byGroupBy.get(name)!, nodes, name);
          if (name === 'node') return rootNode(context, nodes);
          return decline(`Query.${name}`);
        }),
      );
      if (value === null) continue;
      if (name !== '__typename') answered++;
      if (typeof value === 'string') parts.push(literal(key), value);
      else rowPage = value;
    }
    const switchedOff = context.plugins.size ? switchedOffSql([...context.plugins], context.workspace) : 'NULL::text[]';
    if (rowPage) {
      // Left to resolvers in part: `compile` is called again, marked (the JSON form); this answer is not used.
      const partial = context.deferred.length > 0;
      const [key] = roots.keys();
      const sql = rowPage.form.kind === 'page' ? rowFormStatement(rowPage as RowPage, switchedOff) : objectRowStatement(rowPage.rows, switchedOff);
      return { read: { sql, params: params.values, partial, shape: context.shape, rows: { key: key!, ...rowPage.form } }, deferred: context.deferred };
    }
    // Nothing but resolvers' fields: the engine has nothing to add.
    if (!answered) decline(context.deferred[0] ?? 'nothing to answer');
    return {
      read: { sql: `SELECT json_build_object(${parts.join(', ')})::text AS data, ${switchedOff} AS "switchedOff"`, params: params.values, partial: context.deferred.length > 0, shape: context.shape },
      deferred: context.deferred,
    };
  }

  /**
   * The caller's workspace in the statement. An operation that starts from rows by id (`customer(id:)`, `node`) has
   * one plan whatever the workspace: the rows hang off primary keys. Its workspace is then an InitPlan
   * (`(SELECT $1::uuid)`), which the planner estimates the same with or without the value, so PostgreSQL keeps one
   * generic plan for the prepared statement. Given as a plain parameter, a workspace holding an uneven share of a
   * table made every custom plan look cheaper than the generic one, and the statement was planned again on every
   * execution (Q3, a customer's 360: 1.4 → 0.7 ms of backend CPU, docs/performance.md). A list keeps the plain
   * parameter: the workspace's size does shape its plan (Q5 went 2.6 → 3.3 ms with the InitPlan).
   */
  function workspacePlaceholder(params: SqlParams, workspaceId: string, roots: Map<string, readonly FieldNode[]>): string {
    const byId = [...roots.values()].every(([node]) => bySingle.has(node!.name.value) || node!.name.value === 'node' || node!.name.value === '__typename');
    const placeholder = params.add(workspaceId, 'uuid');
    return byId ? `(SELECT ${placeholder})` : placeholder;
  }

  function rootList(context: RenderContext, object: ResolvedObject, nodes: readonly FieldNode[]): string;
  function rootList(context: RenderContext, object: ResolvedObject, nodes: readonly FieldNode[], rowForm: true): RowPage | string;
  function rootList(context: RenderContext, object: ResolvedObject, nodes: readonly FieldNode[], rowForm = false): RowPage | string {
    const field = queryType!.getFields()[object.plural!]!;
    const args = getArgumentValues(field, nodes[0]!, context.variables as Record<string, unknown>);
    if (nodes.length > 1) decline('a root list selected twice');
    if (args.before != null || args.last != null) decline('backward paging');
    const { filter, order } = context.listQuery(object, args);
    const where = rootWhere(context, object, filter, args.search);
    let after: ((alias: string) => string) | null = null;
    if (args.after != null) {
      const id = cursorId(args.after);
      after = (alias) => afterCursor(context, object, alias, order, id);
    }
    const source = {
      object,
      where,
      ...(after ? { cursor: after } : {}),
      order,
      first: pageSize(context, args.first),
      hasPreviousPage: args.after != null,
      filtersThroughRelations: filtersThroughRelations(filter),
    };
    // A page counted under a relation filter finds its matches once and chooses between two pages: JSON form.
    return rowForm && !source.filtersThroughRelations ? connectionRows(context, objectTypeOf(field)!, nodes, source) : connectionSql(context, objectTypeOf(field)!, nodes, source);
  }

  /** Whether a filter reads other tables per row (relations, segments: EXISTS subqueries). */
  function filtersThroughRelations(node: FilterNode): boolean {
    if (node.kind === 'and' || node.kind === 'or') return node.items.some(filtersThroughRelations);
    if (node.kind === 'not') return filtersThroughRelations(node.item);
    return node.kind !== 'compare';
  }

  /** The rows a root list or group-by selects: the caller's, through its filter and search. */
  function rootWhere(context: RenderContext, object: ResolvedObject, filter: FilterNode, searchArg: unknown): (alias: string) => string[] {
    const search = typeof searchArg === 'string' ? searchTerms(context.params, searchArg) : null;
    return (alias) => [visible(context, object, alias), filterSql(context, object, filter, alias), ...(search ? [searchMatchSql(context, object, alias, search)] : [])];
  }

  function rootGroupBy(context: RenderContext, object: ResolvedObject, nodes: readonly FieldNode[], name: string): string {
    const field = queryType!.getFields()[name]!;
    if (nodes.length > 1) decline('a group-by selected twice');
    const args = getArgumentValues(field, nodes[0]!, context.variables as Record<string, unknown>) as unknown as GroupArgs;
    const { filter } = context.listQuery(object, { filter: args.filter }); // its orderBy orders groups, not rows
    const where = rootWhere(context, object, filter, args.search);
    const { keys, order } = groupQuery(object, args, context.canRead);
    const rows = groupedRowsSql(context, object, where, keys, order, args.first ?? groupLimits.defaultGroups);
    return groupListSql(context, objectTypeOf(field)!, nodes, object, keys, rows);
  }

  function rowSql(context: RenderContext, object: ResolvedObject, rowId: string, nodes: readonly FieldNode[]): string {
    const type = schema.getType(object.name);
    if (!type || !('getFields' in type)) return decline(`${object.name} has no type`);
    const a = context.nextAlias();
    const row = joinedRow(context, () => objectSql(context, type as never, a, nodes));
    return `(SELECT ${row.value} FROM ${ident(object.model)} ${a}${row.joins} WHERE ${a}."id" = ${context.params.add(rowId, 'uuid')} AND ${visible(context, object, a)})`;
  }

  /**
   * A by-id root field's row in the row form (`ObjectRowForm`): its tuple's values as text columns, each once, its
   * nested lists as text arrays. Q3's 360 (20 activities, 20 orders with their lines, tickets, tasks) cost PostgreSQL
   * less this way than as one JSON document (docs/performance.md, issue 14 round 9).
   */
  function rowColumns(context: RenderContext, object: ResolvedObject, rowId: string, nodes: readonly FieldNode[]): RowObject {
    const type = schema.getType(object.name);
    if (!type || !('getFields' in type)) return decline(`${object.name} has no type`);
    const a = context.nextAlias();
    let form: Omit<ObjectRowForm, 'key'> = { kind: 'object', columns: [], values: [] };
    const row = listsAs(context, true, () =>
      joinedRow(context, () => {
        const columns = edgeColumns(context, objectEntries(context, type as never, a, nodes), column(a, 'id'));
        form = { kind: 'object', columns: columns.kinds, values: columns.values };
        return columns.sql;
      }),
    );
    return { rows: `SELECT ${row.value} FROM ${ident(object.model)} ${a}${row.joins} WHERE ${a}."id" = ${context.params.add(rowId, 'uuid')} AND ${visible(context, object, a)}`, form };
  }

  function rootSingle(context: RenderContext, object: ResolvedObject, nodes: readonly FieldNode[], name: string, rowForm = false): string | RowObject {
    const args = getArgumentValues(queryType!.getFields()[name]!, nodes[0]!, context.variables as Record<string, unknown>);
    const id = decodeGlobalId(String(args.id), object.name) ?? decline('not an id of the type');
    return rowForm ? rowColumns(context, object, id, nodes) : rowSql(context, object, id, nodes);
  }

  function rootNode(context: RenderContext, nodes: readonly FieldNode[]): string {
    const args = getArgumentValues(queryType!.getFields().node!, nodes[0]!, context.variables as Record<string, unknown>);
    const raw = String(args.id);
    let typename = '';
    try {
      typename = decodeBase64(raw).split(':')[0] ?? '';
    } catch {
      decline('not a global id');
    }
    if (!catalog.has(typename)) decline(`node of ${typename}`);
    const object = catalog.get(typename);
    const id = decodeGlobalId(raw, typename) ?? decline('not a global id');
    if (!mergeable.has(typename)) return rowSql(context, object, id, nodes);
    // A merged-away customer or company answers with the record it was merged into (as graph/src/merged-ids.ts does).
    const type = schema.getType(object.name) as never;
    const a = context.nextAlias();
    const m = context.nextAlias();
    const wanted = context.params.add(id, 'uuid');
    const survivor = `(SELECT ${m}."survivorId" FROM "RecordMerge" ${m} WHERE ${m}."mergedId" = ${wanted} AND ${m}."objectType" = ${literal(typename)} AND ${m}."workspaceId" = ${context.workspace})`;
    const row = joinedRow(context, () => objectSql(context, type, a, nodes));
    return `(SELECT ${row.value} FROM ${ident(object.model)} ${a}${row.joins} WHERE ${visible(context, object, a)} AND ${a}."id" IN (${wanted}, ${survivor}) ORDER BY ${a}."id" = ${wanted} DESC LIMIT 1)`;
  }

  return {
    compile(document, operationName, rawVariables, session) {
      try {
        const operation = operationOf(document, operationName) ?? decline('no such operation');
        const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
        if (coerced.errors) decline('variables do not coerce');
        const fragments: Record<string, FragmentDefinitionNode> = {};
        for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
        let compiled = compile(operation, fragments, coerced.coerced, session, false);
        // Some fields are left to their resolvers: compiled again with the marks graphql's execution reads.
        if (compiled.read.partial) compiled = compile(operation, fragments, coerced.coerced, session, true);
        for (const reason of compiled.deferred) options.onDefer?.(reason);
        return compiled.read;
      } catch (error) {
        const reason = declineReason(error);
        if (reason === null) throw error;
        options.onDecline?.(reason);
        return null;
      }
    },
  };
}
