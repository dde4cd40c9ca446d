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
  /** graphql-armor's static cost (objects 2, scalars 1, ×1.5 per level). @default 20000 */
  maxCost?: number;
  /** @default 30 */
  maxDirectives?: number;
}

/** graphql-armor, reporting every rejection as QUERY_TOO_COMPLEX (armor's own errors carry no code). */
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
    costLimit: { maxCost: limits.maxCost ?? 20_000, ...common },
    maxDirectives: { n: limits.maxDirectives ?? 30, ...common },
    blockFieldSuggestion: { enabled: true },
  });
}
