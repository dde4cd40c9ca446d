import type http from 'node:http';
import type { ApiKeyVerifier } from '@crm/core';
import { printSchema } from 'graphql';
import { bearerToken } from '../authenticate.js';
import type { WorkspaceSchemas } from './workspace-schemas.js';

/**
 * `GET /schema.graphql`: the SDL of the caller's workspace (its custom fields included), for typed clients
 * (`crm client generate --workspace`). Needs an API key: a workspace's fields are its own.
 */
export function schemaFileRoute(schemas: WorkspaceSchemas, verifier: ApiKeyVerifier) {
  const printed = new WeakMap<object, string>();
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    if ((req.url ?? '').split('?')[0] !== '/schema.graphql') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    const token = bearerToken(req.headers.authorization);
    const session = token ? await verifier.verify(token) : null;
    if (!session) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' }).end('An API key is needed (Authorization: Bearer <apiKey>)\n');
      return true;
    }
    const schema = await schemas.forWorkspace(session.workspaceId);
    let sdl = printed.get(schema);
    if (sdl === undefined) printed.set(schema, (sdl = `${printSchema(schema)}\n`));
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'private, no-store' });
    res.end(req.method === 'HEAD' ? undefined : sdl);
    return true;
  };
}
