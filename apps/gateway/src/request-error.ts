import { GraphQLError, type ASTNode } from 'graphql';

/**
 * An error that refuses a whole request before execution, with its code. `http.spec` tells Yoga to answer 400 to a
 * client that accepts `application/graphql-response+json` (GraphQL over HTTP: a response without `data` is 4xx)
 * and 200 to a legacy `application/json` client; Yoga removes `http` from what the client sees.
 */
export function requestError(message: string, code: string, options: { field?: string; nodes?: readonly ASTNode[] } = {}): GraphQLError {
  const shown = message.length > 300 ? `${message.slice(0, 300)}…` : message;
  return new GraphQLError(shown, {
    nodes: options.nodes,
    extensions: { code, ...(options.field ? { field: options.field } : {}), http: { status: 400, spec: true } },
  });
}
