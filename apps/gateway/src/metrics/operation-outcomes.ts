import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { operationNames } from '../graphql-app.js';
import type { GatewayMetrics } from './gateway-metrics.js';

/** Counts each GraphQL operation over HTTP by name and outcome ("ok" or its first error's code). */
export function useOperationOutcomes(metrics: GatewayMetrics): Plugin {
  return {
    onResultProcess({ result, serverContext }) {
      // Streams (subscriptions over SSE, incremental delivery) are not counted here.
      if (Array.isArray(result) || typeof result !== 'object' || result === null || Symbol.asyncIterator in result) return;
      const errors = (result as { errors?: readonly { extensions?: Record<string, unknown> }[] }).errors;
      const code = errors?.length ? String(errors[0]?.extensions?.code ?? 'INTERNAL_SERVER_ERROR') : 'ok';
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      metrics.operationFinished((req && operationNames.get(req)) ?? null, code);
    },
  };
}
