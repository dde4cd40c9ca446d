import { type ExecutionArgs, getOperationAST, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { variablesWithInputDefaults } from './input-defaults.js';
import { findInputProblem } from './input-values.js';
import { queryCost } from './query-cost.js';
import { requestError } from './request-error.js';
import { coercedVariables } from './variable-coercion.js';

type Refusal = (result: { errors: readonly GraphQLError[] }) => void;

function checkInput(args: ExecutionArgs, refuse: Refusal): void {
  const problem = findInputProblem(args.document, args.variableValues as Record<string, unknown> | undefined);
  if (problem) {
    refuse({ errors: [requestError(problem.message, 'BAD_USER_INPUT', { field: problem.field, nodes: problem.node ? [problem.node] : undefined })] });
    return;
  }
  const variables = coercedVariables(args);
  if ('errors' in variables) {
    // graphql-js suggests field and enum names ("Did you mean …?"); like graphql-armor for validation, we do not.
    const shown = (message: string) => message.replace(/ Did you mean [^?]*\?/g, '');
    refuse({ errors: variables.errors.map((error) => requestError(shown(error.message), 'BAD_USER_INPUT', { nodes: error.nodes })) });
    return;
  }
  // What the executor (graphql-jit) coerces again: with input-field defaults written in (see input-defaults.ts).
  (args as { variableValues?: ExecutionArgs['variableValues'] }).variableValues = variablesWithInputDefaults(args);
}

/**
 * Refuses bad input before anything runs, with BAD_USER_INPUT: variables that do not coerce to their declared
 * types (wrong type, missing required field, unknown field, unknown enum value; graphql-jit's own coercion errors
 * would otherwise surface as internal ones), strings with a NUL character or a lone surrogate, variables nested
 * absurdly deep. Applies to every operation, core or plugin, over HTTP and WebSocket.
 */
export function useInputGuard(): Plugin {
  return {
    onExecute: ({ args, setResultAndStopExecution }) => checkInput(args, setResultAndStopExecution),
    onSubscribe: ({ args, setResultAndStopExecution }) => checkInput(args, setResultAndStopExecution),
  };
}

/** @default 10000; see docs/operations.md, "Query cost" */
export const DEFAULT_MAX_COST = 10_000;

function checkCost(args: ExecutionArgs, maxCost: number, refuse: Refusal): void {
  const operation = getOperationAST(args.document, args.operationName);
  const variables = coercedVariables(args);
  if (!operation || 'errors' in variables) return;
  const cost = queryCost(args.schema, args.document, operation, variables.coerced);
  if (cost > maxCost) {
    refuse({ errors: [requestError(`Query cost ${cost} is over the limit of ${maxCost}: ask for smaller pages or fewer nested lists`, 'QUERY_TOO_COMPLEX')] });
  }
}

/**
 * The query cost limit, computed on the operation that will run: after variable coercion (`first: $n` costs what
 * `first: 100` costs) and with the page-size default and cap applied (`query-cost.ts`). QUERY_TOO_COMPLEX above it.
 */
export function useQueryCost(maxCost = DEFAULT_MAX_COST): Plugin {
  return {
    onExecute: ({ args, setResultAndStopExecution }) => checkCost(args, maxCost, setResultAndStopExecution),
    onSubscribe: ({ args, setResultAndStopExecution }) => checkCost(args, maxCost, setResultAndStopExecution),
  };
}
