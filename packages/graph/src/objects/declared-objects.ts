import {
  wholeNumber,
  and,
  type FilterNode,
  type ObjectCatalog,
  type OrderTerm,
  prismaOrderBy,
  prismaWhere,
  type ResolvedField,
  type ResolvedObject,
  type ResolvedRelation,
} from '@crm/core';
import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { GraphContext } from '../context.js';
import { type AggregateSelection, aggregateStatement } from '../engine/aggregate-sql.js';
import { SqlParams } from '../engine/sql-text.js';
import { rowId } from '../ids.js';
import { AggregateTypes, type AggregateValues, aggregateSelection, loadAggregate } from './aggregate-types.js';
import { registerGroupBy } from './group-by.js';
import { type ListArguments, listQuery } from './list-arguments.js';
import { keysetPage, type PageQuery } from './keyset-page.js';
import { delegateOf } from './model-delegate.js';
import { ObjectInputs } from './object-inputs.js';
import { CustomFieldInputs } from './custom-field-inputs.js';
import { searchCondition } from './search.js';

type EnumRef = ReturnType<Builder['enumType']>;
/** Pothos' field builder of a prisma object (typed loosely: the model is chosen at run time). */
type PrismaFieldBuilder = PothosSchemaTypes.PrismaObjectFieldBuilder<never, never, never>;
type Fields = Record<string, unknown>;


/**
 * The GraphQL side of the declared object model: each declared object becomes its type (the declared fields and
 * relations exposed through Pothos' prisma plugin), its by-id and list root fields, its filter, order, aggregate and
 * group-by, all derived from the one declaration in @crm/core. Modules add only what is not data (computed fields,
 * mutations).
 */
export class DeclaredObjects {
  readonly inputs: ObjectInputs;
  readonly aggregates: AggregateTypes;
  readonly customFieldInputs: CustomFieldInputs;
  /** Each registered object's GraphQL type (a custom object's is a variant of the shared model). */
  readonly #refs = new Map<string, unknown>();

  constructor(
    readonly builder: Builder,
    readonly catalog: ObjectCatalog,
    readonly enums: Readonly<Record<string, EnumRef>>,
    direction: EnumRef,
  ) {
    this.inputs = new ObjectInputs(builder, catalog, enums, direction);
    this.aggregates = new AggregateTypes(builder, catalog);
    this.customFieldInputs = new CustomFieldInputs(builder, catalog);
  }

  /**
   * Registers the declared object's GraphQL type, and its root fields when it declares `single`/`plural`. Modules add
   * computed fields with `builder.prismaObjectFields(name, …)`.
   */
  register(name: string) {
    const object = this.catalog.get(name);
    const fields = (t: PrismaFieldBuilder): Fields => this.#declaredFields(t, object);
    const shared = object.sharedTable;
    // An object in a shared table (a custom object in CustomRecord) is a variant of its model, named after it; its
    // `node` lookup names its own rows only.
    const options = { description: object.description, fields, ...(shared ? { variant: object.name } : {}) };
    const ref = object.node
      ? this.builder.prismaNode(
          object.model as never,
          { ...options, id: { field: 'id' }, ...(shared ? { findUnique: (id: string) => ({ id, [shared.column]: shared.value }) } : {}) } as never,
        )
      : this.builder.prismaObject(object.model as never, options as never);
    this.#refs.set(object.name, ref);
    if (object.single || object.plural) this.#rootFields(object);
    if (object.plural) registerGroupBy(this, object);
    return ref;
  }

  /** The registered GraphQL type of a declared object (what Pothos fields name as their type). */
  refOf(name: string): unknown {
    return this.#refs.get(name) ?? this.catalog.get(name).model;
  }

  /**
   * Prisma conditions every read of `object` through Pothos adds beyond the scoped client's: for an object in a shared
   * table, its own rows, and the key's row rules (the data layer governs tables, and this one is shared; the read
   * engine applies the same rules in SQL through `visibleRows` and `permittedRows`).
   */
  ownRows(object: ResolvedObject, ctx: GraphContext): object | null {
    const shared = object.sharedTable;
    if (!shared) return null;
    const rule = ctx.permissions?.rowFilter(object);
    return { [shared.column]: shared.value, ...(rule ? { AND: [prismaWhere(rule)] } : {}) };
  }

  #withOwnRows(object: ResolvedObject, ctx: GraphContext, where: object): object {
    const own = this.ownRows(object, ctx);
    return own ? { AND: [where, own] } : where;
  }

  #scalar(t: PrismaFieldBuilder, field: ResolvedField): unknown {
    const options = { nullable: field.nullable, description: field.description, ...(field.read !== 'READ_ONLY' && !field.nullable ? { authScopes: { [field.read === 'ADMIN' ? 'admin' : 'member']: true } } : {}) };
    const tb = t as unknown as { expose: (c: string, o: object) => unknown; field: (o: object) => unknown };
    const { stored } = field;
    // A custom field reads its value from the row's JSONB column (stored as its scalar serialises it). A nullable field
    // the caller does not read is null (docs/security.md, "Hidden fields"); the read engine agrees.
    const value = (row: Record<string, unknown>) =>
      stored ? ((row[stored.json] as Record<string, unknown> | null)?.[stored.key] ?? (field.kind === 'stringList' ? [] : null)) : row[field.column];
    const expose = (type: unknown) =>
      stored || field.nullable
        ? tb.field({
            ...options,
            type,
            resolve: (row: Record<string, unknown>, _args: unknown, ctx: GraphContext) => (!field.nullable || ctx.permissions?.canReadField(field) ? value(row) : null),
          })
        : tb.expose(field.column, { ...options, type });
    switch (field.kind) {
      case 'string':
        return expose('String');
      case 'int':
        return expose('Int');
      case 'float':
        return expose('Float');
      case 'bigint':
        // Prisma reads a BigInt column as a bigint, which the Float scalar does not take.
        return tb.field({ ...options, type: 'Float', resolve: (row: Record<string, unknown>) => wholeNumber(value(row) as bigint | null) });
      case 'boolean':
        return expose('Boolean');
      case 'decimal':
        return expose('Decimal');
      case 'datetime':
        return expose('DateTime');
      case 'date':
        return expose('Date');
      case 'json':
        return expose('JSON');
      case 'stringList':
        return expose(['String']);
      case 'enum':
        return expose(this.inputs.enumRef(field.enum!));
      default:
        return null;
    }
  }

  #declaredFields(t: PrismaFieldBuilder, object: ResolvedObject): Fields {
    const fields: Fields = {};
    for (const field of object.fields.values()) {
      if (!field.expose || field.kind === 'id' || field.kind === 'reference') continue;
      fields[field.name] = this.#scalar(t, field);
    }
    const tb = t as unknown as {
      relation: (name: string, options: object) => unknown;
      relatedConnection: (name: string, options: object, connection?: object) => unknown;
      arg: Builder['args'] extends never ? never : (options: object) => unknown;
    };
    for (const relation of object.relations.values()) {
      if (!relation.expose) continue;
      const target = this.catalog.target(relation);
      if (relation.custom) {
        fields[relation.graphqlName] = this.#customRelationField(t, object, relation, target);
        continue;
      }
      if (relation.kind === 'toOne') {
        fields[relation.graphqlName] = tb.relation(relation.name, { nullable: relation.nullable, description: relation.description });
      } else if (!relation.connection) {
        const order = prismaOrderBy(this.catalog, target, relation.order ?? [...target.defaultOrder, { field: 'id', direction: 'asc' }]);
        fields[relation.graphqlName] = tb.relation(relation.name, { description: relation.description, query: { orderBy: order } });
      } else {
        fields[relation.graphqlName] = tb.relatedConnection(
          relation.name,
          {
            cursor: 'id',
            totalCount: true,
            description: relation.description,
            args: this.#listArgs(t as never, target, false),
            query: (args: ListArguments, ctx: GraphContext) => {
              const { filter, order } = listQuery(this.catalog, target, { ...args, orderBy: args.orderBy ?? null }, ctx);
              const ordered = args.orderBy?.length ? order : relation.order ? [...relation.order, { field: 'id', direction: relation.order[0]!.direction }] : order;
              return { where: prismaWhere(filter), orderBy: prismaOrderBy(this.catalog, target, ordered) };
            },
          },
          { fields: (c: PothosSchemaTypes.ObjectFieldBuilder<never, never>) => ({ aggregate: this.#nestedAggregateField(c, object, relation, target) }) },
        );
      }
    }
    return fields;
  }

  /**
   * A relation kept by a relation custom field (no Prisma relation): the to-one side loads its record by id (batched
   * per request), the reverse side is a connection over the records whose value is the parent's id. The read engine
   * answers both in its statement; these resolvers serve mutation payloads and the operations it declines.
   */
  #customRelationField(t: PrismaFieldBuilder, object: ResolvedObject, relation: ResolvedRelation, target: ResolvedObject): unknown {
    const tb = t as unknown as { field: (o: object) => unknown; prismaConnection: (o: object, c?: object) => unknown };
    if (relation.kind === 'toOne') {
      const key = object.fields.get(relation.key)!;
      return tb.field({
        type: this.refOf(target.name),
        nullable: true,
        description: relation.description,
        resolve: (row: Record<string, unknown>, _args: unknown, ctx: GraphContext) => {
          const id = (row[key.stored!.json] as Record<string, unknown> | null)?.[key.stored!.key];
          return typeof id === 'string' ? recordLoader(ctx, this, target).load(id) : null;
        },
      });
    }
    const key = target.fields.get(relation.key)!;
    const childrenOf = (ids: readonly string[]) => ({ OR: ids.map((id) => ({ [key.stored!.json]: { path: [key.stored!.key], equals: id } })) });
    type Paged = ListArguments & { after?: unknown; before?: unknown; last?: unknown };
    return tb.prismaConnection({
      type: this.refOf(target.name),
      cursor: 'id',
      description: relation.description,
      args: this.#listArgs(t as never, target, false),
      resolve: async (query: PageQuery, parent: { id: string }, args: Paged, ctx: GraphContext) => {
        const { filter, order } = listQuery(this.catalog, target, args, ctx);
        const orderBy = prismaOrderBy(this.catalog, target, order);
        const where = (ids: readonly string[]) => this.#withOwnRows(target, ctx, { AND: [prismaWhere(filter), childrenOf(ids)] });
        // Paging within one parent: its own query. A first page: one query for the page of parents (no N+1).
        if (args.after != null || args.before != null || args.last != null) return keysetPage(this.catalog, target, delegateOf(ctx, target.model)!, query, where([parent.id]), order);
        const batchKey = `${object.name}.${relation.name}:${JSON.stringify([args.filter ?? null, args.orderBy ?? null, query.take ?? null])}`;
        return nestedRowsLoader(ctx, batchKey, async (ids) => {
          const { take: _take, skip: _skip, cursor: _cursor, ...shape } = query;
          const rows = (await delegateOf(ctx, target.model)!.findMany({ ...shape, where: where(ids), orderBy })) as Record<string, unknown>[];
          const byParent = new Map<string, Record<string, unknown>[]>(ids.map((id) => [id, []]));
          for (const row of rows) byParent.get((row[key.stored!.json] as Record<string, string>)[key.stored!.key]!)?.push(row);
          return ids.map((id) => (query.take === undefined ? byParent.get(id)! : byParent.get(id)!.slice(0, query.take)));
        }).load(parent.id);
      },
      // Counted per page of parents in one statement (the nested aggregate's loader).
      totalCount: async (parent: { id: string }, args: ListArguments, ctx: GraphContext) => {
        const { filter } = listQuery(this.catalog, target, args, ctx);
        const selection = { count: true, countDistinct: [], sum: [], avg: [], min: [], max: [] };
        const loaderKey = `${object.name}.${relation.name}:count:${JSON.stringify(args.filter ?? null)}`;
        const counted = await nestedLoader(ctx, loaderKey, (ids) => loadNestedAggregates(this.catalog, target, relation, filter, selection, ids, ctx)).load(parent.id);
        return counted.count ?? 0;
      },
    },
    { fields: (c: PothosSchemaTypes.ObjectFieldBuilder<never, never>) => ({ aggregate: this.#nestedAggregateField(c, object, relation, target) }) });
  }

  /** `filter`, `orderBy` (and on root lists `search`) arguments of a list of `object`. */
  #listArgs(t: PothosSchemaTypes.FieldBuilder<never, never>, object: ResolvedObject, root: boolean) {
    const tb = t as unknown as { arg: (options: object) => unknown };
    const searchable = [...object.fields.values()].some((f) => f.search);
    return {
      filter: tb.arg({ type: this.inputs.filter(object.name) }),
      orderBy: tb.arg({ type: [this.inputs.order(object.name)] }),
      ...(root && searchable
        ? { search: tb.arg({ type: 'String', description: 'Full-text search over the searchable fields (any word order, prefixes, typos tolerated).' }) }
        : {}),
    };
  }

  /** The validated filter of a root list's arguments, with its search as one more condition. */
  async rootFilter(object: ResolvedObject, args: ListArguments, ctx: GraphContext): Promise<{ filter: FilterNode; where: object; order: OrderTerm[] }> {
    const { filter, order } = listQuery(this.catalog, object, args, ctx);
    const search = args.search ? await searchCondition(this.catalog, object, args.search, ctx) : null;
    const combined = search ? and(filter, search) : filter;
    return { filter: combined, where: this.#withOwnRows(object, ctx, prismaWhere(combined)), order };
  }

  #rootFields(object: ResolvedObject) {
    const aggregateType = this.aggregates.type(object.name);
    this.builder.queryFields((t) => {
      const fields: Fields = {};
      if (object.single) {
        fields[object.single] = t.prismaField({
          type: this.refOf(object.name) as never,
          nullable: true,
          authScopes: { authenticated: true },
          args: { id: t.arg.id({ required: true }) },
          resolve: (query: object, _root: unknown, args: { id: string }, ctx: GraphContext) => {
            const id = rowId(args.id, object.name, 'id');
            const own = this.ownRows(object, ctx);
            return own
              ? delegateOf(ctx, object.model)!.findFirst({ ...query, where: { id, ...own } })
              : delegateOf(ctx, object.model)!.findUnique({ ...query, where: { id } });
          },
        } as never);
      }
      if (object.plural) {
        fields[object.plural] = t.prismaConnection(
          {
            type: this.refOf(object.name) as never,
            cursor: 'id',
            authScopes: { authenticated: true },
            args: this.#listArgs(t as never, object, true),
            resolve: async (query: PageQuery, _root: unknown, args: ListArguments, ctx: GraphContext) => {
              const { where, order } = await this.rootFilter(object, args, ctx);
              return keysetPage(this.catalog, object, delegateOf(ctx, object.model)!, query, where, order);
            },
            totalCount: async (_c: unknown, args: ListArguments, ctx: GraphContext) =>
              delegateOf(ctx, object.model)!.count({ where: (await this.rootFilter(object, args, ctx)).where }),
          } as never,
          {
            fields: (c: PothosSchemaTypes.ObjectFieldBuilder<never, { args: ListArguments }>) => ({
              aggregate: c.field({
                type: aggregateType as never,
                description: 'Aggregates over every row the filter and search select.',
                resolve: async (connection: { args: ListArguments }, _args: unknown, ctx: GraphContext, info: GraphQLResolveInfo) => {
                  const { filter } = await this.rootFilter(object, connection.args, ctx);
                  return loadAggregate(this.catalog, object, filter, aggregateSelection(object, info, ctx), ctx) as never;
                },
              } as never),
            }),
          } as never,
        );
      }
      return fields as never;
    });
  }

  #nestedAggregateField(c: PothosSchemaTypes.ObjectFieldBuilder<never, never>, parent: ResolvedObject, relation: ResolvedRelation, target: ResolvedObject) {
    return (c as unknown as { field: (o: object) => unknown }).field({
      type: this.aggregates.type(target.name),
      description: `Aggregates over every related ${target.name} the filter selects.`,
      resolve: (connection: { parent: { id: string }; args: ListArguments }, _args: unknown, ctx: GraphContext, info: GraphQLResolveInfo) => {
        const { filter } = listQuery(this.catalog, target, connection.args, ctx);
        const selection = aggregateSelection(target, info, ctx);
        const key = `${parent.name}.${relation.name}:${JSON.stringify(connection.args.filter ?? null)}:${JSON.stringify(selection)}`;
        return nestedLoader(ctx, key, (ids) => loadNestedAggregates(this.catalog, target, relation, filter, selection, ids, ctx)).load(connection.parent.id);
      },
    });
  }
}

/** Per request and object: the records a page of to-one custom relations names, loaded in one statement. */
const recordLoaders = new WeakMap<GraphContext, Map<string, DataLoader<string, unknown>>>();

function recordLoader(ctx: GraphContext, objects: DeclaredObjects, target: ResolvedObject): DataLoader<string, unknown> {
  let byObject = recordLoaders.get(ctx);
  if (!byObject) recordLoaders.set(ctx, (byObject = new Map()));
  let loader = byObject.get(target.name);
  if (!loader) {
    loader = new DataLoader(async (ids: readonly string[]) => {
      const own = objects.ownRows(target, ctx);
      const where = { id: { in: [...ids] }, ...(own ? { AND: [own] } : {}) };
      const rows = (await delegateOf(ctx, target.model)!.findMany({ where })) as { id: string }[];
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    byObject.set(target.name, loader);
  }
  return loader;
}

/** Per request: the rows of a custom reverse connection for a page of parents, one statement per (relation, arguments). */
const rowLoaders = new WeakMap<GraphContext, Map<string, DataLoader<string, unknown[]>>>();

function nestedRowsLoader(ctx: GraphContext, key: string, batch: (ids: readonly string[]) => Promise<unknown[][]>) {
  let byKey = rowLoaders.get(ctx);
  if (!byKey) rowLoaders.set(ctx, (byKey = new Map()));
  let loader = byKey.get(key);
  if (!loader) byKey.set(key, (loader = new DataLoader(batch, { maxBatchSize: 100 })));
  return loader;
}

/** Per request: one loader per (relation, filter, selection), so a page of parents costs one statement. */
const loaders = new WeakMap<GraphContext, Map<string, DataLoader<string, AggregateValues>>>();

function nestedLoader(ctx: GraphContext, key: string, batch: (ids: readonly string[]) => Promise<AggregateValues[]>) {
  let byKey = loaders.get(ctx);
  if (!byKey) loaders.set(ctx, (byKey = new Map()));
  let loader = byKey.get(key);
  if (!loader) byKey.set(key, (loader = new DataLoader(batch, { maxBatchSize: 100 })));
  return loader;
}

async function loadNestedAggregates(
  catalog: ObjectCatalog,
  target: ResolvedObject,
  relation: ResolvedRelation,
  filter: FilterNode,
  selection: AggregateSelection,
  ids: readonly string[],
  ctx: GraphContext,
): Promise<AggregateValues[]> {
  const caller = callerOf(ctx);
  const params = new SqlParams();
  let n = 0;
  const context = { catalog, params, workspace: params.add(caller.session.workspaceId, 'uuid'), nextAlias: () => `g${++n}`, permissions: ctx.permissions };
  const sql = aggregateStatement(context, target, filter, selection, { key: target.fields.get(relation.key)!, ids });
  const rows = await caller.db.$queryRawUnsafe<{ parent: string; data: string }[]>(sql, ...params.values);
  const found = new Map(rows.map((r) => [r.parent, JSON.parse(r.data) as AggregateValues]));
  return ids.map((id) => found.get(id) ?? { count: 0 });
}
