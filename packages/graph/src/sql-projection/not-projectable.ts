/**
 * Thrown while compiling when an operation (or this request's arguments) is outside what the projection answers;
 * the operation is then executed by Pothos as usual. `structural` ones depend on the document only and are cached.
 */
export class NotProjectable extends Error {
  constructor(
    reason: string,
    readonly structural = true,
  ) {
    super(reason);
  }
}

export function decline(reason: string, structural = true): never {
  throw new NotProjectable(reason, structural);
}
