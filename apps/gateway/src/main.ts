#!/usr/bin/env node
// `npm start`: opens (and migrates) the configured database, creates the demo workspace on an empty one, serves
// GraphQL, prints where and with which key, and shuts down gracefully on SIGTERM/SIGINT.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type Database, DataDirInUseError, databaseConfigFromEnv, describeDatabase, openDatabase, requestTimeoutFromEnv } from '@crm/db';
import { DASHBOARD_PATH, dashboardBuilt } from './dashboard-files.js';
import { maxChainDepthFromEnv, type PluginHost, PluginHostError, pluginHostFromEnvironment } from '@crm/plugin-sdk/host';
import { type DemoWorkspace, ensureDemoWorkspace } from './demo-workspace.js';
import { exposureFromEnv } from './exposure.js';
import { createGateway, type Gateway } from './gateway.js';
import { retentionDaysFromEnv } from './live/event-retention.js';
import { trashRetentionDaysFromEnv } from './trash-retention.js';
import { warmUp } from './warm-up.js';
import { redisOptionsFromEnv } from './live/redis-event-bus.js';
import { createLogger, describeError } from './logger.js';
import { metricsOptionsFromEnv } from './metrics/metrics-route.js';
import { routeFailureOptionsFromEnv } from './rate-limit/route-failures.js';
import { trustProxyHopsFromEnv } from './client-address.js';
import { startTracingFromEnv } from './tracing/tracing.js';
import { webhookOptionsFromEnv } from './webhooks/options.js';

const logger = createLogger();

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function portFromEnv(): number {
  const raw = process.env.PORT?.trim() || '4000';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) fail(`PORT must be a port number from 0 to 65535 (got "${raw}")`);
  return port;
}

const port = portFromEnv();
const host = process.env.HOST?.trim() || '127.0.0.1';
const config = databaseConfigFromEnv();
/** The dashboard's built files; `npm start` builds them. */
const dashboardDir = process.env.CRM_DASHBOARD_DIR?.trim() || fileURLToPath(new URL('../../dashboard/dist', import.meta.url));
/** `CRM_DEMO=0` skips the demo workspace on an empty database (production PostgreSQL). */
const demoWanted = !['0', 'false', 'off', 'no'].includes((process.env.CRM_DEMO ?? '').trim().toLowerCase());

// Signals during start-up (opening, migrating, seeding the demo) wait for the current step, then stop cleanly.
let ready = false;
let stopRequested: NodeJS.Signals | null = null;
/** Set by `shutdown`; declared before the first `await`, since a signal during start-up calls `shutdown` from there. */
let stopping = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (ready) return void shutdown(signal);
  if (stopRequested) {
    console.error(`Second ${signal} during start-up: exiting at once.`);
    process.exit(1);
  }
  stopRequested = signal;
  logger.info('stop requested during start-up: stopping after the current step', { signal });
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

// Plugins first: a wrong plugin list stops the start with every problem listed, before the database is touched.
let plugins: PluginHost;
try {
  const { host, loaded } = await pluginHostFromEnvironment();
  plugins = host;
  logger.info('plugins', { enabled: host.plugins.map((p) => `${p.id}@${p.version}`), selectedBy: loaded.selectedBy });
} catch (error) {
  fail(error instanceof PluginHostError ? error.message : `Cannot load the plugins: ${describeError(error).error}`);
}

// Before the database opens: its statements are traced too. Nothing of OpenTelemetry loads without the endpoint.
const tracing = await startTracingFromEnv(logger);

let database: Database;
try {
  const started = Date.now();
  // An instance id only where this process delivers to plugins (`instance` in @crm/db's OpenDatabaseOptions).
  database = await openDatabase(config, { observeSql: tracing?.observeSql, ...(plugins.plugins.length ? { instance: randomUUID() } : {}) });
  // Core's migrations ran while opening; then the plugins', in dependency order.
  await database.migrate(plugins.migrations).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  logger.info('database ready', { database: describeDatabase(config), ms: Date.now() - started });
} catch (error) {
  fail(error instanceof DataDirInUseError ? error.message : `Cannot open the ${describeDatabase(config)}: ${describeError(error).error}`);
}

let gateway: Gateway | undefined;
let url: string;
let demo: DemoWorkspace | null = null;
try {
  if (stopRequested) await shutdown(stopRequested);
  if (demoWanted) {
    const started = Date.now();
    demo = await ensureDemoWorkspace(database, config, plugins);
    if (demo.created) logger.info('demo workspace created', { ms: Date.now() - started });
  }
  // RATE_LIMIT_PER_MINUTE=0 turns per-key rate limiting off (load tests); unset keeps the default.
  const perMinute = process.env.RATE_LIMIT_PER_MINUTE;
  // MAX_BODY_BYTES raises the 1 MiB request limit (order imports of several MB through importOrders).
  const maxBodyBytes = Number(process.env.MAX_BODY_BYTES) || undefined;
  // MAX_UPLOAD_BYTES: the limit of multipart uploads (importRecords' CSV files), 100 MiB by default.
  const maxUploadBytes = Number(process.env.MAX_UPLOAD_BYTES) || undefined;
  const routeFailures = routeFailureOptionsFromEnv();
  gateway = createGateway({
    database,
    logger,
    plugins,
    maxBodyBytes,
    maxUploadBytes,
    dashboardDir,
    webhooks: webhookOptionsFromEnv(),
    redis: redisOptionsFromEnv(),
    retention: { days: retentionDaysFromEnv() },
    metrics: metricsOptionsFromEnv(),
    tracing,
    requestTimeoutMs: requestTimeoutFromEnv(),
    trashRetention: { days: trashRetentionDaysFromEnv() },
    // PLANNER_STATISTICS=off: no analyzing of tables that grew without statistics (docs/operations.md).
    ...(process.env.PLANNER_STATISTICS?.trim().toLowerCase() === 'off' ? { plannerStatistics: false as const } : {}),
    ...(perMinute ? { rateLimit: { perMinute: Number(perMinute) } } : {}),
    // ROUTE_FAILURES_PER_MINUTE: refused webhook requests per client (0: off); TRUST_PROXY_HOPS: proxies in front.
    ...(routeFailures ? { routeFailures } : {}),
    trustProxyHops: trustProxyHopsFromEnv(),
    // PLUGIN_MAX_CHAIN_DEPTH: events of a deeper causal chain reach no plugin subscriber (docs/operations.md).
    pluginMaxChainDepth: maxChainDepthFromEnv(),
  });
  url = await gateway.listen(port, host);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(
    code === 'EADDRINUSE' ? `Port ${port} on ${host} is already in use: stop what uses it or set PORT.` : `Could not start: ${describeError(error).error}`,
  );
  await gateway?.close(0);
  await database.close();
  process.exit(1);
}

// A wildcard listen address is not somewhere to send requests: show localhost instead.
const shownUrl = url.replace(/^http:\/\/(0\.0\.0\.0|\[::\])/, 'http://localhost');
// Before the URL is shown, so the first page load after a start is as quick as the next ones (`CRM_WARM_UP=0`: skip).
if (demo?.apiKey && !['0', 'false', 'off', 'no'].includes((process.env.CRM_WARM_UP ?? '').trim().toLowerCase())) {
  await warmUp(shownUrl, demo.apiKey, logger);
}
if (stopRequested) await shutdown(stopRequested);
console.log(banner(shownUrl, demo));
ready = true;

function banner(base: string, demo: DemoWorkspace | null): string {
  const graphiql = exposureFromEnv().introspection === 'off' ? 'GraphiQL: set CRM_INTROSPECTION=1' : 'GraphiQL in a browser';
  const lines = ['', `  CRM gateway on ${describeDatabase(config)}`, `  GraphQL:   ${base}/graphql   (${graphiql}; /health, /ready)`];
  if (dashboardBuilt(dashboardDir)) lines.push(`  Dashboard: ${base}${DASHBOARD_PATH}   (sign in with the API key below)`);
  if (demo?.apiKey) {
    lines.push(`  Demo workspace${demo.created ? ' created' : ''}, ADMIN API key: ${demo.apiKey}`);
    if (demo.keyFile) lines.push(`  (kept in ${demo.keyFile}, shown at every start)`);
    else if (demo.created) lines.push('  (shown this once: only its hash is stored; copy it now)');
    lines.push(
      '',
      '  Try:',
      `  curl -s ${base}/graphql -H 'authorization: Bearer ${demo.apiKey}' -H 'content-type: application/json' \\`,
      `    -d '{"query":"{ customers(first: 3) { totalCount edges { node { name lifecycleStage lifetimeValue } } } }"}'`,
    );
  } else {
    const stopFirst = config.kind === 'pglite' ? ' (stop the gateway first: the embedded database serves one process)' : '';
    lines.push(`  API keys: npm run crm -- workspace create --name NAME, or npm run crm -- apikey create --workspace ID${stopFirst}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Stops accepting requests, lets those in flight finish (up to 10 s), closes the database, exits 0. */
async function shutdown(signal: NodeJS.Signals): Promise<never> {
  if (stopping) {
    logger.warn('second signal: exiting without waiting', { signal });
    process.exit(1);
  }
  stopping = true;
  logger.info('shutting down', { signal });
  try {
    await gateway?.close(10_000);
    await database?.close();
    await tracing?.shutdown();
    process.exit(0);
  } catch (error) {
    logger.error('shutdown failed', describeError(error));
    process.exit(1);
  }
}
