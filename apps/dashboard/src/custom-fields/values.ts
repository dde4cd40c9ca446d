// Custom field values between the API and the forms: the selection that reads them (they are fields of the workspace's
// own schema, so the documents are written at run time), the text an input holds, the value an input sends, and how a
// value reads for people.
import { type CustomFieldDefinition, type CustomObject, labelFieldOf } from './definitions.js';

export { selectionOf } from '@crm/gateway/workspace-documents';

/** What an input holds: text for every type (`""` is no value; yes/no is `"true"`/`"false"`), a list for multi-selects. */
export type FormValue = string | string[];

/** A relation's value as read: the record's id and its name field. */
export interface RelatedRecord {
  id: string;
  [field: string]: unknown;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** An instant as `<input type="datetime-local">` holds it: the browser's local time, to the minute. */
const localDateTime = (iso: string) => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** The API's value as an input holds it. */
export function formValueOf(field: CustomFieldDefinition, value: unknown): FormValue {
  if (field.type === 'MULTI_SELECT') return Array.isArray(value) ? value.map(String) : [];
  if (value === null || value === undefined) return '';
  if (field.type === 'RELATION') return typeof value === 'object' ? (value as RelatedRecord).id : String(value);
  if (field.type === 'DATE_TIME') return localDateTime(String(value));
  return String(value);
}

/** What an input sends: null clears, numbers as numbers, instants as UTC ISO, yes/no as booleans. */
export function inputValueOf(field: Pick<CustomFieldDefinition, 'type'>, value: FormValue): unknown {
  if (Array.isArray(value)) return value;
  const text = value.trim();
  if (text === '') return null;
  switch (field.type) {
    case 'NUMBER':
    case 'PERCENT':
      return Number(text);
    case 'RATING':
      return Math.round(Number(text));
    case 'BOOLEAN':
      return text === 'true';
    case 'DATE_TIME':
      return new Date(text).toISOString();
    default:
      return text;
  }
}

/** Whether an input's value differs from the stored one (only changed fields are sent: an update names what it changes). */
export const changed = (field: CustomFieldDefinition, stored: unknown, edited: FormValue) =>
  JSON.stringify(formValueOf(field, stored)) !== JSON.stringify(edited);

const dateOnly = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const dateTime = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** A value as text for people (options by their label, money in the field's currency); a dash when there is none. */
export function displayText(field: CustomFieldDefinition, value: unknown, objects: readonly CustomObject[] = []): string {
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return '—';
  const option = (v: unknown) => field.options.find((o) => o.value === v)?.label ?? String(v);
  switch (field.type) {
    case 'SELECT':
      return option(value);
    case 'MULTI_SELECT':
      return (value as unknown[]).map(option).join(', ');
    case 'MONEY':
      return new Intl.NumberFormat('en-US', { style: 'currency', currency: field.currency ?? 'USD' }).format(Number(value));
    case 'PERCENT':
      return `${Number(value).toLocaleString('en-US')} %`;
    case 'NUMBER':
      return Number(value).toLocaleString('en-US');
    case 'RATING':
      return `${String(value)} / ${field.max ?? 5}`;
    case 'BOOLEAN':
      return value ? 'Yes' : 'No';
    case 'DATE':
      return dateOnly.format(new Date(`${String(value)}T00:00:00Z`));
    case 'DATE_TIME':
      return dateTime.format(new Date(String(value)));
    case 'RELATION': {
      const record = value as RelatedRecord;
      const label = labelFieldOf(field.target, objects);
      return String((label && record[label]) ?? record.id);
    }
    default:
      return String(value);
  }
}
