import { enums } from '@crm/db';
import type { Permissions } from '../../permissions/permissions.js';
import type { ObjectCatalog } from '../catalog.js';
import { isNumeric, type ResolvedField, type ResolvedObject } from '../declaration.js';
import type { CompareOp, FilterNode, FilterScalar } from '../filter/filter-node.js';
import { escapeLike } from '../filter/prisma-where.js';
import { column, ident, literal, type SqlParams, valueSql } from './sql-text.js';
import { visibleRows } from './visible-rows.js';

/** What compiling a filter to SQL needs: the declarations, the statement's parameters, fresh aliases, the workspace. */
export interface SqlFilterContext {
  catalog: ObjectCatalog;
  params: SqlParams;
  /** Placeholder of the caller's workspace id: every table a filter reaches is filtered by it too. */
  workspace: string;
  nextAlias(): string;
  /** The caller's permissions: root rows are narrowed by them (`permittedRows`). Absent: tenancy only. */
  permissions?: Permissions | null;
}

/**
 * The SQL type of a field's parameters. Enums are cast to their PostgreSQL enum (text for enums the database does not
 * have): left untyped, PGlite's adapter sends a one-value list as a bare string ("malformed array literal").
 */
export function castOf(field: ResolvedField): string | undefined {
  // A custom field compares as its JSONB expression is typed (valueSql): numbers as numeric, a relation's record id as
  // uuid (a to-many custom relation's key: `customerId` of a customer's `contracts`), the rest as text.
  if (field.stored) return field.kind === 'boolean' ? 'boolean' : isNumeric(field.kind) ? 'numeric' : field.kind === 'reference' ? 'uuid' : 'text';
  switch (field.kind) {
    case 'enum':
      return field.enum && field.enum in enums ? `"${field.enum}"` : 'text';
    case 'id':
    case 'reference':
      return 'uuid';
    case 'string':
    case 'stringList':
      return 'text';
    case 'int':
    case 'bigint':
      return 'bigint';
    case 'float':
      return 'float8';
    case 'decimal':
      return 'numeric';
    case 'boolean':
      return 'boolean';
    case 'datetime':
      return 'timestamptz';
    case 'date':
      return 'date';
    default:
      return undefined;
  }
}

const sqlValue = (value: FilterScalar) => (value instanceof Date ? value.toISOString() : value);

const comparison: Partial<Record<CompareOp, string>> = { eq: '=', lt: '<', lte: '<=', gt: '>', gte: '>=' };

/** A custom multi-select: a JSONB array of option values, matched with the JSONB key operators. */
function compareStoredList(context: SqlFilterContext, alias: string, field: ResolvedField, op: CompareOp, value: FilterScalar | FilterScalar[]): string {
  const list = `${alias}.${ident(field.stored!.json)}->${literal(field.stored!.key)}`;
  const texts = () => `ARRAY[${(value as FilterScalar[]).map((v) => context.params.add(v, 'text')).join(', ')}]::text[]`;
  switch (op) {
    case 'has':
      return `coalesce(${list} ? ${context.params.add(value, 'text')}, false)`;
    case 'hasAny':
      return `coalesce(${list} ?| ${texts()}, false)`;
    case 'hasAll':
      return `coalesce(${list} ?& ${texts()}, false)`;
    case 'isEmpty':
      return `coalesce(jsonb_array_length(${list}), 0) ${value ? '=' : '>'} 0`;
    default:
      throw new Error(`${op} is not an operator of lists`);
  }
}

function compare(context: SqlFilterContext, alias: string, field: ResolvedField, op: CompareOp, value: FilterScalar | FilterScalar[]): string {
  if (field.stored && field.kind === 'stringList') return compareStoredList(context, alias, field, op, value);
  const col = valueSql(alias, field);
  const cast = castOf(field);
  const one = () => context.params.add(sqlValue(value as FilterScalar), cast);
  // One parameter per value: PGlite's adapter sends a one-value array parameter as a bare string.
  const list = () => {
    const values = (value as FilterScalar[]).map((v) => context.params.add(sqlValue(v), cast));
    return values.length ? `ARRAY[${values.join(', ')}]` : `ARRAY[]::${cast ?? 'text'}[]`;
  };
  switch (op) {
    case 'eq':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return `${col} ${comparison[op]} ${one()}`;
    case 'neq':
      return `${col} IS DISTINCT FROM ${one()}`;
    case 'in':
      return `${col} = ANY(${list()})`;
    case 'notIn':
      return `(${col} IS NULL OR NOT (${col} = ANY(${list()})))`;
    case 'isNull':
      return value ? `${col} IS NULL` : `${col} IS NOT NULL`;
    case 'contains':
      return `${col} ILIKE ${context.params.add(`%${escapeLike(String(value))}%`, 'text')}`;
    case 'startsWith':
      return `${col} ILIKE ${context.params.add(`${escapeLike(String(value))}%`, 'text')}`;
    case 'endsWith':
      return `${col} ILIKE ${context.params.add(`%${escapeLike(String(value))}`, 'text')}`;
    case 'has':
      return `${col} @> ARRAY[${one()}]`;
    case 'hasAny':
      return `${col} && ${list()}`;
    case 'hasAll':
      return `${col} @> ${list()}`;
    case 'isEmpty':
      return value ? `cardinality(${col}) = 0` : `cardinality(${col}) > 0`;
  }
}

/** The join condition between a row of `object` (aliased `alias`) and a related row (aliased `target`). */
export function relationJoin(context: SqlFilterContext, object: ResolvedObject, relationName: string, alias: string, target: string): string {
  const relation = object.relations.get(relationName)!;
  const targetObject = context.catalog.target(relation);
  const workspace = visibleRows(context.workspace, targetObject, target);
  // A key may be a relation field's id kept in JSONB: `valueSql` reads it as its expression index does.
  if (relation.kind === 'toMany' || relation.keyOnTarget) {
    return `${valueSql(target, targetObject.fields.get(relation.key)!)} = ${column(alias, object.fields.get('id')!.column)} AND ${workspace}`;
  }
  return `${column(target, targetObject.fields.get('id')!.column)} = ${valueSql(alias, object.fields.get(relation.key)!)} AND ${workspace}`;
}

/**
 * The SQL condition of a validated filter on a row of `object` aliased `alias`. Semantics equal `prismaWhere`
 * (filter/prisma-where.ts): the differential tests run both. Relations become EXISTS subqueries, each filtered by workspace.
 */
export function filterSql(context: SqlFilterContext, object: ResolvedObject, node: FilterNode, alias: string): string {
  switch (node.kind) {
    case 'and':
      return node.items.length ? `(${node.items.map((n) => filterSql(context, object, n, alias)).join(' AND ')})` : 'TRUE';
    case 'or':
      return node.items.length ? `(${node.items.map((n) => filterSql(context, object, n, alias)).join(' OR ')})` : 'FALSE';
    case 'not':
      return `NOT ${filterSql(context, object, node.item, alias)}`;
    case 'compare':
      return compare(context, alias, node.field, node.op, node.value);
    case 'toOne': {
      const t = context.nextAlias();
      return `EXISTS (SELECT 1 FROM ${ident(node.target.model)} ${t} WHERE ${relationJoin(context, object, node.relation.name, alias, t)} AND ${filterSql(context, node.target, node.item, t)})`;
    }
    case 'toMany': {
      const t = context.nextAlias();
      const join = relationJoin(context, object, node.relation.name, alias, t);
      const inner = filterSql(context, node.target, node.item, t);
      if (node.quantifier === 'some') return `EXISTS (SELECT 1 FROM ${ident(node.target.model)} ${t} WHERE ${join} AND ${inner})`;
      if (node.quantifier === 'none') return `NOT EXISTS (SELECT 1 FROM ${ident(node.target.model)} ${t} WHERE ${join} AND ${inner})`;
      // every: no related row for which the condition is false (Prisma's NOT (…): an unknown outcome does not fail).
      return `NOT EXISTS (SELECT 1 FROM ${ident(node.target.model)} ${t} WHERE ${join} AND NOT ${inner})`;
    }
    case 'segment': {
      const s = context.nextAlias();
      // A trashed customer is in no segment (a STATIC segment keeps its row through the trash), trashed rows read or not.
      return `(${column(alias, 'deletedAt')} IS NULL AND EXISTS (SELECT 1 FROM "SegmentMember" ${s} WHERE ${s}."customerId" = ${column(alias, 'id')} AND ${s}."segmentId" = ${context.params.add(node.segmentId, 'uuid')} AND ${s}."workspaceId" = ${context.workspace}))`;
    }
  }
}
