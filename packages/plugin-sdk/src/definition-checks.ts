// What definePlugin checks an option against, and the checks it runs on settings and handler maps.
import type { CrmEventType } from '@crm/core';
import type { SettingsSchema } from './definition.js';
import type { SubscriberInterest } from './interest.js';
import type { SettingsEntry } from './plugin.js';

export const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const EVENT = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9_]*$/;
export const NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;
export const ROLES = new Set(['ADMIN', 'MEMBER', 'READ_ONLY']);
export const KNOWN = new Set([
  'id', 'version', 'description', 'requires', 'prisma', 'migrations', 'settings', 'permissions', 'events', 'graphql',
  'subscribers', 'hooks', 'seed', 'delivery', 'jobs', 'dashboard', 'objects', 'personalData', 'actions', 'queues',
  'routes', 'fieldUsers', 'fieldRenamed', 'customObjectRenamed',
]);
export const SLOTS = new Set(['customer']);

export const isFunction = (value: unknown): value is (...args: never[]) => unknown => typeof value === 'function';
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Stored keys already reported as dropped (plugin, workspace, key): a bad key is logged once, not per transaction. */
const reportedDrops = new Set<string>();

export function settingsEntry(pluginId: string, schema: SettingsSchema | undefined, problem: (at: string, message: string) => void): SettingsEntry | null {
  if (schema === undefined) return null;
  if (!isRecord(schema) || !isFunction((schema as { safeParse?: unknown }).safeParse)) {
    problem('settings', 'must be a zod schema, e.g. z.object({ earnRate: z.number().default(1) })');
    return null;
  }
  const parse: SettingsEntry['parse'] = (raw) => {
    const result = schema.safeParse(raw ?? {});
    if (result.success) return { ok: true, value: result.data };
    return { ok: false, issues: result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) };
  };
  const defaults = parse({});
  if (!defaults.ok) {
    for (const issue of defaults.issues) problem(`settings.${issue.path}`, `needs a default (${issue.message})`);
    return null;
  }
  const shape = (schema as { shape?: unknown }).shape;
  const keys = isRecord(shape) ? Object.keys(shape) : Object.keys(defaults.value);
  // One stored key that no longer validates (the schema or the environment changed) must not reset the others: drop
  // the keys the parse names (they take their defaults), parse again; the whole object falls back only when a problem
  // names no stored key.
  const read: SettingsEntry['read'] = (raw, workspaceId) => {
    const stored: Record<string, unknown> = isRecord(raw) ? { ...raw } : {};
    for (;;) {
      const parsed = parse(stored);
      if (parsed.ok) return parsed.value;
      const bad = [...new Set(parsed.issues.map((issue) => issue.path.split('.')[0]!))].filter((key) => key && Object.hasOwn(stored, key));
      if (!bad.length) return defaults.value;
      for (const key of bad) {
        delete stored[key];
        const at = `${pluginId}\u0000${workspaceId}\u0000${key}`;
        if (reportedDrops.has(at)) continue;
        reportedDrops.add(at);
        const why = parsed.issues.find((issue) => issue.path.split('.')[0] === key)?.message;
        console.warn(`[${pluginId}] workspace ${workspaceId}: stored setting "${key}" no longer validates (${why}); its default applies until an ADMIN saves it again`);
      }
    }
  };
  return { parse, read, defaults: defaults.value, keys };
}

export type HandlerMap = Partial<Record<CrmEventType, Record<string, unknown>>>;

export function forEachHandler<F>(
  map: HandlerMap | undefined,
  option: string,
  problem: (at: string, message: string) => void,
  add: (event: string, name: string, handler: F, interest?: SubscriberInterest) => void,
) {
  if (map === undefined) return;
  if (!isRecord(map)) return void problem(option, 'an object: { "event.type": { name: async (event, ctx) => … } }');
  for (const [event, handlers] of Object.entries(map)) {
    if (!EVENT.test(event) && !(event === '*' && option === 'subscribers')) problem(`${option}["${event}"]`, 'not an event type (entity.action, or "*" for every event)');
    if (!isRecord(handlers)) {
      problem(`${option}["${event}"]`, 'an object of named functions, e.g. { earnPoints: async (event, ctx) => … }');
      continue;
    }
    for (const [name, handler] of Object.entries(handlers)) {
      const at = `${option}["${event}"].${name}`;
      if (!NAME.test(name)) problem(at, 'a name is an identifier (it keys idempotency records)');
      // A subscriber may come with its interest: `{ handle, interest: { of, changedBy } }`.
      if (option === 'subscribers' && isRecord(handler)) {
        const interest = handler.interest;
        if (!isFunction(handler.handle)) problem(`${at}.handle`, 'must be an async function (event, ctx) => …');
        else if (!isRecord(interest) || !isFunction(interest.of)) problem(`${at}.interest.of`, 'must be an async function ({ workspaceId, sql }) => interest');
        else if (!Array.isArray(interest.changedBy) || !interest.changedBy.every((type) => typeof type === 'string' && EVENT.test(type))) {
          problem(`${at}.interest.changedBy`, 'the event types after which the interest is read again, e.g. ["workflow.published"]');
        } else add(event, name, handler.handle as F, interest as unknown as SubscriberInterest);
      } else if (!isFunction(handler)) problem(at, 'must be an async function (event, ctx) => …');
      else add(event, name, handler as F);
    }
  }
}

/** A zod schema (an event's declared `payload`): zod fills in its parts on first use, so it is not frozen. */
const isSchema = (value: unknown) => isRecord(value) && '_zod' in value;

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) if ((isRecord(child) && !isSchema(child)) || Array.isArray(child)) deepFreeze(child);
  }
  return value;
}
