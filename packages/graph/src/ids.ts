import { badInput, isUuid } from '@crm/core';
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';

/**
 * Turns an opaque global id from client input into a row id, checking it names one of the `expected` types.
 * A malformed id, one of another type, or one whose row id is not a UUID (every row id is one) is BAD_USER_INPUT on
 * `field`.
 */
export function rowId(globalId: string, expected: string | readonly string[], field: string): string {
  const types = typeof expected === 'string' ? [expected] : expected;
  try {
    const { typename, id } = decodeGlobalID(globalId);
    if (types.includes(typename) && isUuid(id)) return id;
  } catch {
    // fall through to the error below
  }
  throw badInput(`${field}: not a valid ${types.join(' or ')} id`, field);
}

export const optionalRowId = (globalId: string | null | undefined, expected: string | readonly string[], field: string) =>
  globalId === null ? null : globalId === undefined ? undefined : rowId(globalId, expected, field);

export const globalId = (typename: string, id: string) => encodeGlobalID(typename, id);
