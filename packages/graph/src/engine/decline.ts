/**
 * Thrown while compiling when an operation (or this request's arguments) is outside what the engine answers; the
 * operation, or only the field being compiled (see `deferrable` in render.ts), is then executed by the resolvers as
 * usual. Nothing is cached: a reason may depend on variables or the caller.
 */
export class Declined extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export function decline(reason: string): never {
  throw new Declined(reason);
}

/**
 * Why compiling stopped, or null for an unexpected error (rethrown). A bad argument (filter, order, id) declines too:
 * the resolvers then answer with their coded error.
 */
export function declineReason(error: unknown): string | null {
  if (error instanceof Declined) return error.reason;
  if (error instanceof Error && 'code' in error) return `input: ${(error as { code: string }).code}`;
  return null;
}
