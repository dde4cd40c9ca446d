// The values of the engine's JSON that the gateway formats after the statement: global ids, cursors and instants.
// PostgreSQL sends them raw (a UUID, a timestamp), which is what PostGraphile does too: formatting them in SQL
// (`encode(convert_to(…), 'base64')`, `to_char(…)`) was about a third of a page's execution time on the database,
// which does not scale out, and costs the gateway a few microseconds per value (docs/performance.md).

/** Turns one raw value into the one graphql serialises (null stays null). */
export type Formatter = (raw: unknown) => unknown;

/**
 * How a leaf travels as a column of its own (the row form, `row-answer.ts`): its text, read back as the value the JSON
 * form would have held. `json` (the default: aggregates, JSON columns, objects built as JSON) is a JSON value, its
 * text sent as it is; `array`, a PostgreSQL array column, is sent as JSON; `rows`, a nested list built as a text array
 * of its elements' tuples (`ARRAY(SELECT ARRAY[v::text, …])`, `built-object.ts`), is sent as the array's text.
 */
export type LeafKind = 'text' | 'number' | 'boolean' | 'json' | 'array' | 'rows';

/**
 * Where formatted values sit in the answer, by response key, and which objects PostgreSQL sent as tuples: an object
 * the engine builds is a JSON array of its values (`json_build_array`, no key strings per row: building JSON objects
 * per row and per nested level was most of a page's PostgreSQL CPU), named here by `keys`. Lists (a connection's
 * `edges`, a to-many relation) are marked `list`: their elements have the shape.
 */
export interface ResultShape {
  format?: Formatter;
  fields?: Map<string, ResultShape>;
  /** The object arrives as the array of its values in this order of response keys. */
  keys?: readonly string[];
  /** The value is a JSON array whose elements have this shape. */
  list?: boolean;
  /**
   * The object (with `keys`) has no array of its own: its values sit in its parent's tuple where its one value would
   * be (an edge's node, a nested connection that is only its edges). One `json_build_array` less per row and level.
   */
  spread?: boolean;
  /**
   * A spread object that may be absent (a to-one link joined to the row): its values follow one more, its presence
   * (the linked row's id), null when there is no linked row.
   */
  present?: boolean;
  /** The leaf's kind, when it is sent as a column of its own. @default 'json' */
  kind?: LeafKind;
}

/**
 * Renders the value of response key `key` under `context.shape` with `build`, recording the formats it asks for. A
 * build that throws (a field left to its resolver) records nothing.
 */
export function within<T>(context: { shape: ResultShape }, key: string, build: () => T): T {
  const parent = context.shape;
  const child: ResultShape = {};
  context.shape = child;
  let value: T;
  try {
    value = build();
  } finally {
    context.shape = parent;
  }
  if (child.format || child.fields || child.keys || child.list || child.spread || child.kind) (parent.fields ??= new Map()).set(key, child);
  return value;
}

/** Marks the value being rendered (`sql`, a raw column whose text it formats) as one the gateway formats with `format`. */
export function formatted(context: { shape: ResultShape }, format: Formatter, sql: string): string {
  context.shape.format = format;
  context.shape.kind = 'text';
  return sql;
}

/** Marks the value being rendered (`sql`) as a leaf of `kind`. */
export function leaf(context: { shape: ResultShape }, kind: LeafKind, sql: string): string {
  context.shape.kind = kind;
  return sql;
}

/** Formats the engine's parsed JSON along `shape` (tuples become objects, other values are formatted in place); returns it. */
export function applyShape<T>(value: T, shape: ResultShape): T {
  if (value === null || value === undefined) return value;
  if (!shape.list) return shapeOne(value, shape) as T;
  const items = value as unknown as unknown[];
  for (let i = 0; i < items.length; i++) items[i] = shapeOne(items[i], shape);
  return value;
}

function shapeOne(value: unknown, shape: ResultShape): unknown {
  if (value === null || value === undefined) return value;
  if (shape.format) return shape.format(value);
  if (shape.keys) return tupleObject(value as unknown[], 0, shape);
  if (shape.fields && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    for (const [key, child] of shape.fields) if (key in object) object[key] = applyShape(object[key], child);
  }
  return value;
}

/** Where `tupleObject` stopped reading (the index after the last value it read). */
let tupleEnd = 0;

/** The object of `shape.keys` from `values`, read from `start` on (spread objects read their values in place). */
export function tupleObject(values: unknown[], start: number, shape: ResultShape): Record<string, unknown> {
  const keys = shape.keys!;
  const object: Record<string, unknown> = {};
  let at = start;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const child = shape.fields?.get(key);
    if (child?.present && values[at] == null) {
      object[key] = null;
      at += 1 + tupleWidth(child);
    } else if (child?.spread) {
      object[key] = tupleObject(values, child.present ? at + 1 : at, child);
      at = tupleEnd;
    } else {
      object[key] = child ? applyShape(values[at], child) : values[at];
      at++;
    }
  }
  tupleEnd = at;
  return object;
}

/** How many values the tuple of `shape` holds (its spread objects' values counted in place). */
export function tupleWidth(shape: ResultShape): number {
  let width = 0;
  for (const key of shape.keys!) {
    const child = shape.fields?.get(key);
    width += child?.spread ? (child.present ? 1 : 0) + tupleWidth(child) : 1;
  }
  return width;
}

/** A link's presence in a tuple: its row's id. */
const PRESENCE: ResultShape = { kind: 'text' };

/** The shape of each value of the tuple of `shape`, in order (see `tupleWidth`; undefined: an unmarked JSON value). */
export function tupleShapes(shape: ResultShape): (ResultShape | undefined)[] {
  return shape.keys!.flatMap((key) => {
    const child = shape.fields?.get(key);
    if (child?.spread) return [...(child.present ? [PRESENCE] : []), ...tupleShapes(child)];
    return [child];
  });
}

/** The kind of each value of the tuple of `shape`, in order. */
export const tupleKinds = (shape: ResultShape): LeafKind[] => tupleShapes(shape).map((child) => child?.kind ?? 'json');

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

const globalIds = new Map<string, Formatter>();

/** Relay's opaque id of a `typename` row from its UUID, as `encodeGlobalID` computes it. */
export function globalIdOf(typename: string): Formatter {
  let format = globalIds.get(typename);
  if (!format) {
    const prefix = `${typename}:`;
    format = (raw) => (raw == null ? raw : base64(prefix + String(raw)));
    globalIds.set(typename, format);
  }
  return format;
}

/** Pothos' prisma cursor of a row from its UUID (`formatPrismaCursor`). */
export const cursorOf: Formatter = (raw) => (raw == null ? raw : base64(`GPC:S:${String(raw)}`));

/** A zone suffix: `Z`, `±hh:mm` or `±hh` (which `Date` does not read: completed with `:00`). */
const ZONED = /(?:Z|[+-]\d\d:\d\d)$/;
const HOURS_ONLY = /[+-]\d\d$/;

/**
 * An instant as the `DateTime` scalar serialises it (ISO-8601 UTC with milliseconds). PostgreSQL's JSON writes a
 * `timestamptz` with the session's offset (connections run in UTC: `+00:00`) and a `timestamp` without zone.
 */
export const instant: Formatter = (raw) => {
  if (raw == null) return raw;
  const text = String(raw);
  return new Date(ZONED.test(text) ? text : HOURS_ONLY.test(text) ? `${text}:00` : `${text}Z`).toISOString();
};
