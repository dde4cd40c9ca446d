// The engine's aggregate and group-by answers: a connection's `aggregate` object and a `<list>GroupBy` list, shaped as
// the selection asks from the aggregate SQL of aggregate-sql.ts.
import type { ResolvedObject } from '@crm/core';
import type { FieldNode, GraphQLObjectType } from 'graphql';
import { getArgumentValues } from 'graphql/execution/values.js';
import { selectionOfAggregate } from '../objects/aggregate-types.js';
import { aggregateObjectSql, type GroupedRows, type GroupKey } from './aggregate-sql.js';
import { buildObject, jsonObject, marks } from './built-object.js';
import { decline } from './decline.js';
import type { RenderContext } from './render.js';
import { within } from './result-shape.js';
import { collectFields, objectTypeOf, subSelections } from './selection.js';
import { literal } from './sql-text.js';

/**
 * The `aggregate` object shaped as the selection asks (aliases, `__typename`, `countDistinct(field:)` per alias), from
 * the engine's aggregate JSON `values` (keyed by function and field name).
 */
export function aggregateResultSql(type: GraphQLObjectType, nodes: readonly FieldNode[], context: RenderContext, values: string): string {
  const v = `(${values})::jsonb`;
  const parts = marks(context, type.name);
  for (const [key, fieldNodes] of collectFields(type, subSelections(nodes), context)) {
    const name = fieldNodes[0]!.name.value;
    if (name === '__typename') parts.push([key, literal(type.name)]);
    else if (name === 'count') parts.push([key, `(${v}->'count')`]);
    else if (name === 'countDistinct') {
      const field = getArgumentValues(type.getFields().countDistinct!, fieldNodes[0]!, context.variables as Record<string, unknown>).field as string;
      parts.push([key, `coalesce(${v}->'countDistinct'->${literal(field)}, '0'::jsonb)`]);
    } else {
      const inner = objectTypeOf(type.getFields()[name]!)!;
      const innerParts = marks(context, inner.name);
      for (const [innerKey, innerNodes] of collectFields(inner, subSelections(fieldNodes), context)) {
        const innerName = innerNodes[0]!.name.value;
        innerParts.push([innerKey, innerName === '__typename' ? literal(inner.name) : `${v}->${literal(name)}->${literal(innerName)}`]);
      }
      parts.push([key, jsonObject(innerParts)]);
    }
  }
  // One per connection: built as a JSON object (the tuples are for what is built per row).
  return jsonObject(parts);
}

/**
 * A `<list>GroupBy` answer: the groups of `rows` as a list of the selected `key` and `aggregate` objects, in the
 * rows' order (`ARRAY(SELECT … ORDER BY … LIMIT first)` keeps it).
 */
export function groupListSql(context: RenderContext, group: GraphQLObjectType, nodes: readonly FieldNode[], object: ResolvedObject, keys: readonly GroupKey[], rows: GroupedRows): string {
  context.shape.list = true;
  const parts = marks(context, group.name);
  for (const [key, fieldNodes] of collectFields(group, subSelections(nodes), context)) {
    const name = fieldNodes[0]!.name.value;
    if (name === '__typename') parts.push([key, literal(group.name)]);
    else if (name === 'aggregate') {
      const type = objectTypeOf(group.getFields().aggregate!)!;
      const selection = selectionOfAggregate(object, type, fieldNodes, context, context.canRead);
      parts.push([key, aggregateResultSql(type, fieldNodes, context, aggregateObjectSql(object, selection, rows.alias))]);
    } else if (name === 'key') {
      const keyType = objectTypeOf(group.getFields().key!)!;
      parts.push([
        key,
        within(context, key, () => {
          const values = marks(context, keyType.name);
          for (const [valueKey, valueNodes] of collectFields(keyType, subSelections(fieldNodes), context)) {
            const valueName = valueNodes[0]!.name.value;
            const index = keys.findIndex((k) => k.field.name === valueName);
            // A field that is not one of the keys reads as null, as the resolvers answer it.
            values.push([valueKey, valueName === '__typename' ? literal(keyType.name) : index < 0 ? 'NULL' : rows.keys[index]!]);
          }
          return buildObject(context, values);
        }),
      ]);
    } else decline(`${group.name}.${name} is not compiled`);
  }
  return `array_to_json(ARRAY(SELECT ${buildObject(context, parts)} ${rows.tail}))`;
}
