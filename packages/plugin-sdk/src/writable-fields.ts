// Which field a value written to a record goes to, and whether it may be written: one rule for the SDK's record
// writes and for code that checks writes ahead (a workflow's definition at publish).
import { badInput, CrmError, type Permissions, type ResolvedField, type ResolvedObject, writerOf } from '@crm/core';

export type WriteAction = 'create' | 'update';

/** The field a value named `name` goes to: a declared field, or a custom relation written under its relation's name. */
export function fieldNamed(object: ResolvedObject, name: string): { field: ResolvedField; custom: boolean } | null {
  const relation = object.relations.get(name);
  if (relation?.kind === 'toOne' && relation.custom) return { field: object.fields.get(relation.key)!, custom: true };
  const field = object.fields.get(name);
  // A relation's hidden key is written under the relation's name (as the GraphQL inputs take it).
  if (!field || (field.stored && field.kind === 'reference')) return null;
  return { field, custom: Boolean(field.stored) };
}

/**
 * The field `name` writes on `object` and whether its value is a custom one (the writer takes those under
 * `customFields`). BAD_USER_INPUT naming `at` unless `action` may set it (declared `write: true | action`, or a custom
 * field); with `permissions`, FORBIDDEN naming `at` unless that role may write it.
 */
export function fieldToWrite(object: ResolvedObject, name: string, action: WriteAction, at: string, permissions?: Permissions | null): { field: ResolvedField; custom: boolean } {
  const found = fieldNamed(object, name);
  if (!found || !(found.custom || found.field.write === true || found.field.write === action)) {
    throw badInput(`${at}: ${object.name} has no field ${name} to set when ${action === 'create' ? 'creating' : 'updating'}`, at);
  }
  if (permissions && !permissions.canWriteField(found.field)) throw new CrmError('FORBIDDEN', `${at}: the role cannot write ${object.name}.${name}`, at);
  return found;
}

/**
 * FORBIDDEN naming `at` unless `permissions` (a role's) may `action` records of `object`: the object's grant, and for
 * a plugin object whose writer needs a plugin permission (`competitor-feedback.write`), that permission too.
 */
export function requireWriteAction(object: ResolvedObject, action: WriteAction, at: string, permissions: Permissions): void {
  if (!permissions.can(object, action)) throw new CrmError('FORBIDDEN', `${at}: the role cannot ${action} ${object.name} records`, at);
  const needed = writerOf(object)?.permission;
  if (needed && !permissions.holdsPluginPermission(needed.plugin, needed.name, needed.roles)) {
    throw new CrmError('FORBIDDEN', `${at}: writing ${object.name} records needs the ${needed.plugin} permission "${needed.name}", which the role does not hold`, at);
  }
}
