import { type DocumentNode, getNamedType, type GraphQLInputObjectType, type GraphQLInputType, type GraphQLSchema, isInputObjectType, Kind, typeFromAST } from 'graphql';

/**
 * Whether graphql-jit may compile an operation. It cannot compile variables of recursive input types (its variable
 * coercion is generated inline and recurses forever: graphql-jit issue #175), and every list filter is one
 * (`CustomerFilter.and: [CustomerFilter!]`): operations with such variables run on graphql-js. Literal filters, and
 * the usual `$first`/`$after` variables, keep the JIT. Cached per parsed document (Yoga caches parsing).
 */
export function createJitEligibility(schema: GraphQLSchema) {
  const recursive = new Map<string, boolean>();
  const byDocument = new WeakMap<DocumentNode, boolean>();

  /** Whether an input type reaches a cycle of input types (itself, or any type it contains). */
  function reachesCycle(type: GraphQLInputType): boolean {
    const named = getNamedType(type);
    if (!isInputObjectType(named)) return false;
    const known = recursive.get(named.name);
    if (known !== undefined) return known;
    const onPath = new Set<string>();
    const done = new Set<string>();
    const visit = (current: GraphQLInputObjectType): boolean => {
      if (onPath.has(current.name)) return true;
      if (done.has(current.name)) return recursive.get(current.name) ?? false;
      onPath.add(current.name);
      let cyclic = false;
      for (const field of Object.values(current.getFields())) {
        const inner = getNamedType(field.type);
        if (isInputObjectType(inner) && visit(inner)) cyclic = true;
      }
      onPath.delete(current.name);
      done.add(current.name);
      recursive.set(current.name, cyclic);
      return cyclic;
    };
    return visit(named);
  }

  return (document: DocumentNode): boolean => {
    const cached = byDocument.get(document);
    if (cached !== undefined) return cached;
    let eligible = true;
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      if (definition.operation === 'subscription') eligible = false;
      for (const variable of definition.variableDefinitions ?? []) {
        const type = typeFromAST(schema, variable.type as never) as GraphQLInputType | undefined;
        if (type && reachesCycle(type)) eligible = false;
      }
    }
    byDocument.set(document, eligible);
    return eligible;
  };
}
