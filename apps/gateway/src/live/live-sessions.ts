import type { Session } from '@crm/core';
import type { GraphContext } from '@crm/graph';
import { type ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { SessionAccess } from '../authenticate.js';
import type { SessionEndReason, SessionGuard } from './session-guard.js';

/** The error a live session ends with (graphql-ws closes with 4403 and this reason; SSE sends it, then completes). */
export function sessionEndedError(reason: SessionEndReason): GraphQLError {
  return new GraphQLError(`The API key stopped working (${reason}): this live session is over`, {
    extensions: { code: 'UNAUTHENTICATED', reason },
  });
}

/**
 * Keeps every running subscription (graphql-ws and Server-Sent Events) in step with its API key (see session-guard.ts):
 * - when the key's access changes (its role was changed, the key moved to another role or given other scopes), the
 *   subscription's context gets the key's new session, permissions and caller in place, so what it delivers next is
 *   resolved and scrubbed under them (no reconnect);
 * - when the key stops working, an SSE stream gets one last result with an UNAUTHENTICATED error, then completes, and
 *   the response ends. graphql-ws connections are ended by the WebSocket server instead (close code 4403).
 * The watch lasts as long as the subscription's execution: a shared one (shared-subscriptions.ts) is followed once,
 * whoever of its subscribers started it.
 */
export function useLiveSessions(guard: SessionGuard, accessOf: (session: Session) => SessionAccess): Plugin {
  return {
    onSubscribe({ args }) {
      const context = args.contextValue as unknown as GraphContext & { req?: unknown };
      if (!context.session) return;
      const session = context.session;
      // Over graphql-ws the context is the connection's (no request); over HTTP Yoga adds the Node request.
      const overSse = Boolean(context.req);
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          const follow = (current: Session) => Object.assign(context, accessOf(current));
          let stop: () => void = () => {};
          let ended: Promise<SessionEndReason> | null = null;
          if (overSse) {
            ended = new Promise<SessionEndReason>((resolve) => {
              stop = guard.watch(session, { end: resolve, follow });
            });
          } else {
            // Over graphql-ws nothing is raced: the WebSocket server closes the socket when the key stops working.
            stop = guard.watch(session, { follow });
          }
          setResult(until(result, ended, stop));
        },
      };
    },
  };
}

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * `source` until `ended` settles (never, when null); then one error result, and the source is closed. A plain iterator rather than an
 * async generator: `return()` (the client completing, a socket closing) must stop watching and close the source at
 * once, even while a `next()` is waiting for the next event (a generator would queue it until that event came). Each
 * wait races a promise of its own, not `ended` itself, which would collect one reaction per result for as long as the
 * stream lives.
 */
function until(source: AsyncIterable<ExecutionResult>, ended: Promise<SessionEndReason> | null, stopWatching: () => void): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  let endedWith: SessionEndReason | null = null;
  let interrupt: (() => void) | null = null;
  void ended?.then((reason) => {
    endedWith = reason;
    interrupt?.();
  });
  const finish = () => {
    if (finished) return;
    finished = true;
    stopWatching();
    // Not awaited: a source suspended in `next()` may only honour `return` once its next value arrives.
    void Promise.resolve(iterator.return?.()).catch(() => {});
  };
  const endResult = (reason: SessionEndReason): IteratorResult<ExecutionResult> => {
    finish();
    return { done: false, value: { errors: [sessionEndedError(reason)] } };
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (finished) return { done: true, value: undefined };
      if (endedWith) return endResult(endedWith);
      if (!ended) {
        const step = await iterator.next().catch((error: unknown) => {
          finish();
          throw error;
        });
        if (step.done) finish();
        return step;
      }
      const interrupted = new Promise<'ended'>((resolve) => {
        interrupt = () => resolve('ended');
      });
      try {
        const step = await Promise.race([iterator.next(), interrupted]);
        if (step === 'ended') return endResult(endedWith!);
        if (step.done) finish();
        return step;
      } catch (error) {
        finish();
        throw error;
      } finally {
        interrupt = null;
      }
    },
    async return() {
      finish();
      return { done: true, value: undefined };
    },
  };
}
