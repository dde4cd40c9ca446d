// The values of the engine's JSON that the gateway formats after the statement: global ids, cursors and instants.
// PostgreSQL sends them raw (a UUID, a timestamp), which is what PostGraphile does too: formatting them in SQL
// (`encode(convert_to(…), 'base64')`, `to_char(…)`) was about a third of a page's execution time on the database,
// which does not scale out, and costs the gateway a few microseconds per value (docs/performance.md).

/** Turns one raw value into the one graphql serialises (null stays null). */
export type Formatter = (raw: unknown) => unknown;

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
  if (child.format || child.fields || child.keys || child.list || child.spread) (parent.fields ??= new Map()).set(key, child);
  return value;
}

/** Marks the value being rendered (`sql`, a raw column) as one the gateway formats with `format`. */
export function formatted(context: { shape: ResultShape }, format: Formatter, sql: string): string {
  context.shape.format = format;
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
function tupleObject(values: unknown[], start: number, shape: ResultShape): Record<string, unknown> {
  const keys = shape.keys!;
  const object: Record<string, unknown> = {};
  let at = start;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const child = shape.fields?.get(key);
    if (child?.spread) {
      object[key] = tupleObject(values, at, child);
      at = tupleEnd;
    } else {
      object[key] = child ? applyShape(values[at], child) : values[at];
      at++;
    }
  }
  tupleEnd = at;
  return object;
}

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
