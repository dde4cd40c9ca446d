import { Prisma } from '@crm/db';

/** One field's change as `*.updated` events carry it (values as the API shows them: money "12.50", ISO times). */
export interface FieldChange {
  from: unknown;
  to: unknown;
}

/**
 * What an update changed: `changed` (the field names, kept for consumers written before `changes` existed) and each
 * field's old and new value. Readable later as the record's `history` (docs/data.md).
 */
export interface FieldChanges {
  changed: string[];
  changes: Record<string, FieldChange>;
}

/** A column value as JSON, so that equal values compare equal (Decimal, Date, arrays, JSON objects). */
function comparable(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Prisma.Decimal) return value.toFixed(2);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return value;
}

const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);

/**
 * The fields among `fields` whose value differs between two versions of a row, with from/to values. Every update
 * command computes its event payload with this one function, from the row before and the row after the write.
 */
export function fieldChanges<Row extends object>(before: Row, after: Row, fields: readonly (keyof Row & string)[]): FieldChanges {
  const changes: Record<string, FieldChange> = {};
  for (const field of fields) {
    const from = comparable(before[field]);
    const to = comparable(after[field]);
    if (!same(from, to)) changes[field] = { from, to };
  }
  return { changed: Object.keys(changes), changes };
}
