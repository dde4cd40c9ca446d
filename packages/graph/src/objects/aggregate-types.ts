import { CrmError, type FilterNode, isNumeric, type ObjectCatalog, type ResolvedField, type ResolvedObject, screaming } from '@crm/core';
import { type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo, getNamedType } from 'graphql';
import { getArgumentValues } from 'graphql/execution/values.js';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { GraphContext } from '../context.js';
import { type AggregateFunction, type AggregateSelection, aggregateStatement } from '../engine/aggregate-sql.js';
import { SqlParams } from '../engine/sql-text.js';
import { collectFields, type SelectionContext, subSelections } from '../engine/selection.js';
import { readable } from './list-arguments.js';

/** The aggregates of a set of rows as the engine returns them (keyed by function, then field name). */
export interface AggregateValues {
  count: number;
  countDistinct?: Record<string, number>;
  sum?: Record<string, unknown>;
  avg?: Record<string, unknown>;
  min?: Record<string, unknown>;
  max?: Record<string, unknown>;
}

type ObjectRef = ReturnType<Builder['objectRef']>;
type EnumRef = ReturnType<Builder['enumType']>;

const scalarOf = (field: ResolvedField): string =>
  ({ decimal: 'Decimal', datetime: 'DateTime', date: 'Date', int: 'Int', bigint: 'Float', float: 'Float' })[field.kind as 'decimal'] ?? 'String';

/**
 * `XAggregate` (count, countDistinct, sum, avg, min, max over a filtered set) for every declared object, and how a
 * connection's `aggregate` field is answered: the selection is read, then ONE SQL statement computes what it asks.
 */
export class AggregateTypes {
  readonly #types = new Map<string, ObjectRef>();
  readonly #distinct = new Map<string, EnumRef>();

  constructor(
    private readonly builder: Builder,
    private readonly catalog: ObjectCatalog,
  ) {}

  /** The enum of an object's fields that `countDistinct` and group-by take. */
  fieldEnum(object: ResolvedObject, purpose: 'Distinct' | 'Group'): EnumRef {
    const key = `${object.name}${purpose}`;
    const found = this.#distinct.get(key);
    if (found) return found;
    const fields = [...object.fields.values()].filter((f) =>
      purpose === 'Group' ? f.group : f.filter && f.kind !== 'json' && f.kind !== 'stringList',
    );
    const ref = this.builder.enumType(`${object.name}${purpose}Field`, {
      values: Object.fromEntries(fields.map((f) => [screaming(f.name), { value: f.name, description: f.description }])),
    });
    this.#distinct.set(key, ref);
    return ref;
  }

  type(objectName: string): ObjectRef {
    const found = this.#types.get(objectName);
    if (found) return found;
    const object = this.catalog.get(objectName);
    const numbers = [...object.fields.values()].filter((f) => f.aggregate && isNumeric(f.kind));
    const ranged = [...object.fields.values()].filter((f) => f.aggregate && (isNumeric(f.kind) || f.kind === 'datetime' || f.kind === 'date'));
    const part = (suffix: string, fn: AggregateFunction, fields: ResolvedField[], type: (f: ResolvedField) => string) =>
      fields.length
        ? this.builder.objectRef<Record<string, unknown>>(`${object.name}${suffix}`).implement({
            fields: (t) =>
              Object.fromEntries(
                fields.map((f) => [f.name, t.field({ type: type(f) as 'String', nullable: true, resolve: (values) => values[f.name] as never })]),
              ),
          })
        : null;
    const sum = part('SumAggregate', 'sum', numbers, (f) => (f.kind === 'decimal' ? 'Decimal' : 'Float'));
    const avg = part('AvgAggregate', 'avg', numbers, (f) => (f.kind === 'decimal' ? 'Decimal' : 'Float'));
    const range = part('RangeAggregate', 'min', ranged, scalarOf);
    const distinct = this.fieldEnum(object, 'Distinct');
    const ref = this.builder.objectRef<AggregateValues>(`${object.name}Aggregate`).implement({
      description: `Aggregates over the ${object.name} rows the list's filter selects (all of them, not one page).`,
      fields: (t) => ({
        count: t.int({ resolve: (v) => v.count }),
        countDistinct: t.int({
          args: { field: t.arg({ type: distinct, required: true }) },
          description: 'Distinct non-empty values of the field.',
          resolve: (v, args) => v.countDistinct?.[args.field as string] ?? 0,
        }),
        ...(sum ? { sum: t.field({ type: sum, resolve: (v) => v.sum ?? {} }) } : {}),
        ...(avg ? { avg: t.field({ type: avg, resolve: (v) => v.avg ?? {} }) } : {}),
        ...(range
          ? {
              min: t.field({ type: range, resolve: (v) => v.min ?? {} }),
              max: t.field({ type: range, resolve: (v) => v.max ?? {} }),
            }
          : {}),
      }),
    });
    this.#types.set(objectName, ref as unknown as ObjectRef);
    return ref as unknown as ObjectRef;
  }
}

/** What an `aggregate` selection asks for (fields the caller may not read are FORBIDDEN). */
export function aggregateSelection(object: ResolvedObject, info: GraphQLResolveInfo, ctx: GraphContext): AggregateSelection {
  const type = getNamedType(info.returnType) as GraphQLObjectType;
  return selectionOfAggregate(object, type, info.fieldNodes, { fragments: info.fragments, variables: info.variableValues }, readable(ctx));
}

/** The aggregates the selection `nodes` on the `XAggregate` type asks for. */
export function selectionOfAggregate(
  object: ResolvedObject,
  type: GraphQLObjectType,
  nodes: readonly FieldNode[],
  context: SelectionContext,
  canRead: (field: ResolvedField) => boolean,
): AggregateSelection {
  const selection: AggregateSelection = { count: false, countDistinct: [], sum: [], avg: [], min: [], max: [] };
  const use = (fn: AggregateFunction, name: string) => {
    const field = object.fields.get(name);
    if (!field || !canRead(field)) throw new CrmError('BAD_USER_INPUT', `aggregate.${fn}: ${name} is hidden from your API key's role`, `aggregate.${fn}.${name}`);
    selection[fn].push(name);
  };
  for (const [, fieldNodes] of collectFields(type, subSelections(nodes), context)) {
    const name = fieldNodes[0]!.name.value;
    if (name === 'count') selection.count = true;
    else if (name === 'countDistinct') {
      for (const node of fieldNodes) use('countDistinct', getArgumentValues(type.getFields().countDistinct!, node, context.variables as Record<string, unknown>).field as string);
    } else if (name === 'sum' || name === 'avg' || name === 'min' || name === 'max') {
      const inner = getNamedType(type.getFields()[name]!.type) as GraphQLObjectType;
      for (const [, innerNodes] of collectFields(inner, subSelections(fieldNodes), context)) {
        if (innerNodes[0]!.name.value !== '__typename') use(name, innerNodes[0]!.name.value);
      }
    }
  }
  return selection;
}

/** Runs the aggregate statement of one set of rows. */
export async function loadAggregate(
  catalog: ObjectCatalog,
  object: ResolvedObject,
  filter: FilterNode,
  selection: AggregateSelection,
  ctx: GraphContext,
): Promise<AggregateValues> {
  const caller = callerOf(ctx);
  const params = new SqlParams();
  let n = 0;
  const sql = aggregateStatement({ catalog, params, workspace: params.add(caller.session.workspaceId, 'uuid'), nextAlias: () => `g${++n}`, permissions: ctx.permissions }, object, filter, selection);
  const rows = await caller.db.$queryRawUnsafe<{ data: string }[]>(sql, ...params.values);
  return JSON.parse(rows[0]!.data) as AggregateValues;
}
