// An event's declared payload (a zod object: core's `coreEventPayloads`, a plugin's `events.<type>.payload`): read
// ahead by code that takes an event as input (a workflow's `{{trigger.event.payload.amount}}`, typed at publish by
// `payloadPathType`), and held to by the host when the plugin emits it (`checkedPayload`, in the emitting transaction,
// so a refused payload keeps nothing). Events without one are untyped to their readers and not checked.
import { CrmError } from '@crm/core';
import type { z } from 'zod';
import { type ActionInputKind, type Internals, kindOf } from './action-input.js';

/** `extensions.reason` of the error a plugin's emit of a payload its declaration refuses becomes. */
export const EVENT_PAYLOAD_MISMATCH = 'EVENT_PAYLOAD_MISMATCH';

/** Why `schema` cannot declare a payload (only a zod object names the keys a reader may read), or null. */
export function payloadSchemaProblem(schema: unknown): string | null {
  const shape = (schema as { shape?: unknown } | null)?.shape;
  const parses = typeof (schema as { safeParse?: unknown } | null)?.safeParse === 'function';
  return parses && typeof shape === 'object' && shape !== null ? null : 'a zod object of what the event carries, e.g. z.object({ customerId: z.uuid(), points: z.number() })';
}

/**
 * The payload a plugin emits, parsed with its declaration made strict (`definePlugin` makes it so once). A payload it
 * refuses — a key missing or of another type, or one it does not declare (it used to be left out silently) — is the
 * plugin's bug: PLUGIN_FAILED naming the plugin, the event and what is wrong, thrown inside the emitting transaction.
 */
export function checkedPayload(plugin: string, type: string, schema: z.ZodObject, payload: unknown): Record<string, unknown> {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  const what = issue?.code === 'unrecognized_keys' ? `keys it does not declare: ${issue.keys.join(', ')}` : (issue?.message ?? 'not its shape');
  throw new CrmError(
    'PLUGIN_FAILED',
    `The ${plugin} plugin emitted ${type} with a payload its declaration refuses (${where}${what}); nothing was kept`,
    undefined,
    { plugin, event: type, reason: EVENT_PAYLOAD_MISMATCH },
  );
}

/** The type at a path of a payload (`lines.0.sku`), or why the path names nothing there. */
export type PayloadPathType = { readonly kind: ActionInputKind } | { readonly problem: string };

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

interface Walked extends Internals {
  _zod: Internals['_zod'] & { def: Internals['_zod']['def'] & { shape?: Record<string, Walked>; valueType?: Walked; element?: Walked } };
}

const unwrapped = (schema: Walked): Walked => {
  let current = schema;
  for (let depth = 0; depth < 10 && WRAPPERS.has(current._zod.def.type) && current._zod.def.innerType; depth++) current = current._zod.def.innerType as Walked;
  return current;
};

/**
 * What `path` (the keys after `payload`) holds in a payload of `schema`: an object's key must be one it declares (the
 * problem names the keys it has), a record's any key, a list's an item's position; a value of any type (`unknown`,
 * a union of several kinds) is read deeper as any type. Kinds as action inputs' (`kindOf`: a uuid an `id`, money a
 * number, an ISO instant a date).
 */
export function payloadPathType(schema: z.ZodObject, path: readonly string[]): PayloadPathType {
  let current = schema as unknown as Walked;
  let at = 'payload';
  for (const part of path) {
    const inner = unwrapped(current);
    const def = inner._zod.def;
    if (def.type === 'object' && def.shape) {
      const keys = Object.keys(def.shape);
      if (!Object.hasOwn(def.shape, part)) return { problem: `${at} has no ${part} (it has ${keys.join(', ') || 'no keys'})` };
      current = def.shape[part]!;
    } else if (def.type === 'record' && def.valueType) {
      current = def.valueType;
    } else if (def.type === 'array' && def.element) {
      if (!/^\d+$/.test(part)) return { problem: `${at} is a list: read an item by its position (${at}.0)` };
      current = def.element;
    } else {
      const kind = kindOf(inner);
      if (kind === 'unknown') return { kind };
      return { problem: `${at} is ${kind === 'list' ? 'a list' : `a value (${kind})`}, not an object` };
    }
    at = `${at}.${part}`;
  }
  const def = unwrapped(current)._zod.def;
  // An object or a record read whole is a structured value: of no single kind.
  return { kind: def.type === 'object' || def.type === 'record' ? 'unknown' : kindOf(current) };
}
