// Serves plugins' routes (`routes` in definePlugin): `POST /plugins/<plugin>/<route>/<workspaceId>[/<rest>]`. The
// workspace comes from the path; a plugin switched off there (or a workspace that does not exist) answers 404 as any
// unknown path does; the body is read up to the route's limit (413 beyond). A CrmError the handler throws answers with
// its code's status and message; anything else is logged and answered 500 without detail.
import type http from 'node:http';
import { type CommandRunner, isCrmError } from '@crm/core';
import type { PrismaClient } from '@crm/db';
import type { HostServices, Plugin, RouteEntry } from '../plugin.js';
import { readPluginState } from '../plugin-state.js';
import type { PluginStateCache } from './plugin-state-cache.js';
import { pluginTransaction } from './plugin-transaction.js';

export interface RouteOptions {
  runner: CommandRunner;
  prisma: PrismaClient;
  services: HostServices;
  /** The plugins' switches and settings, cached per workspace (for the routes' transactions). */
  states?: PluginStateCache;
  /** Wakes this instance's workers of the plugin's queues. */
  wake(pluginId: string): void;
  onError?: (error: unknown, where: { plugin: string; route: string }) => void;
}

const PATH = /^\/plugins\/([a-z][a-z0-9-]*)\/([a-z][a-z0-9-]*)\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/(.*))?$/;
const STATUS: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, RATE_LIMITED: 429 };

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(body ?? null));
}

const notFound = (res: http.ServerResponse) => send(res, 404, { error: 'Not found' });

async function readBody(req: http.IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The route handler for the HTTP server's `routes`: true when the request was a plugin route's. */
export function pluginRoutes(plugins: readonly Plugin[], options: RouteOptions) {
  const byPath = new Map<string, { plugin: Plugin; route: RouteEntry }>();
  // `?? []`: a plugin built against an SDK from before routes has none.
  for (const plugin of plugins) for (const route of plugin.routes ?? []) byPath.set(`${plugin.id}/${route.name}`, { plugin, route });

  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    const match = PATH.exec((req.url ?? '/').split('?')[0]!);
    const found = match ? byPath.get(`${match[1]}/${match[2]}`) : undefined;
    if (!match || !found) return false;
    const { plugin, route } = found;
    const workspaceId = match[3]!;
    if (req.method !== 'POST') {
      send(res, 405, { error: 'POST only' }, { allow: 'POST' });
      return true;
    }
    const workspace = await options.prisma.workspace.findUnique({ where: { id: workspaceId }, select: { id: true } });
    if (!workspace || !(await readPluginState(options.prisma, workspaceId, plugin.id)).enabled) {
      notFound(res);
      return true;
    }
    const body = await readBody(req, route.maxBodyBytes);
    if (body === null) {
      send(res, 413, { error: `Body over ${route.maxBodyBytes} bytes` });
      return true;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v]));
    try {
      const response = await route.handle(
        { workspaceId, path: match[4] ?? '', headers, body },
        {
          workspaceId,
          now: new Date(),
          transaction: pluginTransaction(options.runner, options.services, plugin, workspaceId, options.states),
          wake: () => options.wake(plugin.id),
        },
      );
      send(res, response.status, response.body, response.headers);
    } catch (error) {
      // A PLUGIN_FAILED (the plugin's own bug, e.g. a refused `rows` write) is a server error, reported as any other.
      if (isCrmError(error) && error.code !== 'PLUGIN_FAILED') {
        send(res, STATUS[error.code] ?? 400, { error: error.message, code: error.code, ...(error.field ? { field: error.field } : {}) });
      } else {
        options.onError?.(error, { plugin: plugin.id, route: route.name });
        send(res, 500, { error: 'Internal error' });
      }
    }
    return true;
  };
}
