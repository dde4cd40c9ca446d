import {
  type FieldNode,
  type FragmentDefinitionNode,
  getDirectiveValues,
  GraphQLIncludeDirective,
  type GraphQLField,
  getNamedType,
  GraphQLObjectType,
  GraphQLSkipDirective,
  Kind,
  type SelectionSetNode,
} from 'graphql';

/** What selecting fields needs from the operation: its fragments and its (coerced) variables. */
export interface SelectionContext {
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  variables: Readonly<Record<string, unknown>>;
}

function included(node: FieldNode | { directives?: FieldNode['directives'] }, context: SelectionContext): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, context.variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, context.variables);
  return include?.if !== false;
}

function appliesTo(condition: string | undefined, type: GraphQLObjectType): boolean {
  return !condition || condition === type.name || type.getInterfaces().some((i) => i.name === condition);
}

/**
 * The fields selected on an object of `type`, grouped by response key in first-seen order, as graphql-js'
 * CollectFields does: fragments spread, type conditions and @skip/@include applied.
 */
export function collectFields(
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
  context: SelectionContext,
  fields = new Map<string, FieldNode[]>(),
  visited = new Set<string>(),
): Map<string, FieldNode[]> {
  for (const selectionSet of selectionSets) {
    for (const selection of selectionSet.selections) {
      if (!included(selection, context)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const list = fields.get(key);
        if (list) list.push(selection);
        else fields.set(key, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (appliesTo(selection.typeCondition?.name.value, type)) collectFields(type, [selection.selectionSet], context, fields, visited);
      } else {
        const name = selection.name.value;
        const fragment = context.fragments[name];
        if (visited.has(name) || !fragment || !appliesTo(fragment.typeCondition.name.value, type)) continue;
        visited.add(name);
        collectFields(type, [fragment.selectionSet], context, fields, visited);
      }
    }
  }
  return fields;
}

/** The merged sub-selections of one response key. */
export const subSelections = (nodes: readonly FieldNode[]): SelectionSetNode[] =>
  nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));

/** The object type a field returns (through lists and non-null), or null for a scalar or an enum. */
export const objectTypeOf = (field: GraphQLField<unknown, unknown>): GraphQLObjectType | null => {
  const named = getNamedType(field.type);
  return named instanceof GraphQLObjectType ? named : null;
};
