// How the engine writes an object it builds (docs/architecture.md, "What the statement returns"): a tuple of values
// named by the gateway from the result shape, an object's values spread into the tuple holding it, or, when graphql
// executes over the answer and needs the engine's marks, a JSON object.
import { decline } from './decline.js';
import { ENGINE_MARK, ENGINE_TYPE } from './engine-answers.js';
import type { RenderContext } from './render.js';
import { type LeafKind, tupleKinds } from './result-shape.js';
import { literal } from './sql-text.js';

/** What building an object reads of the operation's context. */
type BuildContext = Pick<RenderContext, 'marked' | 'shape'>;

/** The key under which a JSON object the engine builds carries a value no response key asks for (a page's row id). */
export const ROW_ID = '#id';

/**
 * An object's values spread into the tuple of the object holding it, in place of its own tuple (`ResultShape.spread`):
 * an edge's node, a nested connection of edges only.
 */
export interface Spread {
  readonly spread: readonly string[];
}

/** One response key of an object the engine builds, with its SQL value (or values, spread). */
export type Entry = readonly [key: string, sql: string | Spread];

/** A JSON object's entry (never spread: a tuple's values are named by position, an object's by key). */
type KeyedEntry = readonly [key: string, sql: string];

/** The marks of an object the engine builds, when graphql executes over its answer. */
export const marks = (context: BuildContext, typename: string): Entry[] =>
  context.marked ? [[ENGINE_MARK, '1'], [ENGINE_TYPE, literal(typename)]] : [];

/**
 * The object of `entries` being rendered under `context.shape`: a tuple (`json_build_array` of the values, named by
 * the gateway from `shape.keys`: no key strings per row), or, when graphql executes over the answer and needs the
 * marks, a JSON object. `hidden`: a value no response key names, after the tuple's values or under `#id`.
 */
export function buildObject(context: BuildContext, entries: readonly Entry[], hidden?: string): string {
  // Both functions take at most 100 arguments; a wider selection is left to Pothos.
  if (context.marked) {
    if (entries.length + (hidden === undefined ? 0 : 1) > 50) decline('selection too wide');
    return jsonObject(keyed(hidden === undefined ? entries : [...entries, [ROW_ID, hidden]]));
  }
  const values = tupleValues(context, entries);
  if (hidden !== undefined) values.push(hidden);
  if (values.length > 100) decline('selection too wide');
  return `json_build_array(${values.join(', ')})`;
}

/** The text of `sql`, a value of `kind`: a JSON value's text is JSON already; an array column is made JSON. */
export const valueText = (sql: string, kind: LeafKind): string => (kind === 'array' ? `to_json(${sql})::text` : `(${sql})::text`);

/**
 * The object of `entries` as an element of a nested list built as a text array (`RenderContext.arrays`): its tuple's
 * values, each as text by its kind (`valueText`), in a `text[]`. A list of such elements, `ARRAY(SELECT <this> …)`,
 * is a two-dimensional text array, which PostgreSQL builds for ~45 % less CPU than the JSON tuples
 * (docs/performance.md, issue 14 round 9); `row-answer.ts` reads it back by the same shape.
 */
export function textTuple(context: BuildContext, entries: readonly Entry[]): string {
  const values = tupleValues(context, entries);
  const kinds = tupleKinds(context.shape);
  if (values.length > 100) decline('selection too wide');
  return `ARRAY[${values.map((value, i) => valueText(value, kinds[i]!)).join(', ')}]::text[]`;
}

/** The values of `entries` for a tuple (spread ones in place), named under `context.shape`. */
export function tupleValues(context: BuildContext, entries: readonly Entry[]): string[] {
  context.shape.keys = entries.map(([key]) => key);
  return entries.flatMap(([, sql]) => (typeof sql === 'string' ? [sql] : sql.spread));
}

/** The object of `entries` as values for the tuple holding it (a tuple itself when graphql executes over the answer). */
export function spreadObject(context: BuildContext, entries: readonly Entry[]): string | Spread {
  if (context.marked) return buildObject(context, entries);
  const spread = tupleValues(context, entries);
  context.shape.spread = true;
  return { spread };
}

/**
 * The object of `entries` that exists only when `presence` (the linked row's id) is not null: a to-one link joined to
 * the row. Its values are spread after its presence (`ResultShape.present`): a link's own `json_build_array` per row
 * was a fifth of Q4's statement, and in the row form its values are columns like the row's own.
 */
export function optionalObject(context: BuildContext, entries: readonly Entry[], presence: string): string | Spread {
  if (context.marked) return `CASE WHEN ${presence} IS NULL THEN NULL ELSE ${buildObject(context, entries)} END`;
  const spread = tupleValues(context, entries);
  context.shape.spread = true;
  context.shape.present = true;
  return { spread: [presence, ...spread] };
}

/** Entries of a JSON object: spread values only occur in tuples. */
export function keyed(entries: readonly Entry[]): KeyedEntry[] {
  return entries.map(([key, sql]) => (typeof sql === 'string' ? [key, sql] : decline(`${key} spread in a JSON object`)));
}

/** A JSON object of `entries` (one per connection or group: the tuples are for what is built per row). */
export const jsonObject = (entries: readonly Entry[]): string => `json_build_object(${entries.map(([key, sql]) => `${literal(key)}, ${sql}`).join(', ')})`;
