import type { RecordedEvent } from '@crm/core';
import type { Database } from '@crm/db';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { processMetrics } from './process-metrics.js';

/** A finished HTTP request, as the access log sees it. */
export interface FinishedRequest {
  path: string;
  operation: string | null;
  status: number;
  durationMs: number;
}

/** Figures read when Prometheus scrapes (never computed per request). */
export interface ScrapedFigures {
  database: Database;
  /** Subscriptions listening on this instance. */
  liveSubscribers(): number;
}

/** A figure read from the database at scrape time; when the database does not answer, the last value stays. */
async function scraped(read: () => Promise<number | null | undefined>, set: (value: number) => void): Promise<void> {
  try {
    set((await read()) ?? 0);
  } catch {
    // /ready reports the database; a scrape still returns every other figure.
  }
}

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
/** Distinct operation names kept as labels; any further one is counted as "other" (clients choose the names). */
const MAX_OPERATION_LABELS = 200;
/** Distinct read-engine decline reasons kept as labels. */
const MAX_DECLINE_REASONS = 100;

function routeOf(path: string): string {
  if (path === '/graphql' || path === '/health' || path === '/ready' || path === '/metrics') return path.slice(1);
  if (path === '/app' || path.startsWith('/app/')) return 'app';
  return 'other';
}

/**
 * The gateway's Prometheus metrics (prom-client), one registry per gateway so several gateways in one process
 * (tests) do not mix their figures; the process's own figures are shared (processMetrics). Everything per request
 * is a counter or histogram update; the database figures (pool, webhook and plugin backlogs) are read only when
 * scraped.
 */
export class GatewayMetrics {
  /** What /metrics serves: this gateway's figures and the process's. */
  readonly registry: Registry;
  private readonly operations = new Set<string>();
  private readonly requests: Counter<'route' | 'operation' | 'status'>;
  private readonly latency: Histogram<'route' | 'operation'>;
  private readonly outcomes: Counter<'operation' | 'code'>;
  private readonly rateLimited: Counter;
  private readonly engineDeclines: Counter<'reason'>;
  private readonly engineDeferrals: Counter<'reason'>;
  private readonly declineReasons = new Set<string>();
  private readonly busLag: Histogram;
  /** Label children per (route, operation, status): prom-client hashes labels on every call otherwise. */
  private readonly outcomeSeries = new Map<string, { inc(): void }>();
  private readonly requestSeries = new Map<string, { count: { inc(): void }; latency: { observe(value: number): void } }>();

  constructor(figures: ScrapedFigures) {
    const own = new Registry();
    const registers = [own];
    this.requests = new Counter({ name: 'crm_http_requests_total', help: 'HTTP requests by route, GraphQL operation name and status', labelNames: ['route', 'operation', 'status'], registers });
    this.latency = new Histogram({
      name: 'crm_http_request_duration_seconds',
      help: 'Time from request to response end, by route and GraphQL operation name',
      labelNames: ['route', 'operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.outcomes = new Counter({
      name: 'crm_graphql_operations_total',
      help: 'GraphQL operations by name and outcome: "ok" or the first error\'s extensions.code',
      labelNames: ['operation', 'code'],
      registers,
    });
    this.rateLimited = new Counter({ name: 'crm_rate_limited_total', help: 'Operations refused by the per-key rate limit', registers });
    this.engineDeclines = new Counter({
      name: 'crm_read_engine_declines_total',
      help: 'Operations the read engine (one SQL statement per operation) left to the resolvers, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.engineDeferrals = new Counter({
      name: 'crm_read_engine_deferred_fields_total',
      help: 'Fields the read engine left to their resolvers while answering the rest of the operation in its statement, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.busLag = new Histogram({
      name: 'crm_event_bus_lag_seconds',
      help: "Time from an event's transaction to its delivery to this instance's subscribers",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    new Gauge({
      name: 'crm_live_subscribers',
      help: 'Subscriptions listening for events on this instance',
      registers,
      collect() {
        this.set(figures.liveSubscribers());
      },
    });
    const pool = figures.database.pool;
    if (pool) {
      new Gauge({
        name: 'crm_db_pool_connections',
        help: 'PostgreSQL pool connections by state (total, idle)',
        labelNames: ['state'],
        registers,
        collect() {
          this.set({ state: 'total' }, pool.totalCount);
          this.set({ state: 'idle' }, pool.idleCount);
        },
      });
      new Gauge({
        name: 'crm_db_pool_waiting',
        help: 'Requests waiting for a PostgreSQL pool connection',
        registers,
        collect() {
          this.set(pool.waitingCount);
        },
      });
    }
    const { sql } = figures.database;
    new Gauge({
      name: 'crm_webhook_deliveries_pending',
      help: 'Webhook deliveries waiting for their first attempt or a retry (all workspaces)',
      registers,
      async collect() {
        const read = async () => (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "WebhookDelivery" WHERE status = 'PENDING'`))[0]?.n;
        await scraped(read, (value) => this.set(value));
      },
    });
    new Gauge({
      name: 'crm_webhook_delivery_oldest_pending_seconds',
      help: 'Age of the oldest pending webhook delivery (0 when none)',
      registers,
      async collect() {
        const oldest = `SELECT extract(epoch FROM now() - min("createdAt"))::float8 AS s FROM "WebhookDelivery" WHERE status = 'PENDING'`;
        await scraped(async () => (await sql.query<{ s: number | null }>(oldest))[0]?.s, (value) => this.set(value));
      },
    });
    new Gauge({
      name: 'crm_plugin_deliveries_failed',
      help: 'Plugin subscriber deliveries that exhausted their retries and wait for catch-up (all workspaces)',
      registers,
      async collect() {
        const read = async () => (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "PluginDelivery" WHERE status = 'FAILED'`))[0]?.n;
        await scraped(read, (value) => this.set(value));
      },
    });
    this.registry = Registry.merge([processMetrics(), own]);
  }

  /** The label for a client-chosen operation name: bounded in number and shape. */
  operationLabel(name: string | null): string {
    if (name === null) return '';
    if (name === 'anonymous' || this.operations.has(name)) return name;
    if (!GRAPHQL_NAME.test(name)) return 'invalid';
    if (this.operations.size >= MAX_OPERATION_LABELS) return 'other';
    this.operations.add(name);
    return name;
  }

  requestFinished(request: FinishedRequest): void {
    const key = `${request.path}\n${request.operation}\n${request.status}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      const route = routeOf(request.path);
      const operation = this.operationLabel(request.operation);
      series = { count: this.requests.labels({ route, operation, status: String(request.status) }), latency: this.latency.labels({ route, operation }) };
      // Paths and names are the client's: past a bound, series are looked up without being kept.
      if (this.requestSeries.size < 2000) this.requestSeries.set(key, series);
    }
    series.count.inc();
    series.latency.observe(request.durationMs / 1000);
  }

  operationFinished(operation: string | null, code: string): void {
    const key = `${operation}\n${code}`;
    let series = this.outcomeSeries.get(key);
    if (!series) {
      series = this.outcomes.labels({ operation: this.operationLabel(operation ?? 'anonymous'), code });
      if (this.outcomeSeries.size < 2000) this.outcomeSeries.set(key, series);
    }
    series.inc();
  }

  rateLimitHit = (): void => {
    this.rateLimited.inc();
  };

  engineDeclined = (reason: string): void => {
    this.engineDeclines.inc({ reason: this.reasonLabel(reason) });
  };

  engineDeferred = (reason: string): void => {
    this.engineDeferrals.inc({ reason: this.reasonLabel(reason) });
  };

  /** Reasons name schema types and fields, but one (`node of X`) carries what a client sent: keep the set bounded. */
  private reasonLabel(reason: string): string {
    const label = reason.slice(0, 100);
    if (this.declineReasons.has(label)) return label;
    if (this.declineReasons.size >= MAX_DECLINE_REASONS) return 'other';
    this.declineReasons.add(label);
    return label;
  }

  eventsDelivered = (events: readonly RecordedEvent[]): void => {
    const now = Date.now();
    for (const event of events) this.busLag.observe(Math.max(0, now - event.occurredAt.getTime()) / 1000);
  };
}
