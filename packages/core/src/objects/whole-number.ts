/**
 * A 64-bit whole number (a `bigint` field, Prisma's `bigint`) as the number it is on the wire (a GraphQL Float). Exact
 * up to 2^53; beyond, it is refused rather than rounded (a wrong balance must not be reported as a right one).
 */
export function wholeNumber(value: bigint | number): number;
export function wholeNumber(value: bigint | number | null): number | null;
export function wholeNumber(value: bigint | number | null): number | null {
  if (value === null) return null;
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new Error(`${String(value)} is beyond 2^53 and cannot be sent exactly`);
  return number;
}
