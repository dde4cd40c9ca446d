import { CUSTOM_VALUES_COLUMN } from '../custom-fields/field-types.js';
import type { Permissions } from './permissions.js';
import { isGoverned } from './role-grants.js';

/**
 * How a key's permissions narrow one table for statements written by hand (plugins' `sql`, which reads tables, not
 * the Prisma client the data layer narrows): the same rules as everywhere else, as the pieces of a row filter and a
 * column list.
 */
export interface TableNarrowing {
  /** No row at all: an object the key does not read, or "own records only" for a key linked to no user. */
  none: boolean;
  /** Only rows whose `column` holds `userId` ("own records only"). */
  owner: { column: string; userId: string } | null;
  /** Columns that read as null (hidden fields). */
  hiddenColumns: string[];
  /** Keys left out of the custom values column `json` (hidden custom fields). */
  hiddenCustomKeys: { json: string; keys: string[] } | null;
}

/** The narrowing of the table of `model` for the key, or null when it reads the table whole. */
export function tableNarrowing(permissions: Permissions, model: string): TableNarrowing | null {
  const object = permissions.catalog.byModel(model);
  if (!object || !isGoverned(object)) return null;
  if (!permissions.can(object, 'read')) return { none: true, owner: null, hiddenColumns: [], hiddenCustomKeys: null };
  const ownerField = permissions.ownerField(object);
  const owner = ownerField && permissions.userId ? { column: ownerField.column, userId: permissions.userId } : null;
  const hiddenColumns = [...object.fields.values()].filter((field) => !field.stored && !permissions.canReadField(field)).map((field) => field.column);
  const keys = permissions.hiddenCustomFieldKeys(object.name);
  const hiddenCustomKeys = keys.length ? { json: CUSTOM_VALUES_COLUMN, keys } : null;
  const none = Boolean(ownerField && !permissions.userId);
  if (!none && !owner && !hiddenColumns.length && !hiddenCustomKeys) return null;
  return { none, owner, hiddenColumns, hiddenCustomKeys };
}
