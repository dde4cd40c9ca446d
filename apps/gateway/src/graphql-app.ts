import type { ApiKeyVerifier, CommandRunner } from '@crm/core';
import { catalogOf, createReadEngine, DEFAULT_PAGE_SIZE, type GraphContext, type LiveEvents, MAX_PAGE_SIZE, type ReadEngine } from '@crm/graph';
import { type DocumentNode, getOperationAST, type GraphQLSchema, Kind } from 'graphql';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type QueryLimits, useQueryLimits } from './armor.js';
import { contextOfSession, sessionOfRequest } from './authenticate.js';
import { maskError } from './error-masking.js';
import { useInputGuard, useQueryCost } from './input-guard.js';
import { corsOption, type ExposureOptions, useIntrospectionPolicy } from './exposure.js';
import { describeError, type Logger } from './logger.js';
import { usePageSizeGuard } from './page-size-guard.js';
import { createJitEligibility } from './jit-eligibility.js';
import { type EngineDeclined, useSqlProjection } from './sql-projection.js';
import { useWorkspaceSchema } from './custom-fields/use-workspace-schema.js';
import type { WorkspaceSchemas } from './custom-fields/workspace-schemas.js';
import { useStreamingUpload } from './upload/use-streaming-upload.js';

export interface NodeServerContext {
  req: IncomingMessage;
  res: ServerResponse;
}

export type GraphQLApp = YogaServerInstance<NodeServerContext, GraphContext>;

/**
 * The operation name of the request, for the access log and metrics: the one the client sent, else (once the
 * document is known) its operation's own name. Read when the response ends.
 */
export const operationNames = new WeakMap<IncomingMessage, string>();

function useOperationName(): Plugin<GraphContext, NodeServerContext> {
  return {
    onParams({ params, context }) {
      if (context.req) operationNames.set(context.req, params.operationName ?? 'anonymous');
    },
    onExecute({ args }) {
      const { req } = args.contextValue as Partial<NodeServerContext>;
      const named = args.operationName ? null : getOperationAST(args.document)?.name?.value;
      if (req && named) operationNames.set(req, named);
    },
  };
}

export interface GraphQLAppOptions {
  schema: GraphQLSchema;
  verifier: ApiKeyVerifier;
  runner: CommandRunner;
  logger: Logger;
  limits?: QueryLimits;
  /** Run after the built-in checks, before the read engine (rate limiting, metrics, tracing). */
  plugins?: Plugin[];
  /** Committed events for subscriptions. */
  live?: LiveEvents;
  /** Answer the hot list queries with one SQL statement that builds the JSON (`sql-projection.ts`). @default true */
  sqlProjection?: boolean;
  /** Told each time the read engine leaves an operation to the resolvers, with its reason (metrics). */
  onEngineDeclined?: EngineDeclined;
  /** Told each field the read engine leaves to its resolver while answering the rest of an operation (metrics). */
  onEngineDeferred?: (reason: string) => void;
  /** Introspection, GraphiQL and CORS (exposure.ts). @default introspection open, no CORS */
  exposure?: ExposureOptions;
  /** Each workspace's own schema (its custom fields); without it every request gets `schema`. */
  workspaceSchemas?: WorkspaceSchemas;
  /** Largest multipart request (a file upload), counted as it streams in (`MAX_UPLOAD_BYTES`). @default 100 MiB */
  maxUploadBytes?: number;
  /** Largest `operations` or `map` part of a multipart request. @default 1 MiB */
  maxBodyBytes?: number;
}

/** `MAX_UPLOAD_BYTES`' default: 100 MiB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
/** `MAX_BODY_BYTES`' default: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** What the WebSocket server hands to `getEnveloped`: the connection's context, authenticated at connect. */
export interface ConnectionInitialContext {
  connectionContext?: GraphContext;
}

/** graphql-yoga with our context, error masking and hardening. Served over HTTP by `http-server.ts`. */
export function createGraphQLApp(options: GraphQLAppOptions): GraphQLApp {
  const { verifier, runner, logger, live } = options;
  const jitEligible = createJitEligibility(options.schema);
  const catalog = catalogOf(options.schema);
  // Permissions are decided over the workspace's own catalog (its custom objects), the one its request is served.
  const { workspaceSchemas } = options;
  const catalogOfWorkspace = async (workspaceId: string) => (workspaceSchemas ? catalogOf(await workspaceSchemas.forWorkspace(workspaceId)) : catalog);
  // Counted on /metrics (crm_read_engine_declines_total by reason) and logged at LOG_LEVEL=debug.
  const engineDeclined = (reason: string) => {
    logger.debug?.('read engine declined', { reason });
    options.onEngineDeclined?.(reason);
  };
  // One read engine per schema: a workspace's engine reads its custom fields from its schema's catalog.
  const engines = new WeakMap<GraphQLSchema, ReadEngine>();
  const engineOf = (schema: GraphQLSchema) => {
    let engine = engines.get(schema);
    if (!engine) {
      engine = createReadEngine(schema, {
        defaultPageSize: DEFAULT_PAGE_SIZE,
        maxPageSize: MAX_PAGE_SIZE,
        onDecline: engineDeclined,
        // Counted on /metrics (crm_read_engine_deferred_fields_total by reason).
        onDefer: (reason) => {
          logger.debug?.('read engine left a field to its resolver', { reason });
          options.onEngineDeferred?.(reason);
        },
      });
      engines.set(schema, engine);
    }
    return engine;
  };
  const introspection = options.exposure?.introspection ?? 'open';
  return createYoga<NodeServerContext, GraphContext>({
    schema: options.schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    cors: corsOption(options.exposure?.corsOrigins ?? []),
    graphiql: introspection !== 'off' && { title: 'CRM GraphQL', defaultQuery: '{\n  viewer { role }\n  customers(first: 5) { totalCount edges { node { name email lifecycleStage } } }\n}\n' },
    logging: false,
    // Multipart requests are parsed as streams by useStreamingUpload; Yoga's own parser would read the whole body first.
    multipart: false,
    // Body limits are http-server.ts' (a JSON body needs a Content-Length within MAX_BODY_BYTES) and the upload's
    // (MAX_UPLOAD_BYTES, counted as it streams). Yoga's own would read the body a second time alongside the upload's
    // parser, and stop uploads at its 25 MB default.
    maxRequestBodySize: false,
    // Over WebSocket there is no request: the connection's context was built once, when it connected.
    context: (initial) =>
      (initial as ConnectionInitialContext).connectionContext ??
      sessionOfRequest(initial.request, verifier).then((session) => contextOfSession(session, runner, catalogOfWorkspace, live)),
    maskedErrors: {
      maskError: (error, message) =>
        maskError(error, message, (internal, fields) =>
          logger.error(fields?.plugin ? 'plugin failed' : 'internal error', { ...fields, ...describeError(internal) }),
        ),
    },
    plugins: [
      useStreamingUpload({ maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES, maxFieldBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES }),
      ...(options.workspaceSchemas ? [useWorkspaceSchema(options.workspaceSchemas, verifier)] : []),
      useIntrospectionPolicy(introspection),
      useQueryLimits(options.limits),
      useInputGuard(),
      usePageSizeGuard(),
      useQueryCost(options.limits?.maxCost),
      useOperationName(),
      // Compiles each distinct operation to JavaScript once (cached by parsed document, so Yoga's parse cache
      // matters): a page of 50 customers resolves ~3,000 fields and graphql-js' interpreter was a quarter of the
      // CPU. Subscriptions are left to graphql-js.
      // Its compiled queries are cached by document alone: only the base schema's operations use it, so a workspace's
      // fields are never served by a query compiled against another workspace's schema.
      useGraphQlJit({}, { enableIf: (args) => args.schema === options.schema && jitEligible(args.document) }),
      ...(options.plugins ?? []),
      // Last: every check above runs first.
      ...(options.sqlProjection === false
        ? []
        : [
            useSqlProjection(engineOf, logger, engineDeclined),
          ]),
    ],
  });
}
