import { badInput } from '../errors.js';
import { fields, z } from '../validation.js';
import { allCustomFieldTypes } from './field-types.js';

/** GraphQL's name rule, narrowed to camelCase as the built-in fields are named (`contractEnd`). */
export const CUSTOM_FIELD_NAME = /^[a-z][A-Za-z0-9]{0,49}$/;

/**
 * Names a custom field may never take, whatever the object: GraphQL's and Relay's own, the filter language's
 * operators, and the columns every table has. Fields of the object (built-in or a plugin's) are refused too, from
 * the schema the caller is served (`takenNames`).
 */
export const reservedNames = new Set([
  'id', 'node', 'nodes', 'edges', 'cursor', 'pageInfo', 'totalCount', 'aggregate', 'and', 'or', 'not', 'inSegment',
  'workspace', 'workspaceId', 'ownerId', 'objectId', 'customFields', 'attributes', 'createdAt', 'updatedAt', 'deletedAt', 'deletedBy',
  'deleteReason', 'trashedWithId', 'expectedUpdatedAt', 'input', 'filter', 'orderBy', 'search', 'first', 'last',
  'after', 'before', 'true', 'false', 'null', 'typename', 'eq', 'neq', 'in', 'notIn', 'lt', 'lte', 'gt', 'gte',
  'isNull', 'contains', 'startsWith', 'endsWith', 'has', 'hasAny', 'hasAll', 'isEmpty', 'constructor', 'prototype',
]);

/** Throws BAD_USER_INPUT (field `name`) unless `name` can be a new field of the object. */
export function checkFieldName(name: string, object: string, taken: (name: string) => boolean): void {
  if (!CUSTOM_FIELD_NAME.test(name)) {
    throw badInput('name: a custom field name starts with a lower-case letter and has only letters and digits (at most 50), e.g. contractEnd', 'name');
  }
  if (name.startsWith('__') || reservedNames.has(name)) throw badInput(`name: ${name} is a reserved word`, 'name');
  if (taken(name)) throw badInput(`name: ${object} already has a field ${name}`, 'name');
}

const option = z.object({
  value: z.string().trim().min(1, 'Must not be empty').max(100, 'At most 100 characters'),
  label: z.string().trim().min(1).max(200).nullish(),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'A colour is #rrggbb').nullish(),
});

export const defineCustomFieldInput = z.object({
  /** A declared object's name (one declared `customFields: true`: checked by the command), or a custom object's id. */
  object: z.union([z.string().regex(/^[A-Z][A-Za-z0-9]{0,49}$/), fields.id], { message: 'object: an object that takes custom fields (CUSTOMER, COMPANY, …) or a custom object id' }),
  name: z.string(),
  label: z.string().trim().min(1, 'Must not be empty').max(200, 'At most 200 characters').nullish(),
  type: z.enum(allCustomFieldTypes),
  /** `relation`: the object type it points to (`Customer`, `Company` or a custom object's name). */
  target: z.string().trim().max(50).nullish(),
  options: z.array(option).max(200, 'At most 200 options').nullish(),
  required: z.boolean().nullish(),
  unique: z.boolean().nullish(),
  indexed: z.boolean().nullish(),
  defaultValue: z.unknown().optional(),
  description: z.string().trim().max(1000, 'At most 1,000 characters').nullish(),
  min: z.number().finite().nullish(),
  max: z.number().finite().nullish(),
  currency: fields.currency.nullish(),
  position: z.number().int().min(0).max(10_000).nullish(),
});

export type DefineCustomFieldInput = z.input<typeof defineCustomFieldInput>;

export const renameCustomFieldInput = z.object({
  id: fields.id,
  name: z.string(),
  label: z.string().trim().min(1).max(200).nullish(),
});

export const archiveCustomFieldInput = z.object({ id: fields.id, archived: z.boolean().nullish() });

export const deleteCustomFieldInput = z.object({ id: fields.id, force: z.boolean().nullish() });
