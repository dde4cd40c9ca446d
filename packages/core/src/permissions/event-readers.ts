// Who reads a plugin's events: each plugin event type has a rule (its declaration's `read`, or ADMIN when it declares
// none), held in memory so that a subscription's per-event check costs no look-up. Core's administration events
// (`CORE_ADMIN_EVENTS`) are ADMIN's too, as the lists they come from are; the other core events follow their subject
// object's read permission only (`eventSubjectObject`).
import type { Role } from '@crm/db';
import { hasRole } from '../session.js';
import type { Permissions } from './permissions.js';

/** Who reads events of one plugin event type: the holders of one of the plugin's permissions, or a role and above. */
export type EventReadRule =
  | { plugin: string; permission: { name: string; roles: readonly Role[] } }
  | { plugin?: string; role: Role };

/**
 * Core's events about the workspace's administration, ADMIN-only like `apiKeys`, `webhooks` and `customRoles`: their
 * payloads name keys and their roles, webhook hosts, event types and failure streaks, custom roles. Reconnaissance for
 * a READ_ONLY or MEMBER key otherwise.
 */
export const CORE_ADMIN_EVENTS: readonly string[] = [
  'apikey.created', 'apikey.updated', 'apikey.revoked',
  'role.created', 'role.updated', 'role.deleted',
  'webhook.created', 'webhook.updated', 'webhook.deleted', 'webhook.disabled',
];
const coreRules: [string, EventReadRule][] = CORE_ADMIN_EVENTS.map((type) => [type, { role: 'ADMIN' }]);

export class EventReaders {
  /** No plugin events (a schema built without plugins). */
  static readonly none = new EventReaders(new Map());

  /** Per key: the types it does not read (worked out once per verified session's permissions, then a set look-up). */
  readonly #hidden = new WeakMap<Permissions, { set: ReadonlySet<string>; list: readonly string[] }>();

  /** Every rule: core's administration events', then the plugins' (`rules`). */
  readonly rules: ReadonlyMap<string, EventReadRule>;

  constructor(rules: ReadonlyMap<string, EventReadRule>) {
    this.rules = new Map([...coreRules, ...rules]);
  }

  /** Whether the key reads events of `type` (a type without a rule is not this check's to refuse). */
  reads(permissions: Permissions, type: string): boolean {
    return !this.#hiddenOf(permissions).set.has(type);
  }

  /** The event types the key does not read, for queries that leave them out in SQL (the audit log, histories). */
  hiddenTypes(permissions: Permissions): readonly string[] {
    return this.#hiddenOf(permissions).list;
  }

  #hiddenOf(permissions: Permissions) {
    let hidden = this.#hidden.get(permissions);
    if (!hidden) {
      const list = [...this.rules].filter(([, rule]) => !holds(permissions, rule)).map(([type]) => type);
      this.#hidden.set(permissions, (hidden = { set: new Set(list), list }));
    }
    return hidden;
  }
}

function holds(permissions: Permissions, rule: EventReadRule): boolean {
  return 'role' in rule ? hasRole(permissions.session, rule.role) : permissions.holdsPluginPermission(rule.plugin, rule.permission.name, rule.permission.roles);
}
