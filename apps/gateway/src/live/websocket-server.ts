import type http from 'node:http';
import type { ApiKeyVerifier, CommandRunner, ObjectCatalog } from '@crm/core';
import type { GraphContext, LiveEvents } from '@crm/graph';
import { type execute, type ExecutionArgs, GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';
import { accessOf, bearerToken, contextFor } from '../authenticate.js';
import { catalogOf } from '@crm/graph';
import type { ConnectionInitialContext, GraphQLApp } from '../graphql-app.js';
import type { WorkspaceSchemas } from '../custom-fields/workspace-schemas.js';
import { executeWithDeadline } from '../request-deadline.js';
import type { DocumentRequest, TrustedDocuments } from '../trusted-documents.js';
import { serveGraphQLWs } from './graphql-ws-transport.js';
import { accessFingerprint, type SessionGuard } from './session-guard.js';
import { SharedSubscriptions, shareKeyOf } from './shared-subscriptions.js';

/** Most operations one socket may run at once. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 50;

export interface GraphQLWebSocketOptions {
  server: http.Server;
  app: GraphQLApp;
  verifier: ApiKeyVerifier;
  runner: CommandRunner;
  /** The schema's objects, for each connection's permissions. */
  catalog: ObjectCatalog;
  live: LiveEvents;
  /** Ends connections whose API key stops working (revoked, expired, user deactivated). */
  guard: SessionGuard;
  /** Each workspace's schema (custom fields): operations run on the connection's workspace's. */
  workspaceSchemas?: WorkspaceSchemas;
  /** When set, only these documents run (trusted-documents.ts). */
  trustedDocuments?: TrustedDocuments | null;
  /** Each query or mutation's deadline (request-deadline.ts). @default 10000 */
  requestTimeoutMs?: number;
  /** Socket write batching window in ms (see write-batcher.ts). @default 10 */
  flushWindowMs?: number;
  /** Ping interval; a socket silent for two of them is terminated. @default 12000 */
  keepAliveMs?: number;
}

export interface GraphQLWebSocket {
  /** Closes every socket (1001 Going away) and stops accepting new ones. */
  close(): Promise<void>;
  /** Identical live subscriptions running as one execution, and the subscribers they serve. */
  readonly shared: Pick<SharedSubscriptions, 'executions' | 'subscribers'>;
}

interface Connection {
  /** Built at connect; its session, permissions and caller are replaced in place when the key's access changes. */
  context: GraphContext;
  /** The key it connected with: every operation re-verifies it, as an HTTP request would. */
  apiKey: string;
  operations: Set<string>;
  stopWatching: () => void;
}

/** graphql-ws' Forbidden: the code a connection with a bad key is closed with, at connect or later. */
const FORBIDDEN = 4403;

type ExecuteResult = ReturnType<typeof execute>;

/** Yoga's envelop, bound to one operation, as the executor graphql-ws calls back with. */
interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
  /** Set when identical subscriptions share one execution (see shared-subscriptions.ts). */
  shareKey: string | null;
}

/**
 * graphql-ws (protocol graphql-transport-ws) on /graphql, executed through Yoga's envelop so WebSocket operations
 * share its parse/validate caches, query limits and error masking. Each connection authenticates once, with
 * `connectionParams.authorization` = "Bearer <apiKey>"; a missing or bad key closes the socket with 4403, and so does
 * the key stopping to work later (revoked, expired, its user deactivated: see session-guard.ts). Every operation
 * sent on an open socket re-verifies the key, with the same cache bound as HTTP. When the key's access changes (its
 * role is changed, it is moved to another role or given other scopes), the connection takes the new permissions for
 * its next operations, and its running subscriptions for what they deliver next (live-sessions.ts).
 */
export function attachGraphQLWebSocket(options: GraphQLWebSocketOptions): GraphQLWebSocket {
  const { app, verifier, runner, live, guard } = options;
  const connections = new WeakMap<WebSocket, Connection>();
  const shared = new SharedSubscriptions();

  // Permissions are decided over the workspace's own catalog (its custom objects) once its schema is known.
  const catalogNow = (workspaceId: string) => {
    const schema = options.workspaceSchemas?.current(workspaceId);
    return schema ? catalogOf(schema) : options.catalog;
  };
  const transport = serveGraphQLWs(
    {
      execute: (args) =>
        executeWithDeadline(options.requestTimeoutMs ?? 10_000, () => (args.rootValue as EnvelopedRoot).execute(args)) as ExecuteResult,
      subscribe: (args) => {
        const root = args.rootValue as EnvelopedRoot;
        const run = () => root.subscribe(args) as ReturnType<SharedSubscriptions['join']>;
        return (root.shareKey ? shared.join(root.shareKey, run) : run()) as ExecuteResult;
      },
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization;
        const authorization = typeof raw === 'string' ? raw : null;
        const apiKey = bearerToken(authorization);
        const workspaceSchemas = options.workspaceSchemas;
        // The connection's permissions over its workspace's catalog (its custom objects), as over HTTP.
        const catalog = workspaceSchemas ? async (workspaceId: string) => catalogOf(await workspaceSchemas.forWorkspace(workspaceId)) : options.catalog;
        const context = await contextFor(authorization, verifier, runner, catalog, live);
        if (!context.session || !apiKey) return false; // graphql-ws closes with 4403 Forbidden
        const socket = ctx.extra.socket;
        if (socket.readyState !== socket.OPEN) return false; // gone while its key was verified
        const stopWatching = guard.watch(context.session, {
          end: (reason) => socket.close(FORBIDDEN, `API key ${reason}`),
          follow: (current) => Object.assign(context, accessOf(current, runner, catalogNow(current.workspaceId))),
        });
        connections.set(socket, { context, apiKey, operations: new Set(), stopWatching });
        return true;
      },
      onClose: (ctx) => {
        connections.get(ctx.extra.socket)?.stopWatching();
      },
      onSubscribe: async (ctx, id, payload) => {
        const connection = connections.get(ctx.extra.socket);
        if (!connection) return [new GraphQLError('Not authenticated', { extensions: { code: 'UNAUTHENTICATED' } })];
        const verified = await verifier.verify(connection.apiKey);
        if (!verified) {
          // After the error below is sent (graphql-ws sends it once this callback returns).
          const socket = ctx.extra.socket;
          setTimeout(() => socket.close(FORBIDDEN, 'API key no longer valid'), 0);
          return [new GraphQLError('The API key stopped working', { extensions: { code: 'UNAUTHENTICATED' } })];
        }
        // A change the guard has not applied yet (its notice is on its way, or was missed): it applies it to every live
        // session of the key (this connection and its subscriptions alike) before this operation runs with it.
        if (accessFingerprint(verified) !== accessFingerprint(connection.context.session!)) {
          await guard.recheck(verified.apiKeyId!);
          if (accessFingerprint(verified) !== accessFingerprint(connection.context.session!)) {
            Object.assign(connection.context, accessOf(verified, runner, catalogNow(verified.workspaceId)));
          }
        }
        if (connection.operations.size >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
          return [
            new GraphQLError(`At most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per connection`, {
              extensions: { code: 'RATE_LIMITED' },
            }),
          ];
        }
        // The workspace's schema is found (or built) now, so that enveloping below can set it synchronously.
        await options.workspaceSchemas?.forWorkspace(connection.context.session!.workspaceId);
        const initial: ConnectionInitialContext & Record<string, unknown> = {
          connectionContext: connection.context,
          params: payload,
        };
        const { schema, execute, subscribe, contextFactory, parse, validate } = app.getEnveloped(initial);
        let query = payload.query;
        try {
          query = options.trustedDocuments?.resolve(payload as DocumentRequest) ?? query;
        } catch (error) {
          return [error as GraphQLError];
        }
        let document: ExecutionArgs['document'];
        try {
          document = parse(query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Could not parse the operation')];
        }
        const errors = validate(schema, document);
        if (errors.length) return errors;
        connection.operations.add(id);
        const session = connection.context.session!;
        const shareKey = shareKeyOf(session, document, query, payload.operationName, payload.variables);
        const rootValue: EnvelopedRoot = { execute, subscribe, shareKey };
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue,
        };
      },
      onComplete: (ctx, id) => {
        connections.get(ctx.extra.socket)?.operations.delete(id);
      },
      onError: (ctx, id) => {
        connections.get(ctx.extra.socket)?.operations.delete(id);
      },
    },
    {
      server: options.server,
      path: '/graphql',
      // Messages are operations, not uploads: the same 1 MiB ceiling as an HTTP body (ws allows 100 MiB).
      maxPayload: 1024 * 1024,
      keepAliveMs: options.keepAliveMs ?? 12_000,
      flushWindowMs: options.flushWindowMs ?? 10,
      highWaterBytes: 1024 * 1024,
    },
  );

  return {
    // Idempotent: a gateway may be closed twice (e.g. a test's own close after the gateway's).
    close: () => transport.close(),
    shared,
  };
}
