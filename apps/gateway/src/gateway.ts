import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiKeyVerifier, CommandRunner } from '@crm/core';
import type { Database } from '@crm/db';
import { type BuildSchemaOptions, buildSchema } from '@crm/graph';
import type { QueryLimits } from './armor.js';
import type { RateLimitOptions } from './rate-limit.js';
import { createGraphQLApp, type GraphQLApp } from './graphql-app.js';
import { createHttpServer } from './http-server.js';
import { createLogger, type Logger } from './logger.js';

export interface GatewayOptions {
  /** An open database; the gateway uses it but does not close it. */
  database: Database;
  logger?: Logger;
  limits?: QueryLimits;
  /** Operations per API key. @default 3000 per minute, bursts of 300 (`perMinute: 0` turns it off) */
  rateLimit?: RateLimitOptions;
  /** Schema extensions (plugins' GraphQL contributions). */
  extend?: BuildSchemaOptions['extend'];
  /** Largest request body. @default 1 MiB */
  maxBodyBytes?: number;
}

export interface Gateway {
  readonly server: http.Server;
  readonly app: GraphQLApp;
  readonly runner: CommandRunner;
  readonly verifier: ApiKeyVerifier;
  /** Starts listening; resolves with the base URL (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<string>;
  /** Stops accepting connections and waits (up to `graceMs`) for requests in flight. */
  close(graceMs?: number): Promise<void>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const logger = options.logger ?? createLogger();
  const { database } = options;
  const verifier = new ApiKeyVerifier(database.prisma);
  const runner = new CommandRunner({
    prisma: database.prisma,
    // A revoked key stops working on this instance at once (others: within the verifier's cache time).
    onCommitted: (events) => {
      for (const event of events) if (event.type === 'apikey.revoked') verifier.forget(event.subjectId);
    },
  });
  const schema = buildSchema({ extend: options.extend });
  const app = createGraphQLApp({ schema, verifier, runner, logger, limits: options.limits, rateLimit: options.rateLimit });
  const server = createHttpServer({ app, database, logger, maxBodyBytes: options.maxBodyBytes });
  server.keepAliveTimeout = 65_000;

  return {
    server,
    app,
    runner,
    verifier,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}`);
        });
      }),
    async close(graceMs = 10_000) {
      const deadline = Date.now() + graceMs;
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
    },
  };
}
