import type { RowAccess } from '@crm/db';
import type { ResolvedField, ResolvedObject } from '../objects/index.js';
import { isGoverned } from './role-grants.js';
import type { Permissions } from './permissions.js';

/** Matches no row (an object the key does not read, or an own-records rule for a key linked to no user). */
const noRows = Object.freeze({ id: { in: [] as string[] } });

const creates = new Set(['create', 'createMany', 'createManyAndReturn']);
const updates = new Set(['update', 'updateMany', 'updateManyAndReturn']);
const deletes = new Set(['delete', 'deleteMany']);

const accessCache = new WeakMap<Permissions, RowAccess>();

/**
 * The data layer's side of a key's permissions (`restrictRows` applies it to every Prisma read and write of its
 * requests and commands): rows of unreadable objects and others' rows under "own records only" are not there, and a
 * write is refused with FORBIDDEN (naming the field) unless the role creates, updates or deletes the object and
 * writes each field given. Writes touching only `computed` fields are the system keeping its figures (an order
 * updates its customer's totals) and need no update permission.
 */
export function rowAccessOf(permissions: Permissions): RowAccess {
  let access = accessCache.get(permissions);
  if (access) return access;
  const { catalog } = permissions;
  const governed = (model: string): ResolvedObject | null => {
    const object = catalog.byModel(model);
    return object && isGoverned(object) ? object : null;
  };
  const ownRows = (object: ResolvedObject): Record<string, unknown> | null => {
    const owner = permissions.ownerField(object);
    if (!owner) return null;
    return permissions.userId ? { [owner.column]: permissions.userId } : noRows;
  };
  const fieldsOf = (object: ResolvedObject, data: unknown, creating: boolean): ResolvedField[] => {
    const written: ResolvedField[] = [];
    for (const row of Array.isArray(data) ? data : [data]) {
      for (const [key, value] of Object.entries((row ?? {}) as Record<string, unknown>)) {
        if (value === undefined || (creating && value === null)) continue;
        const field = [...object.fields.values()].find((f) => f.column === key);
        if (field && field.kind !== 'id' && !field.computed) written.push(field);
      }
    }
    return written;
  };
  const checkCreate = (object: ResolvedObject, data: unknown): unknown => {
    permissions.require(object, 'create');
    for (const field of fieldsOf(object, data, true)) permissions.requireWritable(field);
    const owner = permissions.ownerField(object);
    if (!owner) return data;
    // An own-records key creates its own records (it could not see any other).
    const own = (row: Record<string, unknown>) => {
      permissions.requireOwnOwner(object, row[owner.column], 'create');
      return { ...row, [owner.column]: permissions.userId };
    };
    return Array.isArray(data) ? data.map(own) : own((data ?? {}) as Record<string, unknown>);
  };
  const checkUpdate = (object: ResolvedObject, data: unknown): void => {
    // Trashing and restoring set `deletedAt`: that is deleting, as far as roles go.
    if (data && typeof data === 'object' && 'deletedAt' in data) permissions.require(object, 'delete');
    const written = fieldsOf(object, data, false);
    if (!written.length) return;
    permissions.require(object, 'update');
    for (const field of written) permissions.requireWritable(field);
    const owner = permissions.ownerField(object);
    if (owner) permissions.requireOwnOwner(object, (data as Record<string, unknown>)[owner.column], 'update');
  };
  const narrowed = (object: ResolvedObject, where: unknown) => {
    const own = ownRows(object);
    if (!own) return where;
    const given = (where ?? {}) as Record<string, unknown>;
    const earlier = Array.isArray(given.AND) ? given.AND : given.AND ? [given.AND] : [];
    return { ...given, AND: [...earlier, own] };
  };
  access = {
    readCondition(model) {
      const object = governed(model);
      if (!object) return null;
      if (!permissions.can(object, 'read')) return noRows;
      return ownRows(object);
    },
    write(model, operation, args) {
      const object = governed(model);
      if (!object) return args;
      if (creates.has(operation)) return { ...args, data: checkCreate(object, args.data) };
      if (updates.has(operation)) {
        checkUpdate(object, args.data);
        return { ...args, where: narrowed(object, args.where) };
      }
      if (deletes.has(operation)) {
        permissions.require(object, 'delete');
        return { ...args, where: narrowed(object, args.where) };
      }
      if (operation === 'upsert') {
        checkUpdate(object, args.update);
        return { ...args, create: checkCreate(object, args.create), where: narrowed(object, args.where) };
      }
      return args;
    },
  };
  accessCache.set(permissions, access);
  return access;
}
