import { currentDeadline, type RequestDeadline, withDeadline } from '@crm/db';
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
      if (failedByDeadline(result as ExecutionResult, deadline)) setResult({ errors: [timeoutError()] });
    },
  };
}

function failedByDeadline(result: ExecutionResult, deadline: RequestDeadline): boolean {
  return Boolean(result.errors?.length) && (deadline.timedOut || Date.now() >= deadline.at);
}

/** Runs one operation (a graphql-ws query or mutation: no HTTP request around it) under its own deadline. */
export async function executeWithDeadline<R>(timeoutMs: number, execute: () => R | Promise<R>): Promise<R | ExecutionResult> {
  return withDeadline(timeoutMs, async (deadline) => {
    const result = await execute();
    const single = !Array.isArray(result) && !(Symbol.asyncIterator in Object(result));
    return single && failedByDeadline(result as ExecutionResult, deadline) ? { errors: [timeoutError()] } : result;
  });
}
