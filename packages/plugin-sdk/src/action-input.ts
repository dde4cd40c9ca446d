// What each key of an action's input or output takes, read from the zod object it declares (`actions.<name>.input`,
// `.output`): the kind of value, the object an id names, whether the key is required or may be null, and the key's own
// rule. So a caller can check a reference ahead of running it (a workflow's `callAction` step, when it is published) by
// the action's one declaration, not a copy of it. An input is described by what its schema takes in; an output by what
// its schema gives out (after a pipe or a transform), which is what a caller reads.
import type { z } from 'zod';

/** The kind of value a key takes: an `id` is a uuid text (a row id); `unknown`: the schema says no single kind. */
export type ActionInputKind = 'text' | 'number' | 'boolean' | 'date' | 'list' | 'id' | 'unknown';

/** One top-level key of an action's input (or output). */
export interface ActionInputField {
  readonly kind: ActionInputKind;
  /**
   * The object whose records an id names, as the schema declares it: `z.uuid().meta({ object: 'LoyaltyAccount' })`.
   * null: not declared (a caller may read it from the key's name, `customerId`).
   */
  readonly object: string | null;
  /** The input must give it (its schema takes no `undefined`: neither optional nor defaulted); an output always has it. */
  readonly required: boolean;
  /** It may be null (or, of an output, left out): its schema takes null (an output's: gives null or nothing). */
  readonly nullable: boolean;
  /** Why the key's schema refuses `value` (its first message), or null when it takes it. */
  problem(value: unknown): string | null;
}

/** The parts of zod's internals read here (zod 4's `_zod.def` and `_zod.bag`, and the registry's `meta()`). */
export interface Internals {
  format?: string | null;
  meta?: () => unknown;
  _zod: { def: { type: string; format?: string; innerType?: Internals; in?: Internals; out?: Internals; options?: Internals[] }; bag?: { format?: string } };
}

/** Which side of a schema is described: what it takes (an input) or what it gives (an output, parsed). */
type Side = 'in' | 'out';

interface Described {
  kind: ActionInputKind;
  object: string | null;
  /** An `optional` on the way (of an output: it may be left out). */
  optional: boolean;
  /** A `nullable` on the way. */
  nullable: boolean;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);
const DATE_FORMATS = new Set(['datetime', 'date']);
const ID_FORMATS = new Set(['uuid', 'guid']);

/** The object a schema's metadata names (`.meta({ object })`), read through its own zod's registry. */
function declaredObject(schema: Internals): string | null {
  const meta = typeof schema.meta === 'function' ? schema.meta() : undefined;
  const object = (meta as { object?: unknown } | undefined)?.object;
  return typeof object === 'string' && object ? object : null;
}

/** The kind of value a schema gives (its wrappers unwrapped, a pipe by what it gives out): event payloads' keys. */
export const kindOf = (schema: Internals): ActionInputKind => describe(schema, 'out').kind;

/** A schema described (its wrappers unwrapped, a pipe by the side described). */
function describe(schema: Internals, side: Side, depth = 0): Described {
  const def = schema._zod?.def;
  const object = declaredObject(schema);
  if (!def || depth > 10) return { kind: 'unknown', object, optional: false, nullable: false };
  const inner = WRAPPERS.has(def.type) ? def.innerType : def.type === 'pipe' ? def[side] : undefined;
  if (inner) {
    const described = describe(inner, side, depth + 1);
    return {
      ...described,
      object: object ?? described.object,
      // A default fills what is left out (an output always has it); `nonoptional` refuses it.
      optional: def.type === 'optional' || (described.optional && def.type !== 'default' && def.type !== 'prefault' && def.type !== 'nonoptional'),
      nullable: def.type === 'nullable' || described.nullable,
    };
  }
  return { kind: kindOfType(schema, def, side, depth), object, optional: false, nullable: false };
}

function kindOfType(schema: Internals, def: Internals['_zod']['def'], side: Side, depth: number): ActionInputKind {
  switch (def.type) {
    case 'string': {
      // zod 4 says a string's format on the schema (`z.string().uuid()`), in its def (`z.uuid()`, `z.iso.datetime()`).
      const format = schema.format ?? def.format ?? schema._zod.bag?.format ?? null;
      if (format && ID_FORMATS.has(format)) return 'id';
      // Money as the API writes it ("12.50", core's `z.stringFormat('money', …)`): a number, as money fields are.
      if (format === 'money') return 'number';
      return format && DATE_FORMATS.has(format) ? 'date' : 'text';
    }
    case 'enum':
      return 'text';
    case 'number':
    case 'int':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'array':
    case 'tuple':
    case 'set':
      return 'list';
    case 'union': {
      // One kind for every option (`z.union([z.string(), z.string().uuid()])`), else no single one.
      const kinds = new Set((def.options ?? []).map((option) => describe(option, side, depth + 1).kind));
      return kinds.size === 1 ? [...kinds][0]! : 'unknown';
    }
    default:
      // A transform's result (a pipe's output side) and anything else: no kind known ahead.
      return 'unknown';
  }
}

/** The keys of an action's schema (a zod object; any other schema: none, its keys unknown), as `side` sees them. */
function fieldsOf(schema: z.ZodType, side: Side): Readonly<Record<string, ActionInputField>> {
  const shape = (schema as { shape?: unknown }).shape;
  if (!shape || typeof shape !== 'object') return {};
  return Object.fromEntries(
    Object.entries(shape as Record<string, z.ZodType>).map(([key, field]) => {
      const described = describe(field as unknown as Internals, side);
      return [
        key,
        {
          kind: described.kind,
          object: described.object,
          required: side === 'out' ? !described.optional : !field.safeParse(undefined).success,
          nullable: side === 'out' ? described.optional || described.nullable : field.safeParse(null).success,
          problem: (value: unknown) => {
            const parsed = field.safeParse(value);
            return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'not taken');
          },
        } satisfies ActionInputField,
      ];
    }),
  );
}

/** The keys of an action's input schema, by what each takes. */
export const actionInputFields = (schema: z.ZodType) => fieldsOf(schema, 'in');

/** The keys of an action's declared output, by what each gives a caller (the parsed value: a transform's result). */
export const actionOutputFields = (schema: z.ZodType) => fieldsOf(schema, 'out');
