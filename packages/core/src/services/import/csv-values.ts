// A CSV cell as the value a declared field takes (the writer validates it further, as for any input).
import type { ResolvedField } from '../../objects/declaration.js';
import { decodeGlobalId } from '../../objects/global-id.js';
import { isUuid } from '../../uuid.js';

const truthy = new Set(['true', 'yes', 'y', '1']);
const falsy = new Set(['false', 'no', 'n', '0']);

export class CellError extends Error {}

/**
 * The value of a non-empty cell: numbers parsed, booleans from true/false/yes/no/1/0, times from ISO-8601, enums
 * upper-cased (`in person` → `IN_PERSON`), lists split on `;`, JSON parsed, references as a row id or a global id.
 */
export function cellValue(field: ResolvedField, text: string): unknown {
  switch (field.kind) {
    case 'int':
    case 'float': {
      const value = Number(text);
      if (!Number.isFinite(value) || (field.kind === 'int' && !Number.isInteger(value))) throw new CellError(`not ${field.kind === 'int' ? 'a whole number' : 'a number'}`);
      return value;
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (truthy.has(lower)) return true;
      if (falsy.has(lower)) return false;
      throw new CellError('true or false');
    }
    case 'datetime': {
      const value = new Date(text);
      if (Number.isNaN(value.getTime())) throw new CellError('not a date (ISO-8601, e.g. 2026-03-01 or 2026-03-01T09:30:00Z)');
      return value;
    }
    case 'enum':
      return text.trim().toUpperCase().replace(/[\s-]+/g, '_');
    case 'stringList':
      return text.split(';').map((item) => item.trim()).filter(Boolean);
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        throw new CellError('not valid JSON');
      }
    case 'reference':
      return isUuid(text) ? text : (decodeGlobalId(text, field.references!) ?? text);
    default:
      return text;
  }
}
