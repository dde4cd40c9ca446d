/** How points fields describe themselves in the schema. */
export const POINTS = 'Whole points; a Float because a balance can pass GraphQL Int (32 bits); exact up to 2^53.';

/**
 * Points are stored as 64-bit integers (BIGINT): a balance can pass 2^31 (an order of 999,999,999,999.99, repeated
 * adjustments). In JavaScript and on the wire they are numbers: every balance this program can reach (inputs are
 * 32-bit, order totals at most 12 integer digits) is far below 2^53, where numbers stay exact.
 */
export function toPoints(value: bigint | number | null | undefined): number {
  const points = Number(value ?? 0);
  // A sum beyond 2^53 would be silently rounded: refuse to report a wrong figure.
  if (!Number.isSafeInteger(points)) throw new Error(`Points ${String(value)} are beyond 2^53`);
  return points;
}
