import type { GraphContext } from '@crm/graph';
import { type ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { SessionEndReason, SessionGuard } from './session-guard.js';

/** The error a live session ends with (graphql-ws closes with 4403 and this reason; SSE sends it, then completes). */
export function sessionEndedError(reason: SessionEndReason): GraphQLError {
  return new GraphQLError(`The API key stopped working (${reason}): this live session is over`, {
    extensions: { code: 'UNAUTHENTICATED', reason },
  });
}

/**
 * Ends subscriptions served over Server-Sent Events when their API key stops working (see session-guard.ts): the
 * stream gets one last result with an UNAUTHENTICATED error, then completes, and the response ends. graphql-ws
 * connections are ended by the WebSocket server instead (close code 4403), so they are left alone here.
 */
export function useSessionEndOverSse(guard: SessionGuard): Plugin {
  return {
    onSubscribe({ args }) {
      const context = args.contextValue as unknown as GraphContext & { req?: unknown };
      // Over graphql-ws the context is the connection's (no request); over HTTP Yoga adds the Node request.
      if (!context.req || !context.session) return;
      const session = context.session;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          let stop: () => void = () => {};
          const ended = new Promise<SessionEndReason>((resolve) => {
            stop = guard.watch(session, resolve);
          });
          setResult(until(result, ended, stop));
        },
      };
    },
  };
}

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** `source` until `ended` settles; then one error result, and the source is closed. */
async function* until(
  source: AsyncIterable<ExecutionResult>,
  ended: Promise<SessionEndReason>,
  stopWatching: () => void,
): AsyncGenerator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  const end = ended.then((reason) => ({ ended: reason }) as const);
  try {
    for (;;) {
      const next = await Promise.race([iterator.next().then((step) => ({ step }) as const), end]);
      if ('ended' in next) {
        yield { errors: [sessionEndedError(next.ended)] };
        return;
      }
      if (next.step.done) return;
      yield next.step.value;
    }
  } finally {
    stopWatching();
    // Not awaited: a source suspended in `next()` may only honour `return` once its next value arrives.
    void Promise.resolve(iterator.return?.()).catch(() => {});
  }
}
