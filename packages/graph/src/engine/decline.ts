/**
 * Thrown while compiling when an operation (or this request's arguments) is outside what the engine answers; the
 * operation is then executed by Pothos as usual. Nothing is cached: a reason may depend on variables or the caller.
 */
export class Declined extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export function decline(reason: string): never {
  throw new Declined(reason);
}
