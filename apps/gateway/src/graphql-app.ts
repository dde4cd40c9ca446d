import type { ApiKeyVerifier, CommandRunner } from '@crm/core';
import { createSqlProjector, DEFAULT_PAGE_SIZE, type GraphContext, type LiveEvents, MAX_PAGE_SIZE } from '@crm/graph';
import { type DocumentNode, type GraphQLSchema, Kind } from 'graphql';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type QueryLimits, useQueryLimits } from './armor.js';
import { contextFor } from './authenticate.js';
import { maskError } from './error-masking.js';
import { describeError, type Logger } from './logger.js';
import { usePageSizeGuard } from './page-size-guard.js';
import { type RateLimitOptions, useRateLimit } from './rate-limit.js';
import { useSqlProjection } from './sql-projection.js';

export interface NodeServerContext {
  req: IncomingMessage;
  res: ServerResponse;
}

export type GraphQLApp = YogaServerInstance<NodeServerContext, GraphContext>;

/** The operation name of the request, for the access log (set while parsing, read when the response ends). */
export const operationNames = new WeakMap<IncomingMessage, string>();

function useOperationName(): Plugin<GraphContext, NodeServerContext> {
  return {
    onParams({ params, context }) {
      if (context.req) operationNames.set(context.req, params.operationName ?? 'anonymous');
    },
  };
}

function isSubscription(document: DocumentNode): boolean {
  return document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === 'subscription');
}

export interface GraphQLAppOptions {
  schema: GraphQLSchema;
  verifier: ApiKeyVerifier;
  runner: CommandRunner;
  logger: Logger;
  limits?: QueryLimits;
  rateLimit?: RateLimitOptions;
  plugins?: Plugin[];
  /** Committed events for subscriptions. */
  live?: LiveEvents;
  /** Answer the hot list queries with one SQL statement that builds the JSON (`sql-projection.ts`). @default true */
  sqlProjection?: boolean;
}

/** What the WebSocket server hands to `getEnveloped`: the connection's context, authenticated at connect. */
export interface ConnectionInitialContext {
  connectionContext?: GraphContext;
}

/** graphql-yoga with our context, error masking and hardening. Served over HTTP by `http-server.ts`. */
export function createGraphQLApp(options: GraphQLAppOptions): GraphQLApp {
  const { verifier, runner, logger, live } = options;
  return createYoga<NodeServerContext, GraphContext>({
    schema: options.schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'CRM GraphQL', defaultQuery: '{\n  viewer { role }\n  customers(first: 5) { totalCount edges { node { name email lifecycleStage } } }\n}\n' },
    logging: false,
    // Over WebSocket there is no request: the connection's context was built once, when it connected.
    context: (initial) =>
      (initial as ConnectionInitialContext).connectionContext ??
      contextFor(initial.request.headers.get('authorization'), verifier, runner, live),
    maskedErrors: {
      maskError: (error, message) =>
        maskError(error, message, (internal, fields) =>
          logger.error(fields?.plugin ? 'plugin failed' : 'internal error', { ...fields, ...describeError(internal) }),
        ),
    },
    plugins: [
      useQueryLimits(options.limits),
      useRateLimit(options.rateLimit),
      usePageSizeGuard(),
      useOperationName(),
      // Compiles each distinct operation to JavaScript once (cached by parsed document, so Yoga's parse cache
      // matters): a page of 50 customers resolves ~3,000 fields and graphql-js' interpreter was a quarter of the
      // CPU. Subscriptions are left to graphql-js.
      useGraphQlJit({}, { enableIf: (args) => !isSubscription(args.document) }),
      ...(options.plugins ?? []),
      // Last: every check above runs first.
      ...(options.sqlProjection === false
        ? []
        : [useSqlProjection(createSqlProjector(options.schema, { defaultPageSize: DEFAULT_PAGE_SIZE, maxPageSize: MAX_PAGE_SIZE }), logger)]),
    ],
  });
}
