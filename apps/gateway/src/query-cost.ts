import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '@crm/graph';
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getArgumentValues,
  getNamedType,
  getNullableType,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Items assumed for a list that takes no page size (stages of a pipeline, lines of an order, report rows). */
export const UNPAGED_LIST_ITEMS = 10;

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

/** The page size a field asks for: its `first`/`last` (coerced), else the default, never above the cap. */
function pageSizeOf(field: GraphQLField<unknown, unknown>, node: FieldNode, walk: Walk): number | undefined {
  const sizeArgs = field.args.filter((arg) => arg.name === 'first' || arg.name === 'last');
  if (!sizeArgs.length) return undefined;
  // Only the page-size arguments are coerced: the cost does not depend on the others (a required `object: $object` is
  // the executor's to check, with its own error).
  const args = getArgumentValues({ ...field, args: sizeArgs }, node, walk.variables);
  const asked = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : DEFAULT_PAGE_SIZE;
  return Math.min(Math.max(asked, 0), MAX_PAGE_SIZE);
}

function fieldsOf(type: GraphQLCompositeType): Record<string, GraphQLField<unknown, unknown>> {
  return isObjectType(type) || isInterfaceType(type) ? type.getFields() : {};
}

/**
 * The cost of a selection: every value the response can hold counts 1 (an object, a scalar, a list of scalars),
 * multiplied by the size of every list above it. A connection's page size (`first`/`last`, default
 * {@link DEFAULT_PAGE_SIZE}, at most {@link MAX_PAGE_SIZE}) multiplies the list below it (`edges`); a list without
 * a page size counts {@link UNPAGED_LIST_ITEMS}.
 */
function selectionCost(selectionSet: SelectionSetNode, parent: GraphQLCompositeType, pageSize: number | undefined, walk: Walk): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = walk.fragments[selection.name.value];
      const type = fragment && walk.schema.getType(fragment.typeCondition.name.value);
      if (fragment && isCompositeType(type)) cost += selectionCost(fragment.selectionSet, type, pageSize, walk);
      continue;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent;
      if (isCompositeType(type)) cost += selectionCost(selection.selectionSet, type, pageSize, walk);
      continue;
    }
    const name = selection.name.value;
    // Introspection is bounded by the schema's size, and graphql-armor's token and alias limits bound its shape.
    if (name.startsWith('__')) {
      cost += 1;
      continue;
    }
    const field = fieldsOf(parent)[name];
    if (!field) continue;
    const listed = isListType(getNullableType(field.type));
    const ownPage = pageSizeOf(field, selection, walk);
    const named = getNamedType(field.type);
    const items = listed ? (pageSize ?? UNPAGED_LIST_ITEMS) : 1;
    if (!selection.selectionSet || !isCompositeType(named)) {
      // A list of scalars is one value: its length is bounded by what was stored, never by the query.
      cost += 1;
      continue;
    }
    // The page size asked on a connection applies to the first list below it; a list uses it up.
    const below = ownPage ?? (listed ? undefined : pageSize);
    cost += items * (1 + selectionCost(selection.selectionSet, named, below, walk));
  }
  return cost;
}

/** The cost of the operation that will run, with its variables as coerced (see {@link selectionCost}). */
export function queryCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  return selectionCost(operation.selectionSet, root, undefined, { schema, fragments, variables });
}
