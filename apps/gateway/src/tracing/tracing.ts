import type http from 'node:http';
import type { SqlStatementObserver } from '@crm/db';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.js';

/**
 * OpenTelemetry tracing of requests: a span per HTTP request, a child per GraphQL operation, and children per SQL
 * statement. Exists only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; OpenTelemetry is not even loaded otherwise.
 */
export interface Tracing {
  /** Wraps every statement Prisma sends (give it to `openDatabase`). */
  readonly observeSql: SqlStatementObserver;
  /** Handles one HTTP request inside its span. */
  inRequestSpan(req: http.IncomingMessage, res: http.ServerResponse, handle: () => Promise<void>): Promise<void>;
  /** The GraphQL operation span (graphql-yoga instrumentation). */
  yogaPlugin(): Plugin;
  /** Sends what is still buffered and stops. */
  shutdown(): Promise<void>;
}

export interface TracingSettings {
  /** The OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  /** `OTEL_SERVICE_NAME`. @default "crm-gateway" */
  serviceName?: string;
  logger: Logger;
}

/** Starts tracing when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (OpenTelemetry is imported only then); null otherwise. */
export async function startTracingFromEnv(logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<Tracing | null> {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) return null;
  const { startTracing } = await import('./otel-tracing.js');
  return startTracing({ endpoint, serviceName: env.OTEL_SERVICE_NAME?.trim() || undefined, logger });
}
