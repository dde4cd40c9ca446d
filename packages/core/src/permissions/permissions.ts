import type { FilterNode, ObjectCatalog, ResolvedField, ResolvedObject } from '../objects/index.js';
import { CUSTOM_VALUES_COLUMN } from '../custom-fields/field-types.js';
import { CrmError, forbidden } from '../errors.js';
import { hasRole, type Session } from '../session.js';
import { grantName, isGoverned, type ObjectAction, type ObjectGrant } from './role-grants.js';
import { scopesAllow } from './scopes.js';

const everything: ObjectGrant = { read: true, create: true, update: true, delete: true, ownRecordsOnly: false, hiddenFields: [], readOnlyFields: [] };
const readOnly: ObjectGrant = { ...everything, create: false, update: false, delete: false };
const nothing: ObjectGrant = { ...readOnly, read: false };

/**
 * What one API key may do, decided in this one place from its role (built-in or custom) and its scopes: which
 * objects it reads, creates, updates and deletes, which fields it reads and writes, and which rows it sees (own
 * records only). Computed once per verified session and catalog; the read engine, the Pothos resolvers, the data
 * layer's write guard (commands), subscriptions and exports all ask it. See docs/security.md, "Roles and permissions".
 */
export class Permissions {
  static #cache = new WeakMap<Session, WeakMap<ObjectCatalog, Permissions>>();

  /** The permissions of a session over a catalog (cached for as long as the verified session object lives). */
  static of(session: Session, catalog: ObjectCatalog): Permissions {
    let byCatalog = Permissions.#cache.get(session);
    if (!byCatalog) Permissions.#cache.set(session, (byCatalog = new WeakMap()));
    let permissions = byCatalog.get(catalog);
    if (!permissions) byCatalog.set(catalog, (permissions = new Permissions(session, catalog)));
    return permissions;
  }

  readonly #grants = new Map<string, ObjectGrant>();
  /**
   * `Object.<grant name>`: a workspace's schema has its own catalog (custom fields), so fields are matched by the name
   * grants give them (`grantName`: custom fields by `customFields.<key>`).
   */
  readonly #hidden = new Set<string>();
  readonly #readOnly = new Set<string>();
  /** The user whose records an own-records rule keeps (null: the key is linked to no user, so it keeps none). */
  readonly userId: string | null;
  /**
   * Whether rows and writes are narrowed beyond the built-in roles (a custom role or scopes). Built-in keys without
   * scopes are not: the data layer then adds nothing to their statements.
   */
  readonly restrictsRows: boolean;

  private constructor(
    readonly session: Session,
    readonly catalog: ObjectCatalog,
  ) {
    this.userId = session.userId ?? null;
    const scopes = session.scopes ?? [];
    for (const object of catalog.objects) {
      if (!isGoverned(object)) continue;
      const base = session.customRole ? (session.customRole.grants.objects[object.name] ?? nothing) : session.role === 'READ_ONLY' ? readOnly : everything;
      const grant: ObjectGrant = {
        ...base,
        read: base.read && hasRole(session, object.read) && scopesAllow(scopes, object, 'read'),
        create: base.create && scopesAllow(scopes, object, 'create'),
        update: base.update && scopesAllow(scopes, object, 'update'),
        delete: base.delete && scopesAllow(scopes, object, 'delete'),
      };
      this.#grants.set(object.name, grant);
      for (const name of grant.hiddenFields) this.#hidden.add(`${object.name}.${name}`);
      for (const name of grant.readOnlyFields) this.#readOnly.add(`${object.name}.${name}`);
    }
    this.restrictsRows = Boolean(session.customRole) || scopes.length > 0;
  }

  #grant(object: ResolvedObject): ObjectGrant | null {
    return this.#grants.get(object.name) ?? null;
  }

  /** Whether the key may `action` rows of `object` (parts of another object follow their declared read role only). */
  can(object: ResolvedObject, action: ObjectAction): boolean {
    const grant = this.#grant(object);
    if (!grant) return action === 'read' ? hasRole(this.session, object.read) : true;
    return grant[action];
  }

  /** Whether the key reads a field: its object is readable, the role does not hide it, the declared `read` role is met. */
  canReadField(field: ResolvedField): boolean {
    if (this.#hidden.has(`${field.owner}.${grantName(field)}`) || !hasRole(this.session, field.read)) return false;
    return !this.catalog.has(field.owner) || this.can(this.catalog.get(field.owner), 'read');
  }

  /** Whether the key writes a field (values the system keeps, `computed`, are nobody's to write). */
  canWriteField(field: ResolvedField): boolean {
    return !field.computed && !this.#readOnly.has(`${field.owner}.${grantName(field)}`) && this.canReadField(field);
  }

  /**
   * FORBIDDEN naming `customFields.<name>` unless the key may write the custom field of `object` stored under `key`:
   * checked by the commands that store custom values, which know the workspace's definitions (the catalog a key's
   * permissions were built with may not).
   */
  requireWritableCustomField(object: string, field: { name: string; key: string }): void {
    const granted = `${object}.${CUSTOM_VALUES_COLUMN}.${field.key}`;
    if (!this.#hidden.has(granted) && !this.#readOnly.has(granted)) return;
    const path = `${CUSTOM_VALUES_COLUMN}.${field.name}`;
    throw new CrmError('FORBIDDEN', `${path}: your API key's role cannot write ${object}.${field.name}`, path);
  }

  /** The stable keys of `object`'s custom fields the key does not read (payloads carry custom values by key). */
  hiddenCustomFieldKeys(object: string): string[] {
    const prefix = `${object}.${CUSTOM_VALUES_COLUMN}.`;
    return [...this.#hidden].filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length));
  }

  /**
   * Whether the key holds a plugin's declared permission: a built-in role holds it when the plugin lists the role; a
   * custom role when it names `<pluginId>.<permission>`; scopes, when given, must name it too.
   */
  holdsPluginPermission(pluginId: string, permission: string, roles: readonly string[]): boolean {
    const name = `${pluginId}.${permission}`;
    const held = this.session.customRole ? this.session.customRole.grants.plugins.includes(name) : roles.includes(this.session.role);
    const scopes = this.session.scopes ?? [];
    return held && (!scopes.length || scopes.includes(name));
  }

  /** The owner field whose value must be the key's user, when the own-records rule applies to `object`. */
  ownerField(object: ResolvedObject): ResolvedField | null {
    const grant = this.#grant(object);
    return grant?.ownRecordsOnly && object.owner ? object.fields.get(object.owner)! : null;
  }

  /**
   * FORBIDDEN naming the owner field when an own-records key gives a record of `object` an owner other than its user
   * (`owner`: the value written; undefined, not written). It creates only its own records, and cannot hand one to
   * anyone else (nor clear its owner) by an update: the record would leave its sight, and creating then handing over
   * would get round the create rule. The one rule for single and batch writes, core and custom objects.
   */
  requireOwnOwner(object: ResolvedObject, owner: unknown, action: 'create' | 'update'): void {
    const field = this.ownerField(object);
    if (!field || owner === undefined || (action === 'create' && owner === null)) return;
    if (typeof owner === 'string' && owner.toLowerCase() === this.userId?.toLowerCase()) return; // a uuid, in any case
    const rule = action === 'create' ? `creates only its own ${object.name} records` : `keeps ${object.name} records its own: it cannot hand them to anyone else`;
    throw new CrmError('FORBIDDEN', `${field.name}: your API key's role ${rule}`, field.name);
  }

  /**
   * The rows of `object` the key sees, as a filter (null: every row): none of an object it does not read, its user's
   * under "own records only". Relation filters narrow to these (see `FilterContext.rowRule`).
   */
  rowFilter(object: ResolvedObject): FilterNode | null {
    const none: FilterNode = { kind: 'compare', field: object.fields.get('id')!, op: 'in', value: [] };
    if (!this.can(object, 'read')) return none;
    const owner = this.ownerField(object);
    if (!owner) return null;
    return this.userId ? { kind: 'compare', field: owner, op: 'eq', value: this.userId } : none;
  }

  /** FORBIDDEN unless the key may `action` rows of `object`. */
  require(object: ResolvedObject, action: ObjectAction): void {
    if (!this.can(object, action)) throw forbidden(`Your API key's role cannot ${action} ${object.name} records`);
  }

  /**
   * FORBIDDEN unless the key reads every record of each object named: workspace-wide figures (reports, dashboard
   * metrics) are aggregates over whole tables, so a role that sees part of an object (not at all, or own records only)
   * gets none of them rather than totals over rows it cannot read. (The fields they sum are never null, which roles
   * cannot hide.) Objects absent from the catalog (a plugin not installed) are skipped.
   */
  requireWholeRead(objects: readonly string[], what: string): void {
    for (const name of objects) {
      if (!this.catalog.has(name)) continue;
      const object = this.catalog.get(name);
      if (!this.can(object, 'read') || this.ownerField(object)) throw forbidden(`${what}: your API key's role does not read every ${name} record`);
    }
  }

  /** FORBIDDEN naming the field unless the key may write it. */
  requireWritable(field: ResolvedField): void {
    if (!this.canWriteField(field)) throw new CrmError('FORBIDDEN', `${field.name}: your API key's role cannot write ${field.owner}.${field.name}`, field.name);
  }

  /** The fields of `object` the key reads (exports and other row-by-row surfaces list these, in declaration order). */
  readableFields(object: ResolvedObject): ResolvedField[] {
    return [...object.fields.values()].filter((field) => this.canReadField(field));
  }

  /**
   * A copy of a row of `object` (keyed by field name or column) with every field the key does not read set to null:
   * the hidden-field rule for surfaces that hand rows over whole (exports, event payloads).
   */
  scrub<Row extends Record<string, unknown>>(object: ResolvedObject, row: Row): Row {
    let copy: Record<string, unknown> | null = null;
    for (const field of object.fields.values()) {
      if (this.canReadField(field)) continue;
      for (const key of new Set([field.name, field.column])) {
        if (key in row && row[key] !== null) (copy ??= { ...row })[key] = null;
      }
    }
    return (copy ?? row) as Row;
  }
}

/** The declared object an event is about (by its subject type, a type or model name), or null. */
export function eventSubjectObject(catalog: ObjectCatalog, event: { subjectType: string }): ResolvedObject | null {
  return catalog.has(event.subjectType) ? catalog.get(event.subjectType) : (catalog.byModel(event.subjectType) ?? null);
}

/**
 * An event's payload as a key may see it: values of fields it does not read are null, and an update's `changes`
 * (`{ field: { from, to } }`) and `changed` leave them out. Subscriptions, the audit log and webhooks (as their role)
 * hand payloads over through this; `object` is the event's subject object (null: not a declared object, the payload is as stored).
 */
export function scrubEventPayload(permissions: Permissions, object: ResolvedObject | null, payload: unknown): unknown {
  if (!object || !payload || typeof payload !== 'object' || Array.isArray(payload)) return payload;
  const hidden = [...object.fields.values()].filter((field) => !permissions.canReadField(field)).map((field) => field.name);
  const hiddenKeys = permissions.hiddenCustomFieldKeys(object.name);
  if (!hidden.length && !hiddenKeys.length) return payload;
  const copy: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
  for (const name of hidden) if (name in copy) copy[name] = null;
  if (hiddenKeys.length) {
    // Custom values travel as one object keyed by the fields' stable keys, whole (`customFields`) or as a change.
    const withoutHidden = (values: unknown) =>
      isRecord(values) ? Object.fromEntries(Object.entries(values).filter(([key]) => !hiddenKeys.includes(key))) : values;
    if (CUSTOM_VALUES_COLUMN in copy) copy[CUSTOM_VALUES_COLUMN] = withoutHidden(copy[CUSTOM_VALUES_COLUMN]);
    const changes = isRecord(copy.changes) ? copy.changes : null;
    const change = changes?.[CUSTOM_VALUES_COLUMN];
    if (changes && isRecord(change)) {
      const from = withoutHidden(change.from);
      const to = withoutHidden(change.to);
      // A change of hidden values only is no change the key may see.
      if (sameValues(from, to)) hidden.push(CUSTOM_VALUES_COLUMN);
      else copy.changes = { ...changes, [CUSTOM_VALUES_COLUMN]: { from, to } };
    }
  }
  if (copy.changes && typeof copy.changes === 'object') {
    copy.changes = Object.fromEntries(Object.entries(copy.changes as Record<string, unknown>).filter(([name]) => !hidden.includes(name)));
  }
  if (Array.isArray(copy.changed)) copy.changed = (copy.changed as unknown[]).filter((name) => !hidden.includes(name as string));
  return copy;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether two sets of custom values are equal, whatever their keys' order. */
const sameValues = (a: unknown, b: unknown) => {
  const canonical = (values: unknown) => JSON.stringify(isRecord(values) ? Object.entries(values).sort(([x], [y]) => x.localeCompare(y)) : (values ?? null));
  return canonical(a) === canonical(b);
};
