import { context, propagation, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { loggedPath } from '../logged-path.js';
import { describeError } from '../logger.js';
import type { Tracing, TracingSettings } from './tracing.js';

/** Longest `db.query.text` exported, in characters. */
const MAX_QUERY_TEXT = 1000;

/** Ends `span` when `work` settles, recording a failure as the span's error. */
async function within<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

/** The OpenTelemetry SDK behind {@link Tracing}: batched OTLP/HTTP (JSON) export, W3C trace context. */
export function startTracing(settings: TracingSettings): Tracing {
  const exporter = new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName ?? 'crm-gateway' }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // Registers the AsyncLocalStorage context manager and the W3C propagators globally: spans started while a
  // request is handled (GraphQL, SQL) find it as their parent.
  provider.register();
  const tracer = provider.getTracer('@crm/gateway');
  settings.logger.info('tracing on', { endpoint: settings.endpoint });

  return {
    observeSql(statement, run) {
      // Background jobs' statements (no request around them) are not traced one by one.
      if (!trace.getActiveSpan()) return run();
      // Named after the statement's first keyword (SELECT, INSERT, BEGIN…); the text is an attribute.
      const name = `db ${/^\s*(\w+)/.exec(statement.sql)?.[1]?.toUpperCase() ?? statement.kind}`;
      // The read engine's statements run to several KB; exporting each whole cost more than the span itself.
      const text = statement.sql.length > MAX_QUERY_TEXT ? `${statement.sql.slice(0, MAX_QUERY_TEXT)}…` : statement.sql;
      const attributes = { 'db.system.name': 'postgresql', 'db.query.text': text };
      return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, (span) => within(span, run));
    },

    inRequestSpan(req, res, handle) {
      const parent = propagation.extract(context.active(), req.headers);
      const path = loggedPath(req.url);
      const attributes = { 'http.request.method': req.method ?? 'GET', 'url.path': path };
      return tracer.startActiveSpan(`${req.method} ${path}`, { kind: SpanKind.SERVER, attributes }, parent, (span) => {
        res.once('finish', () => span.setAttribute('http.response.status_code', res.statusCode));
        return within(span, handle);
      });
    },

    yogaPlugin(): Plugin {
      return {
        instrumentation: {
          execute({ context: graphqlContext }, wrapped) {
            const operation = (graphqlContext as { params?: { operationName?: string | null } }).params?.operationName ?? 'anonymous';
            return tracer.startActiveSpan(`graphql ${operation}`, { attributes: { 'graphql.operation.name': operation } }, (span) =>
              within(span, async () => {
                await wrapped();
              }),
            );
          },
        },
        // Runs inside the span above: names it after the operation once the document is known.
        onExecute({ args }) {
          const operation = getOperationAST(args.document, args.operationName);
          const name = operation?.name?.value;
          const span = trace.getActiveSpan();
          if (!span || !operation) return;
          span.setAttribute('graphql.operation.type', operation.operation);
          if (name) span.updateName(`graphql ${name}`).setAttribute('graphql.operation.name', name);
        },
      };
    },

    async shutdown() {
      await provider.shutdown().catch((error: unknown) => settings.logger.warn('tracing: could not flush spans', describeError(error)));
    },
  };
}
