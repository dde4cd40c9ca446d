// An `updated` trigger's `from`/`to`, typed by their field. Events carry values in one form (core's `fieldChanges`,
// custom values as stored: row ids, money "12.50", ISO-8601 instants, `YYYY-MM-DD` days), and a trigger written as the
// API reads values (a global id, `5000`, a date) would never equal them. So a value is checked and normalised when
// published — by the filter language's own parsing (`eq` on the field: global ids decoded, enums checked against their
// values, money and dates parsed), then put in the events' form — and a change is compared in that form.
import { isCrmError, type RecordAccess } from '@crm/plugin-sdk';
import { fail } from './template-checks.js';

type Field = NonNullable<ReturnType<ReturnType<RecordAccess['catalog']['get']>['fields']['get']>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A value of a field of `kind` as events carry it; a value that is not of that kind is left as it is (it equals none). */
function eventForm(kind: Field['kind'], value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'decimal' && (typeof value === 'number' || typeof value === 'string') && /^-?\d+(\.\d+)?$/.test(String(value))) {
    const [whole, cents = ''] = String(value).split('.');
    return `${whole}.${cents.padEnd(2, '0')}`;
  }
  if (kind === 'datetime' && (typeof value === 'string' || value instanceof Date)) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? value : date.toISOString();
  }
  if (kind === 'bigint' && (typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint')) return String(value);
  return value;
}

/**
 * `from` or `to` of a trigger on `object.name`, checked (BAD_USER_INPUT naming `at`) and in the events' form. A row id
 * is already in that form (a stored version checked again); null is "empty".
 */
export function triggerValue(objects: RecordAccess, object: string, name: string, raw: unknown, at: string): unknown {
  const field = objects.catalog.get(object).fields.get(name)!;
  if (raw === null || field.kind === 'json') return raw;
  if (field.kind === 'stringList') {
    if (!Array.isArray(raw) || raw.some((v) => typeof v !== 'string')) fail(at, `${name} is a list: give a list of strings (or null)`);
    return raw;
  }
  if ((field.kind === 'id' || field.kind === 'reference') && typeof raw === 'string' && UUID.test(raw)) return raw.toLowerCase();
  let node;
  try {
    node = objects.parseFilter(object, { [name]: { eq: raw } }, at);
  } catch (error) {
    if (!isCrmError(error) || error.code !== 'BAD_USER_INPUT') throw error;
    const prefix = `${at}.${name}.eq: `;
    fail(at, `${name}: ${error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message} (${JSON.stringify(raw)})`);
  }
  return eventForm(field.kind, node!.kind === 'compare' ? node!.value : raw);
}

/** Whether a change's value equals a trigger's (stored in the events' form), compared as the field's kind. */
export function sameValue(field: Field | undefined, a: unknown, b: unknown): boolean {
  const form = (v: unknown) => (field ? eventForm(field.kind, v) : (v ?? null));
  return JSON.stringify(form(a)) === JSON.stringify(form(b));
}
