// The event types a host knows, with the object each one's subject is: core's (`coreEventSubjects`) and every
// installed plugin's declared `events`. For plugins that take an event type as input (a workflow's trigger, a wait
// for an event) and check it before it is used. Custom objects' record events (`contract.created`) depend on the
// workspace and are not listed: see `recordEventObject`.
import { coreEventPayloads, coreEventSubjects, type EventReadRule, EventReaders, updateEventFields } from '@crm/core';
import type { Role } from '@crm/db';
import type { z } from 'zod';
import type { PublishedEvent } from './events.js';

/** A known event type. */
export interface EventInfo {
  readonly type: string;
  /** The object its subject is (a declared object's or another row type's name); null: more than one kind. */
  readonly subject: string | null;
  /** The plugin that declares it; null: the core's. */
  readonly plugin: string | null;
  /**
   * An update event of an object whose updates more than one event announces: the fields whose changes it carries
   * (`deal.stage_changed`: `stageId`, `status`, …; core's `updateEventFields`). Null or left out: the object's one
   * update event, or an event that is no update (optional, so code that builds an `EventInfo` need not say it).
   */
  readonly changes?: readonly string[] | null;
  /**
   * What its payload holds (core's `coreEventPayloads`, a plugin's declared `payload`): read with `payloadPathType`.
   * Null or left out: not declared, any payload (untyped to readers).
   */
  readonly payload?: z.ZodObject | null;
}

/** Known event types by name. */
export type EventCatalog = ReadonlyMap<string, EventInfo>;

export function eventCatalog(plugins: readonly { id: string; events: Readonly<Record<string, PublishedEvent>> }[]): EventCatalog {
  const changes = new Map<string, readonly string[]>(Object.entries(updateEventFields));
  const catalog = new Map<string, EventInfo>([...coreEventSubjects].map(([type, subject]) => [type, { type, subject, plugin: null, changes: changes.get(type) ?? null, payload: coreEventPayloads.get(type) ?? null }]));
  for (const plugin of plugins) {
    for (const [type, event] of Object.entries(plugin.events)) catalog.set(type, { type, subject: event.subject, plugin: plugin.id, changes: null, payload: event.payload ?? null });
  }
  return catalog;
}

/**
 * Who reads each plugin's events: its declaration's `read` (one of the plugin's permissions, else a role), ADMIN when
 * it declares none (a plugin's payloads may say what only its managers should see; it opens them up by declaring).
 */
export function eventReaders(
  plugins: readonly { id: string; events: Readonly<Record<string, PublishedEvent>>; permissions: Readonly<Record<string, { roles: readonly Role[] }>> }[],
): EventReaders {
  const rules = new Map<string, EventReadRule>();
  for (const plugin of plugins) {
    for (const [type, event] of Object.entries(plugin.events)) {
      const read = event.read ?? 'ADMIN';
      const permission = Object.hasOwn(plugin.permissions, read) ? plugin.permissions[read]! : null;
      rules.set(type, permission ? { plugin: plugin.id, permission: { name: read, roles: permission.roles } } : { plugin: plugin.id, role: read as Role });
    }
  }
  return new EventReaders(rules);
}

/** Actions of a record's life that every custom object's records emit, `<object>.<action>` (`contract.created`). */
const RECORD_ACTIONS = new Set(['created', 'updated', 'deleted', 'restored', 'destroyed']);

/**
 * The custom object among `objects` (a workspace's catalog: custom objects are those kept in the shared table) whose
 * record events `type` is, by their naming (`Contract` → `contract.created`); null when it is none.
 */
export function recordEventObject(type: string, objects: Iterable<{ name: string; sharedTable?: unknown }>): string | null {
  const [prefix, action] = type.split('.');
  if (!prefix || !action || !RECORD_ACTIONS.has(action)) return null;
  for (const object of objects) if (object.sharedTable && object.name.charAt(0).toLowerCase() + object.name.slice(1) === prefix) return object.name;
  return null;
}
