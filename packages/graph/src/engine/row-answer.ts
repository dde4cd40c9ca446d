// Reads a row-form statement's rows (`row-form.ts`) back into the response's `data`: each column's text becomes the
// value the JSON form would have held (by its kind), and the values are then named and formatted along the result
// shape exactly as the JSON form's are (`applyShape`), so both forms answer alike.
import { type ArrayTextValue, parseArrayText } from './array-text.js';
import { applyShape, cursorOf, type ResultShape, tupleObject, tupleShapes } from './result-shape.js';
import type { ObjectRowForm, PageRowForm, RowForm } from './row-form.js';

/** One result row of a row-form statement, as the driver returns it (every column as text). */
export type FormRow = Record<string, unknown>;

/** Turns a value's text (never null) into the value the JSON form holds. */
type Reader = (text: string) => unknown;

const readers = new WeakMap<ResultShape, Reader>();
const asText: Reader = (text) => text;
const asJson: Reader = (text) => JSON.parse(text);

/**
 * The reader of a value of `shape` (undefined: an unmarked JSON value), by its kind. A nested list of kind `rows`
 * comes as a text array of its elements' tuples: each element becomes the array of values its JSON tuple held, read
 * by the element's shapes in turn (a nested list inside is a text array again), so `applyShape` names it as it names
 * the JSON form's.
 */
export function readerOf(shape: ResultShape | undefined): Reader {
  const kind = shape?.kind ?? 'json';
  if (kind === 'text') return asText;
  if (kind === 'number') return Number;
  if (kind === 'boolean') return (text) => text === 'true';
  if (kind !== 'rows') return asJson; // json, and an array column sent as JSON
  let reader = readers.get(shape!);
  if (!reader) {
    const elements = tupleShapes(shape!).map(readerOf);
    reader = (text) =>
      parseArrayText(text).map((element) => {
        const values = element as ArrayTextValue[];
        return elements.map((read, i) => {
          const value = values[i] as string | null;
          return value === null ? null : read(value);
        });
      });
    readers.set(shape!, reader);
  }
  return reader;
}

/** The readers of a row's columns: each by the shape of the first tuple value sent in it (`values`, then the row id). */
function columnReaders(shape: ResultShape, form: { columns: readonly unknown[]; values: readonly number[] }): Reader[] {
  const shapes = [...tupleShapes(shape), { kind: 'text' } satisfies ResultShape];
  return form.columns.map((_, column) => readerOf(shapes[form.values.indexOf(column)]));
}

/** The tuple values of one row, each column read once. */
function rowValues(row: FormRow, names: readonly string[], read: readonly Reader[], values: readonly number[]): unknown[] {
  const columns = names.map((name, i) => {
    const text = row[name];
    return text == null ? null : read[i]!(text as string);
  });
  return values.map((column) => columns[column]);
}

/** The plugins switched off in the caller's workspace, as the statement read them (on every row). */
export const rowsSwitchedOff = (rows: readonly FormRow[]): readonly string[] | null => (rows[0]?.switchedOff as string[] | null | undefined) ?? null;

/** The response's `data` from the rows of a row-form statement. */
export function rowFormAnswer(rows: readonly FormRow[], form: RowForm, shape: ResultShape): Record<string, unknown> {
  return form.kind === 'object' ? objectAnswer(rows, form, shape) : pageAnswer(rows, form, shape);
}

/** A by-id root field's object from its row (its columns null: there is no such row). */
function objectAnswer(rows: readonly FormRow[], form: ObjectRowForm, shape: ResultShape): Record<string, unknown> {
  const objectShape = shape.fields!.get(form.key)!;
  const names = form.columns.map((_, i) => `c${i}`);
  const row = rows[0];
  if (!row || row[names[form.values[form.values.length - 1]!]!] == null) return { [form.key]: null };
  return { [form.key]: tupleObject(rowValues(row, names, columnReaders(objectShape, form), form.values), 0, objectShape) };
}

function pageAnswer(rows: readonly FormRow[], form: PageRowForm, shape: ResultShape): Record<string, unknown> {
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
      const read = columnReaders(edgeShape, form);
      connection[key] = shown.map((row) => tupleObject(rowValues(row, names, read, form.values), 0, edgeShape));
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
