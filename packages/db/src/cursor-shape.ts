// The one rule for what a page cursor may be (Prisma's `cursor`, as Pothos decoded a client's `after`/`before`): a
// plain object naming the row by one unique key of its model (a unique field, or a compound unique by its name with
// exactly its fields), each value of its column's type. Anything else would fail inside Prisma or the database (an
// INTERNAL_SERVER_ERROR), so every reader of cursors checks it here first: cursor-scope.ts (every Prisma cursor),
// and @crm/graph's row-id pages and read engine (with `ROW_ID`).
import { getDatamodel } from './generated/pothos-types.js';

/** A key column's type as a cursor value must match it (`Uuid`: a String column holding uuids, the row ids). */
type Leaf = 'String' | 'Uuid' | 'Int' | 'BigInt' | 'Float' | 'Boolean' | 'DateTime' | 'Enum';
/** The keys a cursor may name: a field's type, or a compound key's fields and their types. */
export type CursorKeys = ReadonlyMap<string, Leaf | ReadonlyMap<string, Leaf>>;

/** The key of the lists paged by row id (`cursor: 'id'`): every such id is a uuid. */
export const ROW_ID: CursorKeys = new Map([['id', 'Uuid']]);

const INT_MAX = 2 ** 31;
const BIGINT_MAX = 2n ** 63n;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const leafOk: Record<Leaf, (value: unknown) => boolean> = {
  String: (value) => typeof value === 'string',
  Uuid: (value) => typeof value === 'string' && uuid.test(value),
  Int: (value) => Number.isInteger(value) && Math.abs(value as number) < INT_MAX,
  BigInt: (value) =>
    (typeof value === 'bigint' && value < BIGINT_MAX && value >= -BIGINT_MAX) || Number.isSafeInteger(value),
  Float: (value) => typeof value === 'number' && Number.isFinite(value),
  Boolean: (value) => typeof value === 'boolean',
  // Pothos decodes `D:` into a Date; its legacy `J:` tuples carry dates as ISO text.
  DateTime: (value) =>
    (value instanceof Date && Number.isFinite(value.getTime())) || (typeof value === 'string' && Number.isFinite(Date.parse(value))),
  Enum: (value) => typeof value === 'string',
};

const leafTypes = new Set<string>(['String', 'Int', 'BigInt', 'Float', 'Boolean', 'DateTime']);

const byModel = new Map<string, CursorKeys>(
  Object.entries(getDatamodel().datamodel.models).map(([name, model]) => {
    const leaf = (field: string): Leaf | undefined => {
      const found = model.fields.find((f) => f.name === field);
      if (!found) return undefined;
      if (found.kind === 'enum') return 'Enum';
      return found.kind === 'scalar' && leafTypes.has(found.type) ? (found.type as Leaf) : undefined;
    };
    const keys = new Map<string, Leaf | ReadonlyMap<string, Leaf>>();
    for (const field of model.fields) {
      const type = (field.isId || field.isUnique) && leaf(field.name);
      if (type) keys.set(field.name, type);
    }
    for (const unique of [...(model.primaryKey ? [model.primaryKey] : []), ...model.uniqueIndexes]) {
      const parts = unique.fields.map((field) => [field, leaf(field)] as const);
      if (parts.every(([, type]) => type)) keys.set(unique.name ?? unique.fields.join('_'), new Map(parts as [string, Leaf][]));
    }
    return [name, keys];
  }),
);

/** The keys a cursor of `model` may name (none for a model not in the schema). */
export function cursorKeysOf(model: string): CursorKeys {
  return byModel.get(model) ?? new Map();
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  Boolean(value) && typeof value === 'object' && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

/** Whether `cursor` names a row by one or more of `keys`, each value of its column's type. */
export function isCursorOf(keys: CursorKeys, cursor: unknown): cursor is Record<string, unknown> {
  if (!isPlainObject(cursor)) return false;
  const entries = Object.entries(cursor);
  return (
    entries.length > 0 &&
    entries.every(([name, value]) => {
      const key = keys.get(name);
      if (!key) return false;
      if (typeof key === 'string') return leafOk[key](value);
      if (!isPlainObject(value)) return false;
      const parts = Object.entries(value);
      return parts.length === key.size && parts.every(([part, v]) => key.has(part) && leafOk[key.get(part)!](v));
    })
  );
}
