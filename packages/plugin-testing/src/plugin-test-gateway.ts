import { type RecordedEvent, toRecordedEvent } from '@crm/core';
import { ensurePGliteTemplate } from '@crm/db/testing';
import { createGateway, createLogger, type Gateway } from '@crm/gateway';
import { type TestGateway, type TestGatewayOptions, startTestGateway, openWsClient, SubscriptionCollector, TestClient } from '@crm/gateway/testing';
import type { Plugin } from '@crm/plugin-sdk';
import { createPluginHost, loadPlugins, type PluginHost } from '@crm/plugin-sdk/host';
import { printSchema } from 'graphql';
import type { Client } from 'graphql-ws';

export interface PluginTestOptions {
  /** Your plugin(s). Plugins they require are taken from the bundled ones when not listed. */
  plugins: readonly Plugin[];
  /** @default 'pglite' (in-memory, from a migrated template); 'postgres' makes a throwaway PostgreSQL database. */
  database?: 'pglite' | 'postgres';
  /** Subscriber retries. @default { attempts: 3, backoffMs: 10 } (fast tests) */
  delivery?: { attempts?: number; backoffMs?: number };
  /** The host's bound on causal chains (`PLUGIN_MAX_CHAIN_DEPTH`). @default 32 */
  maxChainDepth?: number;
  /**
   * Whether your plugin's jobs also run on their own timers (as in production); false: only when the test runs them
   * (`gateway.plugins.runJob`), so a timer's run cannot take a workspace's turn or lock beside the test's. @default true
   */
  jobTimers?: boolean;
  /** The gateway's per-key rate limit; `{ perMinute: 0 }` turns it off (benchmarks). @default the gateway's */
  rateLimit?: TestGatewayOptions['rateLimit'];
  /**
   * Refusals of your routes with `limitRefusals`, per client address (`{ perMinute: 0 }`: off). @default the
   * gateway's, as in production (10 a minute, bursts of 20): a test that depends on the limit sets it.
   */
  routeFailures?: TestGatewayOptions['routeFailures'];
  /** Reverse proxies in front (X-Forwarded-For names the client: see the gateway's option). @default 0 */
  trustProxyHops?: number;
  /** Webhook delivery and plugins' outgoing HTTP (`allowPrivateTargets: true` for receivers on this machine). */
  webhooks?: TestGatewayOptions['webhooks'];
  /**
   * The trash's retention (`{ days: 30 }`); `gateway.trashRetention.runOnce(now)` then destroys what was trashed
   * before `now` minus the days, as the hourly job does. @default none (nothing is destroyed)
   */
  trashRetention?: TestGatewayOptions['trashRetention'];
}

export interface PluginTestGateway extends TestGateway {
  host: PluginHost;
  /** The schema the gateway serves, in SDL (assert what your plugin adds, or that nothing is left when it is off). */
  schema: string;
  /** A graphql-ws client with the first workspace's ADMIN key (or another key). Closed by `close()`. */
  ws(apiKey?: string): Client;
  /** Subscribes and collects results: `await sub.take(2)`. */
  subscribe<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, apiKey?: string): SubscriptionCollector<T>;
  /** Waits until every event delivered so far has been handled by the subscribers (and what they emitted, too). */
  settled(): Promise<void>;
  /**
   * The newest committed event of `type` (in `workspaceId`, default the first workspace's), as subscribers receive
   * it: hand it to `gateway.plugins.dispatch` again to prove a subscriber is idempotent.
   */
  lastEvent(type: string, workspaceId?: string): Promise<RecordedEvent>;
  /** The newest `take` committed events of `type` (default 10), newest first; same use as `lastEvent`. */
  recentEvents(type: string, options?: { take?: number; workspaceId?: string }): Promise<RecordedEvent[]>;
  /**
   * A client (the first workspace's ADMIN key, or another key) of a second gateway on the same database and plugins
   * with the read engine off: every read runs the resolvers. Compare its answers with the first gateway's to prove
   * that your declared objects read the same both ways. Closed by `close()`.
   */
  resolversClient(apiKey?: string): Promise<TestClient>;
}

/** Adds the bundled plugins that `plugins` require (transitively) but do not list. */
async function withRequirements(plugins: readonly Plugin[]): Promise<Plugin[]> {
  const all = [...plugins];
  const missing = () => all.flatMap((p) => p.requires.plugins).filter((id) => !all.some((p) => p.id === id));
  if (!missing().length) return all;
  const { available } = await loadPlugins({ env: { CRM_PLUGINS: '' } });
  for (let ids = missing(); ids.length; ids = missing()) {
    const found = available.filter((a) => ids.includes(a.id));
    if (!found.length) break; // the host reports what is still missing
    all.push(...found.map((a) => a.plugin));
  }
  return all;
}

/**
 * Builds the migrated database template for these plugins once: call it from a vitest `globalSetup`, so that test
 * files running in parallel do not each build it (a few seconds each).
 */
export async function preparePluginDatabase(plugins: readonly Plugin[]): Promise<void> {
  await ensurePGliteTemplate(createPluginHost(await withRequirements(plugins)).migrations);
}

/**
 * A real gateway on a free port with your plugins, its database migrated with core's and your migrations, and a
 * first workspace whose ADMIN client is `workspace.client`. Close it in `afterAll`.
 */
export async function startPluginTestGateway(options: PluginTestOptions): Promise<PluginTestGateway> {
  const host = createPluginHost(await withRequirements(options.plugins));
  const base = await startTestGateway({
    database: options.database ?? 'pglite',
    plugins: host,
    migrations: host.migrations,
    pluginDelivery: options.delivery ?? { attempts: 3, backoffMs: 10 },
    ...(options.maxChainDepth ? { pluginMaxChainDepth: options.maxChainDepth } : {}),
    ...(options.jobTimers === false ? { pluginJobTimers: false } : {}),
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.routeFailures ? { routeFailures: options.routeFailures } : {}),
    ...(options.trustProxyHops ? { trustProxyHops: options.trustProxyHops } : {}),
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
    ...(options.trashRetention ? { trashRetention: options.trashRetention } : {}),
  });
  const clients: Client[] = [];
  let resolvers: Promise<{ gateway: Gateway; url: string }> | null = null;
  const ws = (apiKey: string = base.workspace.apiKey) => {
    const client = openWsClient(base.wsUrl, apiKey);
    clients.push(client);
    return client;
  };
  return {
    ...base,
    host,
    schema: printSchema(base.gateway.schema),
    ws,
    subscribe: (query, variables, apiKey) => new SubscriptionCollector(ws(apiKey), query, variables),
    settled: async () => {
      await base.gateway.plugins?.settled();
    },
    lastEvent: async (type, workspaceId = base.workspace.workspaceId) =>
      toRecordedEvent(
        await base.database.prisma.event.findFirstOrThrow({ where: { type, workspaceId, seq: { not: null } }, orderBy: { seq: 'desc' } }),
      ),
    recentEvents: async (type, { take = 10, workspaceId = base.workspace.workspaceId } = {}) =>
      (
        await base.database.prisma.event.findMany({ where: { type, workspaceId, seq: { not: null } }, orderBy: { seq: 'desc' }, take })
      ).map(toRecordedEvent),
    resolversClient: async (apiKey = base.workspace.apiKey) => {
      resolvers ??= (async () => {
        const gateway = createGateway({ database: base.database, plugins: host, sqlProjection: false, clvRefresh: false, plannerStatistics: false, logger: createLogger('error') });
        return { gateway, url: await gateway.listen(0) };
      })();
      return new TestClient((await resolvers).url, apiKey);
    },
    async close() {
      await Promise.all(clients.map((c) => c.dispose()));
      if (resolvers) await (await resolvers).gateway.close(1000);
      await base.close();
    },
  };
}
