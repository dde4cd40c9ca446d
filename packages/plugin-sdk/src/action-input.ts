// What each key of an action's input takes, read from the zod object it declares (`actions.<name>.input`): the kind of
// value, whether the key is required, and the key's own rule. So a caller can check a reference ahead of running it (a
// workflow's `callAction` step, when it is published) by the action's one declaration, not a copy of it.
import type { z } from 'zod';

/** The kind of value a key takes: an `id` is a uuid text (a row id); `unknown`: the schema says no single kind. */
export type ActionInputKind = 'text' | 'number' | 'boolean' | 'date' | 'list' | 'id' | 'unknown';

/** One top-level key of an action's input. */
export interface ActionInputField {
  readonly kind: ActionInputKind;
  /** The input must give it (its schema takes no `undefined`: neither optional nor defaulted). */
  readonly required: boolean;
  /** Why the key's schema refuses `value` (its first message), or null when it takes it. */
  problem(value: unknown): string | null;
}

/** The parts of zod's internals read here (zod 4's `_zod.def` and `_zod.bag`). */
export interface Internals {
  format?: string | null;
  _zod: { def: { type: string; format?: string; innerType?: Internals; in?: Internals; options?: Internals[] }; bag?: { format?: string } };
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);
const DATE_FORMATS = new Set(['datetime', 'date']);
const ID_FORMATS = new Set(['uuid', 'guid']);

/** The kind of value a schema takes (its wrappers unwrapped, a pipe by what it takes in). */
export function kindOf(schema: Internals, depth = 0): ActionInputKind {
  const def = schema._zod?.def;
  if (!def || depth > 10) return 'unknown';
  if (WRAPPERS.has(def.type) && def.innerType) return kindOf(def.innerType, depth + 1);
  if (def.type === 'pipe' && def.in) return kindOf(def.in, depth + 1);
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
      const kinds = new Set((def.options ?? []).map((option) => kindOf(option, depth + 1)));
      return kinds.size === 1 ? [...kinds][0]! : 'unknown';
    }
    default:
      return 'unknown';
  }
}

/** The keys of an action's input schema (a zod object; any other schema: none, its keys unknown). */
export function actionInputFields(schema: z.ZodType): Readonly<Record<string, ActionInputField>> {
  const shape = (schema as { shape?: unknown }).shape;
  if (!shape || typeof shape !== 'object') return {};
  return Object.fromEntries(
    Object.entries(shape as Record<string, z.ZodType>).map(([key, field]) => [
      key,
      {
        kind: kindOf(field as unknown as Internals),
        required: !field.safeParse(undefined).success,
        problem: (value: unknown) => {
          const parsed = field.safeParse(value);
          return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'not taken');
        },
      } satisfies ActionInputField,
    ]),
  );
}
