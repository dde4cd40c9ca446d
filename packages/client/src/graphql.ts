// Typed GraphQL documents: gql.tada infers each document's result and variables from schema.graphql (no codegen
// step per query, no hand-written types).
import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './generated/graphql-env.js';

/** Writes a typed document: `graphql(\`query { viewer { role } }\`)`. */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: {
    /** ISO-8601, UTC. */
    DateTime: string;
    /** Money: a decimal string with two decimals, e.g. "1234.50". */
    Decimal: string;
    JSON: unknown;
  };
}>();

export type { FragmentOf, ResultOf, VariablesOf, TadaDocumentNode } from 'gql.tada';
export { readFragment, maskFragments } from 'gql.tada';
