import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext } from 'graphql';

/** Limits on the shape of a query, checked before execution. Generous for real clients, fatal for abusive ones. */
export interface QueryLimits {
  /** @default 12 */
  maxDepth?: number;
  /** @default 20 */
  maxAliases?: number;
  /** @default 4000 */
  maxTokens?: number;
  /** The query cost limit, computed after variable coercion (`query-cost.ts`, docs/operations.md). @default 10000 */
  maxCost?: number;
  /** @default 30 */
  maxDirectives?: number;
}

/**
 * graphql-armor for the shape of a query (depth, aliases, tokens, directives), reporting every rejection as QUERY_TOO_COMPLEX
 * (armor's own errors carry no code). Cost is not armor's: its static cost sees literals only, so `useQueryCost`
 * computes it after variable coercion.
 */
export function useQueryLimits(limits: QueryLimits = {}) {
  const report = (context: ValidationContext | null, error: GraphQLError) => {
    const tooComplex = new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
      nodes: error.nodes,
      extensions: { code: 'QUERY_TOO_COMPLEX' },
    });
    if (context) context.reportError(tooComplex);
    else throw tooComplex;
  };
  const common = { propagateOnRejection: false, onReject: [report] };
  return EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth ?? 12, ...common, ignoreIntrospection: true },
    maxAliases: { n: limits.maxAliases ?? 20, ...common },
    maxTokens: { n: limits.maxTokens ?? 4000, ...common },
    costLimit: { enabled: false },
    maxDirectives: { n: limits.maxDirectives ?? 30, ...common },
    blockFieldSuggestion: { enabled: true },
  });
}
