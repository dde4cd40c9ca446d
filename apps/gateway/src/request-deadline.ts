import { currentDeadline } from '@crm/db';
import { type ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** `REQUEST_TIMEOUT_MS` in the error, so a client knows what it ran into. */
function timeoutError(): GraphQLError {
  return new GraphQLError('The request took longer than the server allows and was stopped; nothing it wrote was kept', {
    extensions: { code: 'TIMEOUT' },
  });
}

/**
 * The per-request deadline's answer. The deadline itself is set around each request (http-server.ts, and each
 * graphql-ws operation) and enforced where the request waits: on the database's statements and transactions
 * (@crm/db deadline.ts, CommandRunner). A request that failed because its deadline passed is answered with one
 * `TIMEOUT` error instead of whatever the interrupted work failed with. Subscriptions outlive their request: their
 * deadline is lifted.
 */
export function useRequestDeadline(): Plugin {
  return {
    onSubscribe() {
      const deadline = currentDeadline();
      if (deadline) deadline.at = Infinity;
    },
    onResultProcess({ result, setResult }) {
      const deadline = currentDeadline();
      if (!deadline || Array.isArray(result) || Symbol.asyncIterator in Object(result)) return;
      const late = deadline.timedOut || Date.now() >= deadline.at;
      if (late && (result as ExecutionResult).errors?.length) setResult({ errors: [timeoutError()] });
    },
  };
}
