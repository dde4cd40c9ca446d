// A step's values as what it writes takes them: each converter is one rule, used when the step runs (on its input, the
// templates filled in) and, for a plain value, when the workflow is published (definition/plain-values.ts). A value a
// rule refuses is a StepValueError: BAD_USER_INPUT naming the step's key (a run fails on it at once: permanent).
import { CrmError, rowId } from '@crm/plugin-sdk';
import { emailAddressProblem } from '../mail/addresses.js';
import { isRecordId } from '../runs/wait-for-event.js';

export class StepValueError extends CrmError {
  constructor(
    readonly key: string,
    /** What is wrong with the value, without the key (publishing names the key by its path in the definition). */
    readonly problem: string,
  ) {
    super('BAD_USER_INPUT', `${key}: ${problem}`, key);
  }
}

export const shown = (value: unknown) => JSON.stringify(value) ?? String(value);
const absent = (value: unknown) => value === null || value === undefined || value === '';

/** Text as a step writes it: a string, or a single value written as text (a number, true or false); not a list or an object. */
export function asText(value: unknown, key: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new StepValueError(key, `text, not ${shown(value)}`);
}

/** A required text: not blank. */
export const text = (value: unknown, key: string): string => {
  if (absent(value) || (typeof value === 'string' && !value.trim())) throw new StepValueError(key, `needs a value (got ${shown(value)})`);
  return asText(value, key);
};

/** An optional text: null, '' or nothing is left out. */
export const optionalText = (value: unknown, key: string): string | undefined => (absent(value) ? undefined : asText(value, key));

/**
 * Any value as text, as versions published before each key had one rule wrote an optional text (`String(value)`): a
 * list as its items joined by commas (`["vip","gold"]` → "vip,gold"), an object as JSON, a date as ISO-8601.
 */
export function anyText(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => (item === null || item === undefined ? '' : anyText(item))).join(',');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/**
 * An optional text as a step runs it: any value written as text (`anyText`), so a version published with a list in an
 * optional text (`notes: "{{trigger.record.tags}}"`) runs as it always has. Publishing checks new versions by
 * `optionalText` (a list or an object there is refused: `InputPart.publish`).
 */
export const optionalAnyText = (value: unknown): string | undefined => (absent(value) ? undefined : anyText(value));

/** A required id (its command checks its form and that it exists). */
export const id = (value: unknown, key: string): string => {
  if (typeof value === 'string' && value) return value;
  throw new StepValueError(key, `needs an id (got ${shown(value)})`);
};

/** An optional id: null, '' or nothing is left out. */
export const optionalId = (value: unknown, key: string): string | undefined => (absent(value) ? undefined : id(value, key));

/**
 * A segment, as its row id: a row id as it is (events carry those: `{{trigger.event.payload.segmentId}}`), a Segment's
 * global id (as the API gives it) decoded.
 */
export const segmentId = (value: unknown, key: string): string => {
  if (typeof value !== 'string' || !value) throw new StepValueError(key, `needs a segment id (got ${shown(value)})`);
  if (isRecordId(value)) return value.toLowerCase();
  try {
    return rowId(value, 'Segment', key);
  } catch {
    throw new StepValueError(key, `not a Segment id: ${shown(value)}`);
  }
};

/** A date: a Date, or a text (or a number) that reads as one, made a Date. */
export const date = (value: unknown, key: string): Date => {
  const made = value instanceof Date ? new Date(value.getTime()) : typeof value === 'string' || typeof value === 'number' ? new Date(String(value)) : null;
  if (!made || Number.isNaN(made.getTime())) throw new StepValueError(key, `not a date: ${shown(value)}`);
  return made;
};

/** An optional date: null, '' or nothing is left out. */
export const optionalDate = (value: unknown, key: string): Date | undefined => (absent(value) ? undefined : date(value, key));

/** The value as it is (its command's schema checks it: an enum's value). */
export const asIs = (value: unknown): unknown => value;

/** One recipient address (`emailAddressProblem`, the one rule of `sendEmail`'s `to`). */
export const address = (value: unknown, key: string): string => {
  const to = text(value, key);
  const problem = emailAddressProblem(to);
  if (problem) throw new StepValueError(key, `not an email address (${problem}): ${to}`);
  return to;
};

/** The id of a record events can be about (a uuid: events' subjects are). */
export const recordId = (value: unknown, key: string): string => {
  if (typeof value === 'string' && isRecordId(value)) return value;
  throw new StepValueError(key, `not a record id: ${shown(value)}`);
};

/** A list. */
export const list = (value: unknown, key: string): unknown[] => {
  if (Array.isArray(value)) return value;
  throw new StepValueError(key, `not a list: ${shown(value).slice(0, 200)}`);
};
