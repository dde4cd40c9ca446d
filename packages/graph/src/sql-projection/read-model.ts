import type { PothosPrismaDatamodel } from '@pothos/plugin-prisma';
import {
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  GraphQLList,
  GraphQLObjectType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { trashableModels } from '@crm/db';
import type { OrderTerm } from './sql-text.js';

/** How a column's value becomes its GraphQL output, in SQL (see `scalarSql`). */
export type ScalarFormat = 'plain' | 'decimal' | 'datetime';

export type ProjectedField =
  | { kind: 'column'; column: string; format: ScalarFormat }
  | { kind: 'globalId'; typename: string; column: string }
  /** A to-one relation whose foreign key is on this row. */
  | { kind: 'toOne'; target: string; foreignKey: string }
  /** A to-many relation (list or connection): rows of `target` whose `childKey` is this row's id. */
  | { kind: 'list'; target: string; childKey: string; orderBy: OrderTerm[] }
  | { kind: 'connection'; target: string; childKey: string; orderBy: OrderTerm[]; totalCount: boolean };

export interface ProjectedType {
  typename: string;
  table: string;
  fields: ReadonlyMap<string, ProjectedField>;
  /** Columns that may be NULL (keyset pagination over them is left to Pothos). */
  nullable: ReadonlySet<string>;
  /** Rows of this table go to the trash (`trashableModels`): every read adds `"deletedAt" IS NULL`. */
  trashable: boolean;
}

/** The object types (and their fields) the SQL projection can answer; everything else goes through Pothos. */
export type ReadModel = ReadonlyMap<string, ProjectedType>;

type DatamodelField = PothosPrismaDatamodel['datamodel']['models'][string]['fields'][number];

const formats: Record<string, { format: ScalarFormat; graphql: readonly string[] }> = {
  String: { format: 'plain', graphql: ['String', 'ID'] },
  Int: { format: 'plain', graphql: ['Int'] },
  Boolean: { format: 'plain', graphql: ['Boolean'] },
  Json: { format: 'plain', graphql: ['JSON'] },
  Decimal: { format: 'decimal', graphql: ['Decimal'] },
  DateTime: { format: 'datetime', graphql: ['DateTime'] },
};

/** Options of relation fields that do not change what the field returns. */
const harmlessRelationOptions = new Set(['type', 'description', 'nullable', 'extensions', 'resolve', 'query', 'cursor', 'totalCount', 'args', 'deprecationReason']);

interface FieldExtensions {
  pothosExposedField?: string;
  /** Set by `orderedBy` (relation-order.ts). */
  relationOrder?: readonly Record<string, unknown>[];
  pothosPrismaRelationField?: DatamodelField;
  pothosOptions?: Record<string, unknown>;
}

function orderTerms(query: unknown): OrderTerm[] | null {
  if (query === undefined) return [];
  if (typeof query !== 'object' || query === null) return null; // a function of the arguments: not projectable
  const { orderBy, ...rest } = query as { orderBy?: unknown };
  if (Object.keys(rest).length) return null;
  const list = orderBy === undefined ? [] : Array.isArray(orderBy) ? orderBy : [orderBy];
  const terms: OrderTerm[] = [];
  for (const entry of list) {
    const pairs = Object.entries(entry as Record<string, unknown>);
    if (pairs.length !== 1) return null;
    const [name, direction] = pairs[0]!;
    if (direction !== 'asc' && direction !== 'desc') return null;
    terms.push({ column: name, direction });
  }
  return terms;
}

function scalarField(field: GraphQLField<unknown, unknown>, column: DatamodelField | undefined): ProjectedField | null {
  if (!column || column.kind === 'object' || field.args.length) return null;
  const named = getNamedType(field.type);
  if (column.kind === 'enum') return isEnumType(named) && !column.isList ? { kind: 'column', column: column.name, format: 'plain' } : null;
  const format = formats[column.type];
  if (!format || !format.graphql.includes(named.name)) return null;
  // Lists only of plain scalars (tags): PostgreSQL arrays become JSON arrays as they are.
  if (column.isList !== isListType(isNonNullType(field.type) ? field.type.ofType : field.type)) return null;
  if (column.isList && format.format !== 'plain') return null;
  return { kind: 'column', column: column.name, format: format.format };
}

function relationField(
  field: GraphQLField<unknown, unknown>,
  relation: DatamodelField,
  options: Record<string, unknown>,
  relationOrder: FieldExtensions['relationOrder'],
  datamodel: PothosPrismaDatamodel['datamodel'],
): ProjectedField | null {
  if (Object.keys(options).some((key) => !harmlessRelationOptions.has(key))) return null;
  const orderBy = orderTerms(relationOrder ? { orderBy: relationOrder } : options.query);
  if (!orderBy) return null;
  if (!relation.isList) {
    const foreignKey = relation.relationFromFields?.[0];
    return foreignKey && relation.relationFromFields?.length === 1 && !field.args.length
      ? { kind: 'toOne', target: relation.type, foreignKey }
      : null;
  }
  const back = datamodel.models[relation.type]?.fields.find(
    (f) => f.relationName === relation.relationName && f.kind === 'object' && (f.relationFromFields?.length ?? 0) === 1,
  );
  const childKey = back?.relationFromFields?.[0];
  if (!childKey) return null;
  const output = isNonNullType(field.type) ? field.type.ofType : field.type;
  if (output instanceof GraphQLList) return field.args.length ? null : { kind: 'list', target: relation.type, childKey, orderBy };
  // A related connection's query is private to Pothos: only one ordered with `orderedBy` (cursor `id`) is known.
  if (!relationOrder || !isObjectType(output) || !output.getFields().edges) return null;
  if (field.args.some((arg) => !['first', 'last', 'before', 'after'].includes(arg.name))) return null;
  return { kind: 'connection', target: relation.type, childKey, orderBy, totalCount: Boolean(output.getFields().totalCount) };
}

/**
 * Reads which fields the SQL projection can answer straight from the built schema: Pothos records, on each field it
 * built, whether it exposes a column (`t.expose*`) or a relation (`t.relation`, `t.relatedConnection`) and with which
 * query. Fields with their own resolvers (computed fields, plugins' fields) are simply absent, so an operation that
 * selects one is executed by Pothos as usual.
 */
export function readModelOf(schema: GraphQLSchema, datamodel: PothosPrismaDatamodel['datamodel']): ReadModel {
  const model = new Map<string, ProjectedType>();
  for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
    if (!(type instanceof GraphQLObjectType)) continue;
    const modelName = type.extensions.pothosPrismaModel as string | undefined;
    const prismaModel = modelName ? datamodel.models[modelName] : undefined;
    // Only workspace-owned tables: the projection filters every table by workspace.
    if (!modelName || !prismaModel?.fields.some((f) => f.name === 'workspaceId')) continue;
    const columns = new Map(prismaModel.fields.map((f) => [f.name, f]));
    const fields = new Map<string, ProjectedField>();
    // prismaNode types: the global id encodes the row's `id` (all of ours use `id: { field: 'id' }`).
    const idOption = (type.extensions.pothosOptions as { id?: { field?: unknown } } | undefined)?.id;
    const isNode = type.getInterfaces().some((i) => i.name === 'Node') && columns.get('id')?.isId === true;
    for (const field of Object.values(type.getFields())) {
      const extensions = field.extensions as FieldExtensions;
      let projected: ProjectedField | null = null;
      if (field.name === 'id' && isNode && (idOption?.field ?? 'id') === 'id' && !extensions.pothosExposedField) {
        projected = { kind: 'globalId', typename: type.name, column: 'id' };
      } else if (extensions.pothosExposedField) {
        projected = scalarField(field, columns.get(extensions.pothosExposedField));
      } else if (extensions.pothosPrismaRelationField) {
        projected = relationField(field, extensions.pothosPrismaRelationField, extensions.pothosOptions ?? {}, extensions.relationOrder, datamodel);
      }
      if (projected) fields.set(field.name, projected);
    }
    const nullable = new Set(prismaModel.fields.filter((f) => f.kind !== 'object' && !f.isRequired).map((f) => f.name));
    model.set(type.name, { typename: type.name, table: modelName, fields, nullable, trashable: trashableModels.includes(modelName) });
  }
  return model;
}

/** The object type a field returns, through non-null and list wrappers. */
export const objectTypeOf = (field: GraphQLField<unknown, unknown>): GraphQLObjectType | null => {
  const named = getNamedType(field.type);
  return named instanceof GraphQLObjectType ? named : null;
};

