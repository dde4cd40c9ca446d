import { badInput, CrmError, isNumeric, type ResolvedField, type ResolvedObject, screaming } from '@crm/core';
import type { GraphQLObjectType, GraphQLResolveInfo } from 'graphql';
import { getNamedType } from 'graphql';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { GraphContext } from '../context.js';
import { type DateTruncation, dateTruncations, type GroupKey, type GroupOrder, groupByStatement, groupLimits } from '../engine/aggregate-sql.js';
import { SqlParams } from '../engine/sql-text.js';
import { type AggregateValues, aggregateSelection } from './aggregate-types.js';
import type { DeclaredObjects } from './declared-objects.js';
import { type ListArguments, readable } from './list-arguments.js';

interface GroupRow {
  key: Record<string, unknown>;
  aggregate: AggregateValues;
}

export interface GroupArgs extends ListArguments {
  by: readonly { field: string; truncate?: DateTruncation | null }[];
  orderBy?: readonly { field: string; direction?: 'ASC' | 'DESC' | null }[] | null;
  first?: number | null;
}

const truncations = new WeakMap<Builder, ReturnType<Builder['enumType']>>();

function truncationEnum(builder: Builder) {
  let ref = truncations.get(builder);
  if (!ref) {
    ref = builder.enumType('DateTruncation', { description: 'The unit a date group-by key is truncated to (UTC).', values: dateTruncations });
    truncations.set(builder, ref);
  }
  return ref;
}

/**
 * `<plural>GroupBy(filter, search, by, order, first)`: the filtered rows grouped by 1–3 declared groupable fields
 * (dates truncated to a unit), each group with the same aggregates as a list's `aggregate`. One SQL statement.
 */
export function registerGroupBy(objects: DeclaredObjects, object: ResolvedObject) {
  const { builder } = objects;
  const groupable = [...object.fields.values()].filter((f) => f.group);
  if (!groupable.length) return;
  const fieldEnum = objects.aggregates.fieldEnum(object, 'Group');
  const aggregateType = objects.aggregates.type(object.name);
  const truncation = truncationEnum(builder);
  const scalar = (kind: string) => ({ decimal: 'Decimal', datetime: 'DateTime', date: 'Date', int: 'Int', bigint: 'Float', float: 'Float', boolean: 'Boolean', reference: 'ID', id: 'ID' })[kind] ?? 'String';
  const keyType = builder.objectRef<Record<string, unknown>>(`${object.name}GroupKey`).implement({
    description: 'The values of the group-by keys (null is a group of its own).',
    fields: (t) =>
      Object.fromEntries(
        groupable.map((f) => [
          f.name,
          t.field({
            type: (f.kind === 'enum' ? objects.inputs.enumRef(f.enum!) : scalar(f.kind)) as 'String',
            nullable: true,
            resolve: (key) => key[f.name] as never,
          }),
        ]),
      ),
  });
  const groupType = builder.objectRef<GroupRow>(`${object.name}Group`).implement({
    fields: (t) => ({
      key: t.field({ type: keyType, resolve: (g) => g.key }),
      aggregate: t.field({ type: aggregateType as never, resolve: (g) => g.aggregate as never }),
    }),
  });
  const byInput = builder.inputType(`${object.name}GroupBy`, {
    fields: (t) => ({
      field: t.field({ type: fieldEnum, required: true }),
      truncate: t.field({ type: truncation, description: 'Date fields only. @default DAY' }),
    }),
  });
  const numbers = [...object.fields.values()].filter((f) => f.aggregate && isNumeric(f.kind));
  const orderValues: Record<string, { value: string }> = { COUNT: { value: 'count' } };
  for (const f of groupable) orderValues[`KEY_${screaming(f.name)}`] = { value: `key:${f.name}` };
  for (const fn of ['sum', 'avg', 'min', 'max']) for (const f of numbers) orderValues[`${fn.toUpperCase()}_${screaming(f.name)}`] = { value: `${fn}:${f.name}` };
  const orderField = builder.enumType(`${object.name}GroupOrderField`, { values: orderValues });
  const orderInput = builder.inputType(`${object.name}GroupOrder`, {
    fields: (t) => ({
      field: t.field({ type: orderField, required: true }),
      direction: t.field({ type: objects.inputs.enumRef('OrderDirection'), required: true, defaultValue: 'DESC' as never }),
    }),
  });

  builder.queryField(`${object.plural}GroupBy`, (t) =>
    t.field({
      type: [groupType],
      authScopes: { authenticated: true },
      description: `${object.name} rows grouped by up to ${groupLimits.keys} keys, with aggregates per group (keys ascending unless \`orderBy\` says otherwise).`,
      args: {
        filter: t.arg({ type: objects.inputs.filter(object.name) as never }),
        ...([...object.fields.values()].some((f) => f.search) ? { search: t.arg.string() } : {}),
        by: t.arg({ type: [byInput], required: true }),
        orderBy: t.arg({ type: [orderInput] }),
        first: t.arg.int({ defaultValue: groupLimits.defaultGroups, description: `At most ${groupLimits.groups} groups.` }),
      },
      resolve: async (_root, rawArgs, ctx: GraphContext, info: GraphQLResolveInfo) => {
        const args = rawArgs as unknown as GroupArgs;
        const { filter } = await objects.rootFilter(object, { filter: args.filter, search: args.search }, ctx);
        const { keys, order } = groupQuery(object, args, readable(ctx));
        const groupField = (getNamedType(info.returnType) as GraphQLObjectType).getFields().aggregate!;
        const aggregateInfo = { ...info, returnType: groupField.type, fieldNodes: aggregateNodes(info) } as GraphQLResolveInfo;
        const selection = aggregateSelection(object, aggregateInfo, ctx);
        const caller = callerOf(ctx);
        const params = new SqlParams();
        let n = 0;
        const context = { catalog: objects.catalog, params, workspace: params.add(caller.session.workspaceId, 'uuid'), nextAlias: () => `g${++n}`, permissions: ctx.permissions };
        const sql = groupByStatement(context, object, filter, keys, selection, order, args.first ?? groupLimits.defaultGroups);
        const rows = await caller.db.$queryRawUnsafe<{ data: string }[]>(sql, ...params.values);
        return rows.map((r) => JSON.parse(r.data) as GroupRow);
      },
    }),
  );
}

/**
 * The keys and order of a group-by from its arguments, checked against the declaration and the caller's fields
 * (`BAD_USER_INPUT` naming the argument): the resolver and the read engine both read them here.
 */
export function groupQuery(object: ResolvedObject, args: Pick<GroupArgs, 'by' | 'orderBy'>, canRead: (field: ResolvedField) => boolean): { keys: GroupKey[]; order: GroupOrder[] } {
  if (args.by.length > groupLimits.keys) throw badInput(`by: at most ${groupLimits.keys} keys`, 'by');
  const keys: GroupKey[] = args.by.map((b, i) => {
    const field = object.fields.get(b.field)!;
    if (!canRead(field)) throw new CrmError('BAD_USER_INPUT', `by.${i}.field: ${field.name} is hidden from your API key's role`, `by.${i}.field`);
    if (b.truncate && field.kind !== 'datetime') throw badInput(`by.${i}.truncate: only date fields are truncated`, `by.${i}.truncate`);
    return { field, truncate: b.truncate ?? undefined };
  });
  const order: GroupOrder[] = (args.orderBy ?? []).map((o, i) => {
    const [by, name] = o.field.split(':') as [GroupOrder['by'] | 'key', string | undefined];
    const field = name ? object.fields.get(name) : undefined;
    if (by === 'key' && !keys.some((k) => k.field === field)) throw badInput(`orderBy.${i}.field: ${name} is not one of the keys`, `orderBy.${i}.field`);
    if (field && !canRead(field)) throw new CrmError('BAD_USER_INPUT', `orderBy.${i}.field: ${field.name} is hidden from your API key's role`, `orderBy.${i}.field`);
    return { by, field, direction: o.direction === 'ASC' ? 'asc' : 'desc' };
  });
  return { keys, order };
}

/** The `aggregate` selections inside the group list's selection (any alias, fragments included). */
function aggregateNodes(info: GraphQLResolveInfo) {
  const found: GraphQLResolveInfo['fieldNodes'][number][] = [];
  const visit = (selections: readonly import('graphql').SelectionNode[]) => {
    for (const s of selections) {
      if (s.kind === 'Field' && s.name.value === 'aggregate') found.push(s);
      else if (s.kind === 'InlineFragment') visit(s.selectionSet.selections);
      else if (s.kind === 'FragmentSpread') visit(info.fragments[s.name.value]?.selectionSet.selections ?? []);
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet?.selections ?? []);
  return found;
}
