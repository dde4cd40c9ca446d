import type { ObjectCatalog, ResolvedField, ResolvedObject } from '../objects/index.js';
import { badInput } from '../errors.js';

/** What a role may do with one object. Objects a role does not name are closed to it. */
export interface ObjectGrant {
  read: boolean;
  create: boolean;
  update: boolean;
  delete: boolean;
  /** Only rows whose owner (or assignee: the object's declared `owner` field) is the key's user. */
  ownRecordsOnly: boolean;
  /** Fields the role neither reads nor writes: they read as null everywhere (docs/security.md). */
  hiddenFields: readonly string[];
  /** Fields the role reads but does not write. */
  readOnlyFields: readonly string[];
}

/** A custom role's permissions. Stored as the role's `grants` (JSON). */
export interface RoleGrants {
  /** By object name. */
  readonly objects: Readonly<Record<string, ObjectGrant>>;
  /** Plugins' declared permissions the role holds, as `<pluginId>.<permission>` (`loyalty.redeem`). */
  readonly plugins: readonly string[];
}

/**
 * How a role's grants name a field: a built-in field by its name, a custom field by its stable key
 * (`customFields.<key>`), so renaming a custom field keeps the rules roles have for it.
 */
export function grantName(field: Pick<ResolvedField, 'name' | 'stored'>): string {
  return field.stored ? `${field.stored.json}.${field.stored.key}` : field.name;
}

/** The field of `object` an entry of a role names: by name, or a custom field by its grant name (`customFields.<key>`). */
export function grantedField(object: ResolvedObject, name: string): ResolvedField | undefined {
  return object.fields.get(name) ?? [...object.fields.values()].find((field) => field.stored && grantName(field) === name);
}

/** A custom field named by its grant name (`customFields.<key>`). */
const CUSTOM_GRANT_NAME = /^customFields\.[A-Za-z_][A-Za-z0-9_]*$/;

const PLUGIN_PERMISSION = /^[a-z0-9][a-z0-9-]*\.[A-Za-z][A-Za-z0-9_]*$/;

export type ObjectAction = 'read' | 'create' | 'update' | 'delete';
export const objectActions: readonly ObjectAction[] = ['read', 'create', 'update', 'delete'];

/**
 * The objects roles speak of: those with a root field of their own (core, plugin and custom objects alike). The
 * others are parts of one of them (an order's lines, a customer's stage history, a pipeline's stages) and follow it.
 */
export const isGoverned = (object: Pick<ResolvedObject, 'plural' | 'single'>) => Boolean(object.plural || object.single);

/**
 * Checks a role's grants against the catalog it is used with; BAD_USER_INPUT naming the faulty entry
 * (`permissions.<i>.<what>`). A field can be hidden only where the schema lets it be null (see docs/security.md).
 */
export function checkRoleGrants(catalog: ObjectCatalog, entries: readonly ({ object: string } & ObjectGrant)[], plugins: readonly string[] = []): RoleGrants {
  const grants: Record<string, ObjectGrant> = {};
  plugins.forEach((name, i) => {
    if (!PLUGIN_PERMISSION.test(name)) throw badInput(`pluginPermissions.${i}: ${name} is not <pluginId>.<permission>`, `pluginPermissions.${i}`);
  });
  entries.forEach((entry, i) => {
    const at = `permissions.${i}`;
    const object = catalog.has(entry.object) ? catalog.get(entry.object) : undefined;
    if (!object || !isGoverned(object)) throw badInput(`${at}.object: no object ${entry.object} takes permissions`, `${at}.object`);
    if (grants[object.name]) throw badInput(`${at}.object: ${object.name} is named twice`, `${at}.object`);
    if (!entry.read && (entry.create || entry.update || entry.delete)) throw badInput(`${at}.read: writing ${object.name} needs reading it`, `${at}.read`);
    if (entry.ownRecordsOnly && !object.owner) throw badInput(`${at}.ownRecordsOnly: ${object.name} has no owner or assignee`, `${at}.ownRecordsOnly`);
    // Custom fields are named like built-in ones (or by `customFields.<key>`), checked against the workspace's
    // definitions (its schema's catalog), and stored by key.
    const fieldNamed = (list: 'hiddenFields' | 'readOnlyFields', name: string, j: number): string => {
      const field = grantedField(object, name);
      const path = `${at}.${list}.${j}`;
      // A rule for a custom field that is not live now (archived, or deleted) is kept by its key: it holds again if
      // the field is restored, and updating the role's other permissions does not trip over it.
      if (!field && CUSTOM_GRANT_NAME.test(name) && object.customFields) return name;
      if (!field || field.kind === 'id') throw badInput(`${path}: ${object.name} has no field ${name}`, path);
      if (field.computed && list === 'readOnlyFields') throw badInput(`${path}: ${name} is kept by the system, never written`, path);
      if (list === 'hiddenFields' && !field.nullable) throw badInput(`${path}: ${name} is never null in the schema, so it cannot be hidden`, path);
      if (list === 'hiddenFields' && field.name === object.owner && entry.ownRecordsOnly) throw badInput(`${path}: the own-records rule reads ${name}`, path);
      return grantName(field);
    };
    const hiddenFields = entry.hiddenFields.map((name, j) => fieldNamed('hiddenFields', name, j));
    const readOnlyFields = entry.readOnlyFields.map((name, j) => fieldNamed('readOnlyFields', name, j));
    grants[object.name] = {
      read: entry.read,
      create: entry.create,
      update: entry.update,
      delete: entry.delete,
      ownRecordsOnly: entry.ownRecordsOnly,
      hiddenFields: [...new Set(hiddenFields)],
      readOnlyFields: [...new Set(readOnlyFields)],
    };
  });
  return { objects: grants, plugins: [...new Set(plugins)] };
}

/** Whether a role with these grants writes anything (its keys then count as MEMBER for the workspace's other commands). */
export const grantsWrite = (grants: RoleGrants) => Object.values(grants.objects).some((g) => g.create || g.update || g.delete) || grants.plugins.length > 0;
