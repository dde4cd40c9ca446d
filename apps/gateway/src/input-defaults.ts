import {
  astFromValue,
  type ExecutionArgs,
  getNullableType,
  getOperationAST,
  type GraphQLInputType,
  isInputObjectType,
  isListType,
  typeFromAST,
  valueFromASTUntyped,
} from 'graphql';

/** The default of an input field as a client would send it (enum names, not internal values). */
function externalDefault(value: unknown, type: GraphQLInputType): unknown {
  const ast = astFromValue(value, type);
  return ast ? valueFromASTUntyped(ast) : undefined;
}

function withDefaults(value: unknown, type: GraphQLInputType): unknown {
  const inner = getNullableType(type);
  if (value === null || value === undefined) return value;
  if (isListType(inner)) return Array.isArray(value) ? value.map((item) => withDefaults(item, inner.ofType)) : withDefaults(value, inner.ofType);
  if (!isInputObjectType(inner) || typeof value !== 'object' || Array.isArray(value)) return value;
  const filled: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const field of Object.values(inner.getFields())) {
    if (filled[field.name] === undefined && field.defaultValue !== undefined) filled[field.name] = externalDefault(field.defaultValue, field.type);
    else if (field.name in filled) filled[field.name] = withDefaults(filled[field.name], field.type);
  }
  return filled;
}

/**
 * The request's variables with the defaults of omitted input-object fields written in. graphql-jit (0.8.7) applies
 * an input field's default only when the field is nullable: `direction: OrderDirection! = ASC` left out of
 * `orderBy: [{ field: NAME }]` is valid GraphQL (graphql-js accepts it) but jit reported it as missing, and that
 * surfaced as an internal error. Call only once the variables are known to coerce (the walk trusts their shape).
 */
export function variablesWithInputDefaults(args: ExecutionArgs): Record<string, unknown> | undefined {
  const variables = args.variableValues as Record<string, unknown> | null | undefined;
  const operation = getOperationAST(args.document, args.operationName);
  if (!variables || !operation?.variableDefinitions?.length) return variables ?? undefined;
  const filled: Record<string, unknown> = { ...variables };
  for (const definition of operation.variableDefinitions) {
    const name = definition.variable.name.value;
    const type = typeFromAST(args.schema, definition.type) as GraphQLInputType | undefined;
    if (type && name in filled) filled[name] = withDefaults(filled[name], type);
  }
  return filled;
}
