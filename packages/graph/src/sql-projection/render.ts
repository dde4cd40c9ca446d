import { type FieldNode, type GraphQLField, type GraphQLObjectType, type GraphQLSchema, isNonNullType } from 'graphql';
import { getArgumentValues } from 'graphql/execution/values.js';
import { decline } from './not-projectable.js';
import { objectTypeOf, type ProjectedField, type ProjectedType, type ReadModel, type ScalarFormat } from './read-model.js';
import { collectFields, type SelectionContext, subSelections } from './selection.js';
import { column, cursorSql, globalIdSql, ident, literal, type OrderTerm, orderSql, type SqlParams } from './sql-text.js';

export interface RenderContext extends SelectionContext {
  schema: GraphQLSchema;
  model: ReadModel;
  params: SqlParams;
  /** Placeholder of the caller's workspace id: every table read is filtered by it. */
  workspace: string;
  defaultPageSize: number;
  maxPageSize: number;
  nextAlias(): string;
}

/** A row source for a connection: a table, its conditions for a given alias, an order ending on a unique column. */
export interface ConnectionSource {
  type: ProjectedType;
  where: (alias: string) => string[];
  orderBy: readonly OrderTerm[];
  first: number;
  hasPreviousPage: boolean;
  totalCount: boolean;
  /** Conditions `totalCount` counts under (the root list counts without its cursor). @default where */
  countWhere?: (alias: string) => string[];
}

/** Formats a column as the `Decimal` and `DateTime` scalars serialise it (two decimals; ISO-8601 UTC with ms). */
function scalarSql(format: ScalarFormat, value: string): string {
  if (format === 'decimal') return `${value}::text`;
  if (format === 'datetime') return `to_char(${value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return value;
}

const argsOf = (field: GraphQLField<unknown, unknown>, node: FieldNode, context: RenderContext) =>
  getArgumentValues(field, node, context.variables as Record<string, unknown>);

export function projectedTypeOf(context: RenderContext, type: GraphQLObjectType): ProjectedType {
  return context.model.get(type.name) ?? decline(`${type.name} is not projectable`);
}

function buildObject(parts: string[]): string {
  // json_build_object takes at most 100 arguments; a wider selection is left to Pothos.
  if (parts.length > 100) decline('selection too wide');
  return `json_build_object(${parts.join(', ')})`;
}

/** `json_build_object(…)` of the selection on one row of `type` aliased `alias`. */
export function objectSql(context: RenderContext, type: GraphQLObjectType, alias: string, nodes: readonly FieldNode[]): string {
  const projected = projectedTypeOf(context, type);
  const parts: string[] = [];
  for (const [key, fieldNodes] of collectFields(type, subSelections(nodes), context)) {
    const name = fieldNodes[0]!.name.value;
    parts.push(literal(key));
    if (name === '__typename') {
      parts.push(literal(type.name));
      continue;
    }
    const field = projected.fields.get(name) ?? decline(`${type.name}.${name} is not projectable`);
    parts.push(fieldSql(context, type.getFields()[name]!, field, alias, fieldNodes));
  }
  return buildObject(parts);
}

function targetOf(context: RenderContext, field: GraphQLField<unknown, unknown>, table: string): [GraphQLObjectType, ProjectedType] {
  const type = objectTypeOf(field) ?? decline(`${field.name} has no object type`);
  const projected = projectedTypeOf(context, type);
  if (projected.table !== table) decline(`${type.name} is not ${table}`);
  return [type, projected];
}

function fieldSql(context: RenderContext, def: GraphQLField<unknown, unknown>, field: ProjectedField, alias: string, nodes: readonly FieldNode[]): string {
  switch (field.kind) {
    case 'column':
      return scalarSql(field.format, column(alias, field.column));
    case 'globalId':
      return globalIdSql(field.typename, alias, field.column);
    case 'toOne': {
      const [type, target] = targetOf(context, def, field.target);
      const a = context.nextAlias();
      // A nullable link to a trashed row reads as null, as through Prisma (a required one always names a live row).
      const live = target.trashable && !isNonNullType(def.type) ? ` AND ${a}."deletedAt" IS NULL` : '';
      return `(SELECT ${objectSql(context, type, a, nodes)} FROM ${ident(target.table)} ${a} WHERE ${a}."id" = ${column(alias, field.foreignKey)} AND ${a}."workspaceId" = ${context.workspace}${live})`;
    }
    case 'list': {
      const [type, target] = targetOf(context, def, field.target);
      if (!field.orderBy.length) decline(`${def.name} has no defined order`);
      const a = context.nextAlias();
      return `(SELECT coalesce(json_agg(${objectSql(context, type, a, nodes)} ORDER BY ${orderSql(a, field.orderBy)}), '[]'::json) FROM ${ident(target.table)} ${a} WHERE ${childWhere(context, a, field.childKey, alias, target).join(' AND ')})`;
    }
    case 'connection': {
      const [, target] = targetOf(context, connectionNodeField(def), field.target);
      if (!field.orderBy.length) decline(`${def.name} has no defined order`);
      const args = argsOf(def, nodes[0]!, context);
      if (args.after != null || args.before != null || args.last != null) decline('nested connection paging', false);
      return connectionSql(context, objectTypeOf(def)!, nodes, {
        type: target,
        where: (a) => childWhere(context, a, field.childKey, alias, target),
        orderBy: [...field.orderBy],
        first: pageSize(context, args.first),
        hasPreviousPage: false,
        totalCount: field.totalCount,
      });
    }
  }
}

const childWhere = (context: RenderContext, alias: string, childKey: string, parentAlias: string, target: ProjectedType) => [
  `${column(alias, childKey)} = ${column(parentAlias, 'id')}`,
  ...visibleRows(context, alias, target),
];

/** The rows a caller may read: its workspace's, and not in the trash. */
export const visibleRows = (context: Pick<RenderContext, 'workspace'>, alias: string, type: ProjectedType) => [
  `${column(alias, 'workspaceId')} = ${context.workspace}`,
  ...(type.trashable ? [`${column(alias, 'deletedAt')} IS NULL`] : []),
];

export function pageSize(context: RenderContext, first: unknown): number {
  if (first == null) return context.defaultPageSize;
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > context.maxPageSize) decline('page size', false);
  return first;
}

/** The `node` field of a connection's edges: the GraphQL type the connection lists. */
function connectionNodeField(connectionField: GraphQLField<unknown, unknown>): GraphQLField<unknown, unknown> {
  const connection = objectTypeOf(connectionField) ?? decline('not a connection');
  const edge = connection.getFields().edges ? objectTypeOf(connection.getFields().edges!) : null;
  return edge?.getFields().node ?? decline('not a connection');
}

/**
 * A Relay connection as Pothos' prisma plugin answers it: `first + 1` rows fetched to know `hasNextPage`, cursors
 * on `id`, `totalCount` a separate count. One correlated subquery, so a page of parents costs no extra statement.
 */
export function connectionSql(context: RenderContext, connection: GraphQLObjectType, nodes: readonly FieldNode[], source: ConnectionSource): string {
  const a = context.nextAlias();
  const { first } = source;
  const cursor = cursorSql(a, 'id');
  const parts: string[] = [];
  for (const [key, fieldNodes] of collectFields(connection, subSelections(nodes), context)) {
    const name = fieldNodes[0]!.name.value;
    parts.push(literal(key));
    if (name === '__typename') parts.push(literal(connection.name));
    else if (name === 'totalCount' && source.totalCount) {
      const c = context.nextAlias();
      parts.push(`(SELECT count(*) FROM ${ident(source.type.table)} ${c} WHERE ${(source.countWhere ?? source.where)(c).join(' AND ')})`);
    } else if (name === 'edges') {
      const edge = objectTypeOf(connection.getFields().edges!)!;
      parts.push(`coalesce(json_agg(${edgeSql(context, edge, a, cursor, fieldNodes)} ORDER BY ${a}.__n) FILTER (WHERE ${a}.__n <= ${first}), '[]'::json)`);
    } else if (name === 'pageInfo') {
      const pageInfo = objectTypeOf(connection.getFields().pageInfo!)!;
      const info: string[] = [];
      for (const [infoKey, infoNodes] of collectFields(pageInfo, subSelections(fieldNodes), context)) {
        const infoName = infoNodes[0]!.name.value;
        info.push(literal(infoKey));
        if (infoName === '__typename') info.push(literal(pageInfo.name));
        else if (infoName === 'hasNextPage') info.push(`count(*) > ${first}`);
        else if (infoName === 'hasPreviousPage') info.push(source.hasPreviousPage ? 'true' : 'false');
        else if (infoName === 'startCursor') info.push(`(array_agg(${cursor} ORDER BY ${a}.__n) FILTER (WHERE ${a}.__n <= ${first}))[1]`);
        else if (infoName === 'endCursor') info.push(`(array_agg(${cursor} ORDER BY ${a}.__n DESC) FILTER (WHERE ${a}.__n <= ${first}))[1]`);
        else decline(`PageInfo.${infoName}`);
      }
      parts.push(buildObject(info));
    } else decline(`${connection.name}.${name} is not projectable`);
  }
  const order = orderSql(a, source.orderBy);
  const rows = `SELECT ${a}.*, row_number() OVER (ORDER BY ${order}) AS __n FROM ${ident(source.type.table)} ${a} WHERE ${source.where(a).join(' AND ')} ORDER BY ${order} LIMIT ${first + 1}`;
  // GROUP BY (): one row even when no field aggregates (a selection of `totalCount` alone) and there are no rows.
  return `(SELECT ${buildObject(parts)} FROM (${rows}) ${a} GROUP BY ())`;
}

function edgeSql(context: RenderContext, edge: GraphQLObjectType, alias: string, cursor: string, nodes: readonly FieldNode[]): string {
  const parts: string[] = [];
  for (const [key, fieldNodes] of collectFields(edge, subSelections(nodes), context)) {
    const name = fieldNodes[0]!.name.value;
    parts.push(literal(key));
    if (name === '__typename') parts.push(literal(edge.name));
    else if (name === 'cursor') parts.push(cursor);
    else if (name === 'node') parts.push(objectSql(context, objectTypeOf(edge.getFields().node!)!, alias, fieldNodes));
    else decline(`${edge.name}.${name} is not projectable`);
  }
  return buildObject(parts);
}
