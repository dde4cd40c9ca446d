import { type ExecutionArgs, getOperationAST, getVariableValues, type GraphQLError } from 'graphql';

export type CoercedVariables = { coerced: Record<string, unknown> } | { errors: readonly GraphQLError[] };

const coercions = new WeakMap<ExecutionArgs, CoercedVariables>();

/**
 * The operation's variables coerced by graphql-js, as the executor would see them (defaults applied, enums and
 * custom scalars parsed), or the errors that make them invalid. Computed once per execution: the input guard
 * refuses invalid variables with a code before graphql-jit (whose own coercion errors would be masked as internal
 * ones) and the cost limit reads page sizes from the coerced values.
 */
export function coercedVariables(args: ExecutionArgs): CoercedVariables {
  const known = coercions.get(args);
  if (known) return known;
  const operation = getOperationAST(args.document, args.operationName);
  const result: CoercedVariables = operation
    ? getVariableValues(args.schema, operation.variableDefinitions ?? [], (args.variableValues ?? {}) as Record<string, unknown>, { maxErrors: 5 })
    : { coerced: {} };
  coercions.set(args, result);
  return result;
}
