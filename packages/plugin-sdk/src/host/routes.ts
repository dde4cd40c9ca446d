// Serves plugins' routes (`routes` in definePlugin): `POST /plugins/<plugin>/<route>/<workspaceId>[/<rest>]`. The
// workspace comes from the path; a plugin switched off there (or a workspace that does not exist) answers 404 as any
// unknown path does; the body is read up to the route's limit (413 beyond). A CrmError the handler throws answers with
// its code's status and message; anything else is logged and answered 500 without detail. A route that opts in
// (`limitRefusals`) has its refusals (401, 403, 404) counted per route, workspace and client address when the host
// limits them (`failures`): a refusal past the limit is answered 429 with Retry-After; an accepted request never is.
import type http from 'node:http';
import { type CommandRunner, isCrmError } from '@crm/core';
import type { PrismaClient } from '@crm/db';
import type { HostServices, Plugin, RouteEntry } from '../plugin.js';
import { readPluginState } from '../plugin-state.js';
import type { PluginResponse } from '../routes.js';
import { clientKey } from './client-key.js';
import type { PluginStateCache } from './plugin-state-cache.js';
import type { RouteFailureLimit } from './plugin-runtime.js';
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
  /** Refusals of the routes with `limitRefusals`, counted per client address (429 past the limit). @default none */
  failures?: RouteFailureLimit;
  /** The address a request came from (behind trusted proxies: from X-Forwarded-For). @default the socket's */
  clientAddress?: (req: http.IncomingMessage) => string;
}

const PATH = /^\/plugins\/([a-z][a-z0-9-]*)\/([a-z][a-z0-9-]*)\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/(.*))?$/;
const STATUS: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, RATE_LIMITED: 429 };

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(body ?? null));
}

/** Answers that refuse the request's credentials or target (a wrong token, an unknown id): what a guesser gets. */
const REFUSALS = new Set([401, 403, 404]);

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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
    // Only refusals are charged, once the route has decided: a request it accepts is never limited (the sender with
    // the right URL gets through from an address a guesser shares, e.g. a proxy's), and a route that does not opt in
    // answers its 401/404s as ordinary business. A refusal is charged before it is answered: a client that waits for
    // each answer is counted exactly.
    const limit = route.limitRefusals ? options.failures : undefined;
    const answer = async (status: number, body: unknown, headers?: Record<string, string>) => {
      if (limit && REFUSALS.has(status)) {
        const address = clientKey(options.clientAddress?.(req) ?? req.socket.remoteAddress ?? '');
        const verdict = await limit.refused(`plugin-route-failures:${plugin.id}:${route.name}:${workspaceId}:${address}`);
        if (!verdict.allowed) {
          const seconds = String(verdict.retryAfterSeconds);
          return send(res, 429, { error: `Too many refused requests. Retry in ${seconds} s.`, code: 'RATE_LIMITED' }, { 'retry-after': seconds });
        }
      }
      send(res, status, body, headers);
    };
    const workspace = await options.prisma.workspace.findUnique({ where: { id: workspaceId }, select: { id: true } });
    if (!workspace || !(await readPluginState(options.prisma, workspaceId, plugin.id)).enabled) {
      await answer(404, { error: 'Not found' });
      return true;
    }
    const rawBody = await readBody(req, route.maxBodyBytes);
    if (rawBody === null) {
      send(res, 413, { error: `Body over ${route.maxBodyBytes} bytes` });
      return true;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v]));
    let response: PluginResponse;
    try {
      response = await route.handle(
        { workspaceId, path: match[4] ?? '', headers, body: rawBody.toString('utf8'), rawBody },
        {
          workspaceId,
          now: new Date(),
          transaction: pluginTransaction(options.runner, options.services, plugin, workspaceId, options.states),
          wake: () => options.wake(plugin.id),
        },
      );
    } catch (error) {
      // A PLUGIN_FAILED (the plugin's own bug, e.g. a refused `rows` write) is a server error, reported as any other.
      if (isCrmError(error) && error.code !== 'PLUGIN_FAILED') {
        await answer(STATUS[error.code] ?? 400, { error: error.message, code: error.code, ...(error.field ? { field: error.field } : {}) });
      } else {
        options.onError?.(error, { plugin: plugin.id, route: route.name });
        send(res, 500, { error: 'Internal error' });
      }
      return true;
    }
    await answer(response.status, response.body, response.headers);
    return true;
  };
}
