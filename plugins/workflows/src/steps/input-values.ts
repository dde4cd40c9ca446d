// A step's input values as its core command takes them: a missing or empty value is BAD_USER_INPUT naming the step's key.
import { badInput, rowId } from '@crm/plugin-sdk';

export const text = (value: unknown, field: string): string => {
  if (typeof value === 'string' && value.trim()) return value;
  if (typeof value === 'number') return String(value);
  throw badInput(`${field}: needs a value (got ${JSON.stringify(value)})`, field);
};

export const id = (value: unknown, field: string): string => {
  if (typeof value === 'string' && value) return value;
  throw badInput(`${field}: needs an id (got ${JSON.stringify(value)})`, field);
};

export const optional = <T>(value: unknown, as: (v: unknown) => T): T | undefined => (value === null || value === undefined || value === '' ? undefined : as(value));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A segment step's `segment` as a row id: a row id as it is (events carry those: `{{trigger.event.payload.segmentId}}`),
 * a Segment's global id (as the API gives it) decoded; anything else is BAD_USER_INPUT on `segment`.
 */
export const segmentId = (value: unknown): string => {
  if (typeof value === 'string' && UUID.test(value)) return value.toLowerCase();
  if (typeof value === 'string' && value) return rowId(value, 'Segment', 'segment');
  throw badInput(`segment: needs a segment id (got ${JSON.stringify(value)})`, 'segment');
};
