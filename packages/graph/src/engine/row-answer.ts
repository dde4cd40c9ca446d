// Reads a row-form statement's rows (`row-form.ts`) back into the response's `data`: each column's text becomes the
// value the JSON form would have held (by its kind), and the values are then named and formatted along the result
// shape exactly as the JSON form's are (`applyShape`), so both forms answer alike.
import { applyShape, cursorOf, type LeafKind, type ResultShape, tupleObject } from './result-shape.js';
import type { RowForm } from './row-form.js';

/** One result row of a row-form statement, as the driver returns it (every column as text). */
export type FormRow = Record<string, unknown>;

const read: Record<LeafKind, (text: string) => unknown> = {
  text: (text) => text,
  number: Number,
  boolean: (text) => text === 'true',
  json: (text) => JSON.parse(text),
  array: (text) => JSON.parse(text),
};

/** The plugins switched off in the caller's workspace, as the statement read them (on every row). */
export const rowsSwitchedOff = (rows: readonly FormRow[]): readonly string[] | null => (rows[0]?.switchedOff as string[] | null | undefined) ?? null;

/** The response's `data` from the rows of a row-form statement. */
export function rowFormAnswer(rows: readonly FormRow[], form: RowForm, shape: ResultShape): Record<string, unknown> {
  const connectionShape = shape.fields!.get(form.key)!;
  const names = form.columns.map((_, i) => `c${i}`);
  const rowId = names[form.values[form.values.length - 1]!]!;
  // An empty page is one row whose page columns are null (the page is LEFT JOINed to the head).
  const page = rows.length && rows[0]![rowId] != null ? rows : [];
  const head = JSON.parse(rows[0]!.head as string) as unknown[];
  const shown = page.length > form.first ? page.slice(0, form.first) : page;
  const cursor = (row: FormRow | undefined) => (row ? cursorOf(row[rowId]) : null);
  const connection: Record<string, unknown> = {};
  let next = 0;
  for (const key of connectionShape.keys!) {
    const pageInfo = form.pageInfo.get(key);
    if (key === form.edges) {
      const edgeShape = connectionShape.fields!.get(key)!;
      connection[key] = shown.map((row) => {
        const columns = names.map((name, i) => {
          const text = row[name];
          return text == null ? null : read[form.columns[i]!](text as string);
        });
        return tupleObject(form.values.map((column) => columns[column]), 0, edgeShape);
      });
    } else if (pageInfo) {
      const info: Record<string, unknown> = {};
      for (const [infoKey, field] of pageInfo) {
        if (field === '__typename') info[infoKey] = form.pageInfoType;
        else if (field === 'hasNextPage') info[infoKey] = page.length > form.first;
        else if (field === 'hasPreviousPage') info[infoKey] = form.hasPreviousPage;
        else if (field === 'startCursor') info[infoKey] = cursor(shown[0]);
        else info[infoKey] = cursor(shown[shown.length - 1]);
      }
      connection[key] = info;
    } else {
      const child = connectionShape.fields?.get(key);
      const value = head[next++];
      connection[key] = child ? applyShape(value, child) : value;
    }
  }
  return { [form.key]: connection };
}
