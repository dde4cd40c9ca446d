import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import { ApiKeyVerifier, CommandRunner } from '@crm/core';
import type { Database } from '@crm/db';
import { type BuildSchemaOptions, buildSchema } from '@crm/graph';
import type { PluginHost, PluginRuntime } from '@crm/plugin-sdk/host';
import type { QueryLimits } from './armor.js';
import type { RateLimitOptions } from './rate-limit.js';
import { createGraphQLApp, type GraphQLApp } from './graphql-app.js';
import { createHttpServer } from './http-server.js';
import { InProcessEventBus, type EventBus } from './live/event-bus.js';
import { OutboxRelay, type OutboxRelayOptions } from './live/outbox-relay.js';
import { publishCommitted } from './live/publisher.js';
import { attachGraphQLWebSocket } from './live/websocket-server.js';
import { createLogger, describeError, type Logger } from './logger.js';

export interface GatewayOptions {
  /** An open database; the gateway uses it but does not close it. */
  database: Database;
  logger?: Logger;
  limits?: QueryLimits;
  /** Operations per API key. @default 3000 per minute, bursts of 300 (`perMinute: 0` turns it off) */
  rateLimit?: RateLimitOptions;
  /** Schema extensions (after the plugins'). */
  extend?: BuildSchemaOptions['extend'];
  /** Enabled plugins (`pluginHostFromEnvironment`); their migrations must already be applied. */
  plugins?: PluginHost;
  /** Subscriber retry policy for every plugin (tests shorten the backoff). */
  pluginDelivery?: { attempts?: number; backoffMs?: number };
  /** Largest request body. @default 1 MiB */
  maxBodyBytes?: number;
  /** Outbox relay timing (tests shorten it). */
  relay?: Pick<OutboxRelayOptions, 'staleAfterMs' | 'intervalMs'>;
}

export interface Gateway {
  readonly server: http.Server;
  readonly app: GraphQLApp;
  /** The composed schema (core + plugins). */
  readonly schema: GraphQLSchema;
  readonly runner: CommandRunner;
  readonly verifier: ApiKeyVerifier;
  /** Committed events, fanned out to subscriptions. */
  readonly bus: EventBus;
  readonly relay: OutboxRelay;
  /** Event delivery to plugin subscribers; null without plugins. */
  readonly plugins: PluginRuntime | null;
  /** Starts listening; resolves with the base URL (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<string>;
  /** Stops accepting connections and waits (up to `graceMs`) for requests in flight. */
  close(graceMs?: number): Promise<void>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const logger = options.logger ?? createLogger();
  const { database } = options;
  const verifier = new ApiKeyVerifier(database.prisma);
  const bus = new InProcessEventBus((error) => logger.error('event listener failed', describeError(error)));
  const publish = publishCommitted(bus, database.sql, logger);
  const host = options.plugins;
  let plugins: PluginRuntime | null = null;
  const runner = new CommandRunner({
    prisma: database.prisma,
    beforeCommit: host ? [host.commitHook] : [],
    onCommitted: (events) => {
      // A revoked key stops working on this instance at once (others: within the verifier's cache time).
      for (const event of events) if (event.type === 'apikey.revoked') verifier.forget(event.subjectId);
      publish(events);
      plugins?.dispatch(events);
    },
  });
  if (host?.plugins.length) {
    plugins = host.start({
      runner,
      prisma: database.prisma,
      policy: options.pluginDelivery,
      onFailure: (failure) => logger.error('plugin subscriber failed', { ...failure, error: describeError(failure.error).error }),
      onJobError: (error, where) => logger.error('plugin job failed', { ...where, ...describeError(error) }),
    });
  }
  const relay = new OutboxRelay({ sql: database.sql, bus, logger, ...options.relay });
  const schema = buildSchema({ extend: [...(host ? [host.extendSchema] : []), ...(options.extend ?? [])] });
  const app = createGraphQLApp({ schema, verifier, runner, logger, limits: options.limits, rateLimit: options.rateLimit, live: bus });
  const server = createHttpServer({ app, database, logger, maxBodyBytes: options.maxBodyBytes });
  server.keepAliveTimeout = 65_000;
  const sockets = attachGraphQLWebSocket({ server, app, verifier, runner, live: bus });

  return {
    server,
    app,
    schema,
    runner,
    verifier,
    bus,
    relay,
    plugins,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          relay.start();
          // Events whose subscribers never ran (a crash right after commit) are delivered now.
          plugins?.catchUp().catch((error: unknown) => logger.error('plugin catch-up failed', describeError(error)));
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}`);
        });
      }),
    async close(graceMs = 10_000) {
      const deadline = Date.now() + graceMs;
      await relay.stop();
      // WebSockets first (1001 Going away): the http server would otherwise wait for them until the grace ends.
      await sockets.close();
      if (server.listening) {
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => server.closeAllConnections(), graceMs);
          server.close(() => {
            clearTimeout(force);
            resolve();
          });
          server.closeIdleConnections();
        });
      }
      // Connections can be gone (the client hung up) while their requests still run: wait for those too, so the
      // database is not closed under them.
      await server.drained(Math.max(0, deadline - Date.now()));
      await plugins?.stop();
    },
  };
}
