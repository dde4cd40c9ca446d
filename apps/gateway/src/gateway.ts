import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import { ApiKeyVerifier, CommandRunner, loadWorkspaceDefinitions, noDefinitions, type RecordedEvent, type WorkspaceDefinitions } from '@crm/core';
import { type Database, withoutDeadline } from '@crm/db';
import { type BuildSchemaOptions, buildSchema, catalogOf } from '@crm/graph';
import type { PluginHost, PluginRuntime } from '@crm/plugin-sdk/host';
import { ClvRefresher, type ClvRefresherOptions } from './analytics/clv-refresher.js';
import { MonthEndSnapshots, type MonthEndSnapshotSettings } from './analytics/month-end-snapshots.js';
import type { QueryLimits } from './armor.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { type MetricsOptions, metricsRoute } from './metrics/metrics-route.js';
import { useOperationOutcomes } from './metrics/operation-outcomes.js';
import { createRateLimiter, type RateLimiter, type RateLimitOptions, useRateLimit } from './rate-limit/plugin.js';
import { type RouteFailureOptions, routeFailureLimit } from './rate-limit/route-failures.js';
import { clientAddress } from './client-address.js';
import type { Tracing } from './tracing/tracing.js';
import { type ExposureOptions, exposureFromEnv } from './exposure.js';
import { useRequestDeadline } from './request-deadline.js';
import { type TrustedDocuments, trustedDocumentsFromEnv, useTrustedDocuments } from './trusted-documents.js';
import { WorkspaceTrustedDocuments } from './trusted-documents-workspace.js';
import { dashboardBuilt, dashboardRoute } from './dashboard-files.js';
import { createGraphQLApp, type GraphQLApp } from './graphql-app.js';
import { customFieldIndexes } from './custom-fields/field-indexes.js';
import { schemaFileRoute } from './custom-fields/schema-file-route.js';
import { WorkspaceSchemas } from './custom-fields/workspace-schemas.js';
import { exportRoute } from './export-route.js';
import { createHttpServer } from './http-server.js';
import { pluginPanelRoute } from './plugin-panel-files.js';
import { InProcessEventBus, type EventBus } from './live/event-bus.js';
import { EventRetention, type EventRetentionSettings } from './live/event-retention.js';
import { OutboxRelay, type OutboxRelayOptions } from './live/outbox-relay.js';
import { CommittedPublisher } from './live/publisher.js';
import { RedisEventBus, type RedisEventBusOptions } from './live/redis-event-bus.js';
import { SessionGuard } from './live/session-guard.js';
import { useLiveSessions } from './live/live-sessions.js';
import { attachGraphQLWebSocket } from './live/websocket-server.js';
import { accessOf } from './authenticate.js';
import { createLogger, describeError, type Logger } from './logger.js';
import { TrashRetention, type TrashRetentionSettings } from './trash-retention.js';
import { PlannerStatistics, type PlannerStatisticsSettings } from './planner-statistics-job.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import type { WebhookDeliveryOptions } from './webhooks/options.js';
import { outboundHttp } from './webhooks/outbound-http.js';

export interface GatewayOptions {
  /** An open database; the gateway uses it but does not close it. */
  database: Database;
  logger?: Logger;
  limits?: QueryLimits;
  /**
   * Operations per API key. @default 3000 per minute, bursts of 300 (`perMinute: 0` turns it off). Shared by the
   * instances on one Redis when `redis` is set.
   */
  rateLimit?: RateLimitOptions;
  /**
   * Refused requests to the plugin routes that opt in (a wrong webhook URL), per route, workspace and client address.
   * @default 10 per minute, bursts of 20 (`perMinute: 0` turns it off). Shared like `rateLimit`.
   */
  routeFailures?: RouteFailureOptions;
  /**
   * Reverse proxies in front of the gateway: a request's client address is then the n-th entry from the right of
   * X-Forwarded-For (client-address.ts), as the route-failure limit counts it. @default 0 (the socket's address)
   */
  trustProxyHops?: number;
  /** Prometheus metrics on /metrics (see metrics/metrics-route.ts for who may read them); `false` turns them off. @default {} */
  metrics?: MetricsOptions | false;
  /** OpenTelemetry tracing (`startTracingFromEnv`); open the database with its `observeSql` too. */
  tracing?: Tracing | null;
  /** Schema extensions (after the plugins'). */
  extend?: BuildSchemaOptions['extend'];
  /** Enabled plugins (`pluginHostFromEnvironment`); their migrations must already be applied. */
  plugins?: PluginHost;
  /** Subscriber retry policy for every plugin (tests shorten the backoff). */
  pluginDelivery?: { attempts?: number; backoffMs?: number };
  /** The plugin host's bound on causal chains (`PLUGIN_MAX_CHAIN_DEPTH`, docs/architecture.md "Causal chains"). @default 32 */
  pluginMaxChainDepth?: number;
  /** Whether plugins' scheduled jobs run on their own timers; false: only when run by hand (`plugins.runJob`: tests). @default true */
  pluginJobTimers?: boolean;
  /** Largest request body. @default 1 MiB */
  maxBodyBytes?: number;
  /** Largest multipart (file upload) request body, `MAX_UPLOAD_BYTES`. @default 100 MiB */
  maxUploadBytes?: number;
  /** Answer the hot list queries with one SQL statement (see sql-projection.ts). @default true */
  sqlProjection?: boolean;
  /** Outbox relay timing (tests shorten it). */
  relay?: Pick<OutboxRelayOptions, 'staleAfterMs' | 'intervalMs'>;
  /** Webhook delivery (targets allowed, retries, timing; tests shorten them). */
  webhooks?: WebhookDeliveryOptions;
  /** Fan events out across gateway instances through Redis (`REDIS_URL`); unset keeps them in-process. */
  redis?: Omit<RedisEventBusOptions, 'logger'>;
  /** Deleting old events (`EVENT_RETENTION_DAYS`). @default 365 days, checked hourly */
  retention?: EventRetentionSettings;
  /** Destroying trashed records after `TRASH_RETENTION_DAYS` (docs/data.md). */
  trashRetention?: TrashRetentionSettings;
  /** Analyzes tables that grew without planner statistics (planner-statistics-job.ts); `false`: never. */
  plannerStatistics?: PlannerStatisticsSettings | false;
  /** Observes every batch of committed events right after commit, before publishing (metrics, benchmarks). Must not throw. */
  onCommitted?: (events: readonly RecordedEvent[]) => void;
  /** Background refits of the lifetime-value model after purchases (`false` turns them off). */
  clvRefresh?: Pick<ClvRefresherOptions, 'debounceMs' | 'maxDelayMs'> | false;
  /** graphql-ws sockets: write batching window and keep-alive (see live/write-batcher.ts). */
  webSocket?: { flushWindowMs?: number; keepAliveMs?: number };
  /** The month-end segment snapshots job (a fit as of each closed month's last day); `false` turns it off. */
  monthEndSnapshots?: MonthEndSnapshotSettings | false;
  /**
   * How long a GraphQL request may take before it is answered `TIMEOUT` (`REQUEST_TIMEOUT_MS`); also how long each
   * page statement of an export (`GET /export/…`) may take. @default 10000
   */
  requestTimeoutMs?: number;
  /** Rows per page statement of `GET /export/…` exports. @default 2000 */
  exportPageSize?: number;
  /** Run only these documents (`CRM_TRUSTED_DOCUMENTS`); null runs any. @default from the environment */
  trustedDocuments?: TrustedDocuments | null;
  /** Introspection, GraphiQL and CORS. @default from the environment: `CRM_INTROSPECTION`, `CORS_ORIGINS`, `NODE_ENV` */
  exposure?: ExposureOptions;
  /** How often the keys of live connections are re-checked (see live/session-guard.ts). @default 5000 */
  sessionCheckMs?: number;
  /** The dashboard's built files (apps/dashboard/dist), served at /app when they exist. */
  dashboardDir?: string | null;
}

export interface Gateway {
  readonly server: http.Server;
  readonly app: GraphQLApp;
  /** The composed schema (core + plugins), as a workspace without custom fields sees it. */
  readonly schema: GraphQLSchema;
  /** Each workspace's schema with its custom fields. */
  readonly workspaceSchemas: WorkspaceSchemas;
  readonly runner: CommandRunner;
  readonly verifier: ApiKeyVerifier;
  /** Committed events, fanned out to subscriptions. */
  readonly bus: EventBus;
  readonly relay: OutboxRelay;
  /** Delivers webhooks from the event log. */
  readonly webhooks: WebhookDispatcher;
  readonly retention: EventRetention;
  readonly trashRetention: TrashRetention;
  readonly plannerStatistics: PlannerStatistics | null;
  /**
   * Subscriptions listening for events on this instance: bus listeners, counting each subscriber of a shared
   * execution (identical `events` subscriptions run once) on its own. Tests wait on it.
   */
  readonly liveSubscribers: number;
  /** Refits lifetime-value models after purchases; null when turned off. */
  readonly clvRefresher: ClvRefresher | null;
  readonly monthEndSnapshots: MonthEndSnapshots | null;
  /** Event delivery to plugin subscribers; null without plugins. */
  readonly plugins: PluginRuntime | null;
  /** The Prometheus metrics; null when turned off. */
  readonly metrics: GatewayMetrics | null;
  /** Per-key rate limiting; null when turned off. */
  readonly rateLimiter: RateLimiter | null;
  /** Starts listening; resolves with the base URL (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<string>;
  /** Stops accepting connections and waits (up to `graceMs`) for requests in flight. */
  close(graceMs?: number): Promise<void>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const logger = options.logger ?? createLogger();
  const { database } = options;
  const verifier = new ApiKeyVerifier(database.prisma);
  // Read only when scraped, by which time `bus` and `sockets` exist.
  const metrics = options.metrics === false ? null : new GatewayMetrics({ database, liveSubscribers: () => liveSubscribers() });
  // Every batch the bus delivers to this process, from any instance: the runner's cached workspace facts (whether a
  // workspace has segments, plugins' switches) and the plugin subscribers' interests follow the changes other
  // instances commit.
  const onDelivered = (events: readonly RecordedEvent[]) => {
    runner.notice(events);
    plugins?.notice(events);
    metrics?.eventsDelivered(events);
  };
  const bus: EventBus = options.redis
    ? new RedisEventBus({ ...options.redis, logger, onDelivered })
    : new InProcessEventBus((error) => logger.error('event listener failed', describeError(error)), onDelivered);
  const trustedDocuments = options.trustedDocuments === undefined ? trustedDocumentsFromEnv() : options.trustedDocuments;
  const guard = new SessionGuard({ prisma: database.prisma, verifier, bus, logger, checkEveryMs: options.sessionCheckMs });
  let clvRefresher: ClvRefresher | null = null;
  const publisher = new CommittedPublisher(bus, database.sql, logger);
  const host = options.plugins;
  let plugins: PluginRuntime | null = null;
  const runner = new CommandRunner({
    prisma: database.prisma,
    beforeCommit: host ? [host.commitHook] : [],
    personalData: host?.personalData,
    fieldUsage: host?.fieldUsage,
    pluginObjects: host?.objects,
    // What a commit sets off outlives the request that committed: it runs free of that request's deadline.
    onCommitted: (events) =>
      withoutDeadline(() => {
        // A revoked key (or deactivated user) stops working on this instance at once; other instances hear of it on
        // the bus while they hold live sessions of that workspace, and within the verifier's cache time otherwise.
        guard.notice(events);
        workspaceSchemas?.notice(events);
        options.onCommitted?.(events);
        publisher.publish(events);
        webhooks.notifyCommitted(events);
        clvRefresher?.notice(events);
        plugins?.dispatch(events);
      }),
  });
  // The catalog is read when delivering, by which time `schema` exists.
  const webhooks = new WebhookDispatcher({ sql: database.sql, runner, logger, catalog: () => catalogOf(schema), eventReaders: host?.eventReaders }, options.webhooks);
  if (options.clvRefresh !== false) clvRefresher = new ClvRefresher({ runner, logger, ...options.clvRefresh });
  const routeFailures = host?.plugins.length ? routeFailureLimit(options.routeFailures, options.redis, logger) : null;
  if (host?.plugins.length) {
    plugins = host.start({
      runner,
      prisma: database.prisma,
      policy: options.pluginDelivery,
      ...(options.pluginMaxChainDepth ? { maxChainDepth: options.pluginMaxChainDepth } : {}),
      ...(options.pluginJobTimers === false ? { jobTimers: false } : {}),
      onChainCut: (cut) => logger.warn('plugin delivery skipped: causal chain past the bound', { ...cut, handler: `subscriber ${cut.subscriber} on ${cut.eventType}` }),
      // Queue work and interest changes reach the other instances at once (PostgreSQL's LISTEN/NOTIFY).
      notifications: database.notifications,
      http: outboundHttp({ ...webhooks.options, logger }),
      ...(routeFailures ? { routeFailures } : {}),
      clientAddress: (req) => clientAddress(req, options.trustProxyHops ?? 0),
      onQueueError: (error, where) => logger.error('plugin queue failed', { ...where, handler: `queue ${where.queue}`, ...describeError(error) }),
      onFailure: ({ error, ...failure }) =>
        logger.error('plugin subscriber failed', { ...failure, handler: `subscriber ${failure.subscriber} on ${failure.eventType}`, ...describeError(error) }),
      onJobError: (error, where) => logger.error('plugin job failed', { ...where, handler: `job ${where.job}`, ...describeError(error) }),
      onJobSkipped: (skip) => logger.warn('plugin job tick skipped: its last run is still going', { ...skip, handler: `job ${skip.job}` }),
      onRouteError: (error, where) => logger.error('plugin route failed', { ...where, handler: `route ${where.route}`, ...describeError(error) }),
    });
  }
  // Events committed by other processes (the CLI's imports) reach the refresher when the relay publishes them, and
  // the plugins only when no live process delivers them: a live instance's are left to its own lanes (their retries
  // and catch-up), not delivered by two instances at once (docs/performance.md, "Session 20: two instances").
  const onRelayed = (events: readonly RecordedEvent[], orphaned: readonly RecordedEvent[]) => {
    clvRefresher?.notice(events);
    if (orphaned.length) plugins?.dispatch(orphaned);
  };
  const relay = new OutboxRelay({ sql: database.sql, claim: database.kind === 'postgres', bus, logger, ...options.relay, onRelayed, inFlight: publisher });
  const retention = new EventRetention({ sql: database.sql, logger, ...options.retention });
  const trashRetention = new TrashRetention({ sql: database.sql, runner, logger, ...options.trashRetention });
  const plannerStatistics = options.plannerStatistics === false ? null : new PlannerStatistics({ database, logger, ...options.plannerStatistics });
  const monthEndSnapshots =
    options.monthEndSnapshots === false
      ? null
      : new MonthEndSnapshots({
          runner,
          prisma: database.prisma,
          logger,
          exclusive: clvRefresher ? (workspaceId, task) => clvRefresher!.exclusive(workspaceId, task) : undefined,
          ...options.monthEndSnapshots,
        });
  const schemaOf = ({ fields: customFields, objects: customObjects }: WorkspaceDefinitions) => {
    const built = buildSchema({
      objects: host?.objects,
      extend: [...(host ? [host.extendSchema] : []), ...(options.extend ?? [])],
      webhooks: { allowPrivateTargets: webhooks.options.allowPrivateTargets },
      customFields,
      customObjects,
      customFieldStorage: customFieldIndexes(database),
      eventReaders: host?.eventReaders,
    });
    // A plugin switched off in a workspace: its fields there stop answering (see setPluginEnabled).
    return host ? host.guardSchema(built) : built;
  };
  const schema = schemaOf(noDefinitions);
  // Each workspace's schema with its custom fields (docs/custom-fields.md), rebuilt when its definitions change.
  const workspaceSchemas = new WorkspaceSchemas({
    base: schema,
    build: schemaOf,
    load: (workspaceId) => loadWorkspaceDefinitions(database.prisma, workspaceId),
    bus,
    logger,
  });
  const rateLimiter = createRateLimiter(options.rateLimit, options.redis, logger);
  const app = createGraphQLApp({
    schema,
    verifier,
    runner,
    maxUploadBytes: options.maxUploadBytes,
    maxBodyBytes: options.maxBodyBytes,
    logger,
    limits: options.limits,
    live: bus,
    sqlProjection: options.sqlProjection,
    onEngineDeclined: metrics?.engineDeclined,
    onEngineDeferred: metrics?.engineDeferred,
    plugins: [
      ...(options.tracing ? [options.tracing.yogaPlugin()] : []),
      ...(metrics ? [useOperationOutcomes(metrics)] : []),
      ...(rateLimiter ? [useRateLimit(rateLimiter, metrics?.rateLimitHit)] : []),
      useLiveSessions(guard, (session) => accessOf(session, runner, catalogOf(schema))),
      useRequestDeadline(),
      ...(trustedDocuments ? [useTrustedDocuments(trustedDocuments, { verifier, documents: new WorkspaceTrustedDocuments(workspaceSchemas) })] : []),
    ],
    exposure: { ...exposureFromEnv(), ...options.exposure },
    workspaceSchemas,
  });
  const routes = [
    schemaFileRoute(workspaceSchemas, verifier),
    exportRoute({ catalogFor: async (workspaceId) => catalogOf(await workspaceSchemas.forWorkspace(workspaceId)), verifier, sql: database.sql, logger, rateLimiter,
      pageTimeoutMs: options.requestTimeoutMs, pageSize: options.exportPageSize }),
    ...(metrics ? [metricsRoute(metrics, options.metrics || {})] : []),
    ...(host?.panels.length ? [pluginPanelRoute(host)] : []),
    // Plugins' incoming HTTP (workflows' webhook triggers): `POST /plugins/<plugin>/<route>/<workspaceId>/…`.
    ...(plugins ? [(req: http.IncomingMessage, res: http.ServerResponse) => plugins!.route(req, res)] : []),
    ...(dashboardBuilt(options.dashboardDir) ? [dashboardRoute(options.dashboardDir)] : []),
  ];
  const server = createHttpServer({
    app,
    database,
    logger,
    maxBodyBytes: options.maxBodyBytes,
    maxUploadBytes: options.maxUploadBytes,
    routes,
    requestTimeoutMs: options.requestTimeoutMs,
    onFinished: metrics ? (request) => metrics.requestFinished(request) : undefined,
    traceRequest: options.tracing?.inRequestSpan,
  });
  server.keepAliveTimeout = 65_000;
  const sockets = attachGraphQLWebSocket({ server, app, verifier, runner, catalog: catalogOf(schema), live: bus, guard, workspaceSchemas, requestTimeoutMs: options.requestTimeoutMs, trustedDocuments, ...options.webSocket });
  const liveSubscribers = () => bus.subscriberCount - guard.busListeners - workspaceSchemas.busListeners - sockets.shared.executions + sockets.shared.subscribers;

  return {
    server,
    app,
    schema,
    workspaceSchemas,
    runner,
    verifier,
    bus,
    relay,
    webhooks,
    retention,
    trashRetention,
    plannerStatistics,
    get liveSubscribers() {
      return liveSubscribers();
    },
    clvRefresher,
    monthEndSnapshots,
    plugins,
    metrics,
    rateLimiter,
    async listen(port, host = '127.0.0.1') {
      // Alive as a deliverer before it serves: other instances' relays leave the events it commits to its plugins.
      if (plugins) await database.presence?.hold();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          relay.start();
          webhooks.start();
          retention.start();
          trashRetention.start();
          plannerStatistics?.start();
          monthEndSnapshots?.start();
          // Events whose subscribers never ran (a crash right after commit) are delivered now.
          plugins?.catchUp().catch((error: unknown) => logger.error('plugin catch-up failed', describeError(error)));
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}`);
        });
      });
    },
    async close(graceMs = 10_000) {
      const deadline = Date.now() + graceMs;
      await relay.stop();
      await clvRefresher?.stop();
      await webhooks.stop();
      await retention.stop();
      await trashRetention.stop();
      await plannerStatistics?.stop();
      await monthEndSnapshots?.stop();
      // WebSockets first (1001 Going away): the http server would otherwise wait for them until the grace ends.
      await sockets.close();
      guard.close();
      workspaceSchemas.close();
      if (server.listening) {
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => server.closeAllConnections(), graceMs);
          server.close(() => {
            clearTimeout(force);
            resolve();
          });
          server.endKeepAlive();
        });
      }
      // Connections can be gone (the client hung up) while their requests still run: wait for those too, so the
      // database is not closed under them.
      await server.drained(Math.max(0, deadline - Date.now()));
      await plugins?.stop();
      await publisher.flush();
      // Its undelivered events (none delivered by a stopped runtime) go to the other instances' relays.
      await database.presence?.release();
      await bus.close();
      await rateLimiter?.buckets.close();
      await routeFailures?.buckets.close();
    },
  };
}
