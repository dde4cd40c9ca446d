import { customValueSql } from '../../custom-fields/custom-field-indexes.js';
import type { ResolvedField } from '../declaration.js';

/** Positional parameters of one statement: `add` returns the placeholder (`$3`, optionally cast). */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** Column `name` of the row aliased `alias`. */
export const column = (alias: string, name: string): string => `${alias}.${ident(name)}`;

/**
 * A field's value on the row aliased `alias`, typed for comparing and sorting: its column, or for a custom field the
 * JSONB expression its expression index is built on (`customValueSql`).
 */
export const valueSql = (alias: string, field: Pick<ResolvedField, 'column' | 'kind' | 'stored'>): string =>
  field.stored ? customValueSql(field.kind, field.stored.key, alias) : column(alias, field.column);
