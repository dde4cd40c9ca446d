// The read engine's per-field fallback (join-monster's lesson): when an operation has fields the engine cannot
// compile, the engine still answers everything else in its one statement, and graphql executes the operation over
// that answer. Every resolver of the schema is wrapped here: on an object the engine built it returns the engine's
// value for its response key; a field the engine left out runs its own resolver with the Prisma-shaped row the engine
// sent alongside (`#row`), so a computed field or a plugin's field resolves exactly as it would under Pothos.
import { setRowFieldMapping } from '@pothos/selection-mapper';
import {
  defaultFieldResolver,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  isInterfaceType,
  isObjectType,
  isUnionType,
} from 'graphql';
import { catalogOf } from '../objects/catalog-of.js';
import { reviveParentRow } from './parent-row.js';

/** Keys of the engine's JSON objects that no response key can take (GraphQL names are `[_A-Za-z][_0-9A-Za-z]*`). */
export const ENGINE_MARK = '#';
export const ENGINE_ROW = '#row';
export const ENGINE_TYPE = '#type';

type EngineObject = Record<string, unknown>;

const answers = new WeakMap<object, EngineObject>();

/** Hands the engine's `data` (compiled with fields left to their resolvers) to this request's execution. */
export function answerWithEngine(context: object, data: EngineObject): void {
  answers.set(context, data);
}

const isEngineObject = (value: unknown): value is EngineObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && ENGINE_MARK in value;

const rows = new WeakMap<EngineObject, Record<string, unknown>>();

/** The Prisma row behind an engine object of type `typename`, revived once per object. */
function parentRowOf(source: EngineObject, typename: string, schema: GraphQLSchema): unknown {
  const json = source[ENGINE_ROW] as Record<string, unknown> | undefined;
  if (!json) return source;
  let row = rows.get(source);
  if (!row) {
    const catalog = catalogOf(schema);
    row = reviveParentRow(catalog.has(typename) ? catalog.get(typename).model : typename, json);
    rows.set(source, row);
  }
  return row;
}

/**
 * plugin-prisma loads a field's declared `select` through its model loader unless the parent row is known to hold
 * it. The engine's row holds every column, so a field selecting only columns (`select: { id: true }`) resolves from
 * it without a second load; a field selecting relations still loads them (batched, by plugin-prisma).
 */
function selectsColumnsOnly(field: GraphQLField<unknown, unknown>): boolean {
  const select = (field.extensions as { pothosPrismaSelect?: unknown }).pothosPrismaSelect;
  return typeof select === 'object' && select !== null && Object.values(select).every((v) => v === true);
}

function wrap(field: GraphQLField<unknown, unknown>, isRoot: boolean): GraphQLFieldResolver<unknown, object> {
  const resolve = field.resolve ?? defaultFieldResolver;
  const columnsOnly = selectsColumnsOnly(field);
  const deferred = (source: EngineObject, args: Record<string, unknown>, context: object, info: GraphQLResolveInfo) => {
    if (isRoot) return resolve(undefined, args, context, info);
    const parent = parentRowOf(source, info.parentType.name, info.schema);
    if (columnsOnly) setRowFieldMapping(context, info, { nested: {} }, parent);
    return resolve(parent, args, context, info);
  };
  return (source, args, context, info) => {
    const answer = isRoot ? answers.get(context) : isEngineObject(source) ? source : undefined;
    if (!answer) return resolve(source, args, context, info);
    const key = info.path.key as string;
    return key in answer ? answer[key] : deferred(answer, args, context, info);
  };
}

/** Makes every resolver of `schema` answer from the engine's JSON where the engine built it (see above). */
export function answerFromEngine(schema: GraphQLSchema): GraphQLSchema {
  const queryType = schema.getQueryType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type)) {
      if (type === schema.getMutationType() || type === schema.getSubscriptionType()) continue;
      for (const field of Object.values(type.getFields())) field.resolve = wrap(field, type === queryType);
      const isTypeOf = type.isTypeOf;
      if (isTypeOf) type.isTypeOf = (value, context, info) => (isEngineObject(value) ? (value[ENGINE_TYPE] ?? type.name) === type.name : isTypeOf(value, context, info));
    } else if (isInterfaceType(type) || isUnionType(type)) {
      const resolveType = type.resolveType;
      if (resolveType) {
        type.resolveType = (value, context, info, abstractType) =>
          isEngineObject(value) && typeof value[ENGINE_TYPE] === 'string' ? (value[ENGINE_TYPE] as string) : resolveType(value, context, info, abstractType);
      }
    }
  }
  return schema;
}
