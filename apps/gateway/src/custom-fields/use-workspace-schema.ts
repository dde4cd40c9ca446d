import type { ApiKeyVerifier } from '@crm/core';
import type { GraphContext } from '@crm/graph';
import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { sessionOfRequest } from '../authenticate.js';
import type { ConnectionInitialContext } from '../graphql-app.js';
import type { WorkspaceSchemas } from './workspace-schemas.js';

/**
 * Serves each request the schema of its workspace (custom fields included): the key is verified while the request is
 * parsed (once: the context is built with the same answer, `sessionOfRequest`), its workspace's schema is found or built, and set
 * for validation and execution. Unauthenticated requests get the base schema, so no workspace's fields are ever seen
 * by anyone else, introspection included. Over WebSocket the connection's session names the workspace.
 */
export function useWorkspaceSchema(schemas: WorkspaceSchemas, verifier: ApiKeyVerifier): Plugin<GraphContext> {
  const byRequest = new WeakMap<Request, GraphQLSchema>();
  return {
    onRequestParse({ request }) {
      return {
        async onRequestParseDone() {
          const session = await sessionOfRequest(request, verifier);
          if (session) byRequest.set(request, await schemas.forWorkspace(session.workspaceId));
        },
      };
    },
    onEnveloped({ context, setSchema }) {
      const initial = context as Partial<ConnectionInitialContext> & { request?: Request };
      const workspaceId = initial.connectionContext?.session?.workspaceId;
      const schema = initial.request ? byRequest.get(initial.request) : workspaceId ? schemas.current(workspaceId) : undefined;
      if (schema) setSchema(schema);
    },
  };
}
