import { wholeNumber } from '@crm/plugin-sdk';

/** How points fields describe themselves in the schema. */
export const POINTS = 'Whole points; a Float because a balance can pass GraphQL Int (32 bits); exact up to 2^53.';

/**
 * Points are stored as 64-bit integers (BIGINT): a balance can pass 2^31 (an order of 999,999,999,999.99, repeated
 * adjustments). In JavaScript and on the wire they are numbers: every balance this program can reach (inputs are
 * 32-bit, order totals at most 12 integer digits) is far below 2^53, where numbers stay exact; a sum beyond is
 * refused rather than reported rounded (`wholeNumber`, the declared `bigint` kind's conversion).
 */
export function toPoints(value: bigint | number | null | undefined): number {
  return wholeNumber(value ?? 0);
}
