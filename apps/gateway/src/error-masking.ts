import { fromPrismaError, isCrmError } from '@crm/core';
import { GraphQLError } from 'graphql';

interface ErrorLike {
  message?: string;
  originalError?: unknown;
  extensions?: Record<string, unknown>;
  nodes?: GraphQLError['nodes'];
  path?: GraphQLError['path'];
}

/** GraphQL wraps resolver errors (sometimes twice); the innermost one is what was thrown. */
function innermost(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    const next = (current as ErrorLike | null)?.originalError;
    if (!next) break;
    current = next;
  }
  return current;
}

/**
 * Turns an error raised during execution into what the client sees. CrmErrors (and Prisma errors we understand)
 * keep their message with `extensions.code` (and `field`); errors GraphQL itself raised with a code (variable
 * coercion, scalars) pass; anything else becomes "Unexpected error." with `INTERNAL_SERVER_ERROR` and is logged
 * with its stack on the server only. (Duck-typed: a test runner may load `graphql` twice.)
 */
export function maskError(error: unknown, message: string, log: (error: unknown, fields?: Readonly<Record<string, unknown>>) => void): GraphQLError {
  const outer = (error ?? {}) as ErrorLike;
  const location = { nodes: outer.nodes, path: outer.path };
  const original = innermost(error);
  const mapped = fromPrismaError(original);
  if (isCrmError(mapped)) {
    // A plugin's failure is shown coded (it names the plugin), and its cause is logged like an internal error.
    if (mapped.code === 'PLUGIN_FAILED') log(mapped.cause ?? mapped, mapped.extensions);
    return new GraphQLError(mapped.message, {
      ...location,
      extensions: { ...mapped.extensions, code: mapped.code, ...(mapped.field ? { field: mapped.field } : {}) },
    });
  }
  // Pothos validates connection and id arguments itself: an id that does not decode, a malformed cursor,
  // `first` with `before`. Those are the client's input, not our failure.
  if ((original as Error | null)?.name === 'PothosValidationError') {
    if (/^Invalid global ID/.test((original as Error).message)) {
      return new GraphQLError('Not a valid id', { ...location, extensions: { code: 'BAD_USER_INPUT', field: 'id' } });
    }
    return new GraphQLError((original as Error).message, { ...location, extensions: { code: 'BAD_USER_INPUT' } });
  }
  const code = (original as ErrorLike).extensions?.code;
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
    // `http` (Yoga's status for the response, removed before it is sent) and `field` survive.
    const { http, field } = (original as ErrorLike).extensions ?? {};
    return new GraphQLError((original as ErrorLike).message ?? message, {
      ...location,
      extensions: { code, ...(field ? { field } : {}), ...(http ? { http } : {}) },
    });
  }
  // A resolver's error always arrives wrapped; an unwrapped one was raised by GraphQL itself (validation,
  // coercion) and is safe to show.
  if (original === error && outer.extensions !== undefined) return error as GraphQLError;
  log(original);
  return new GraphQLError(message, { ...location, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}
