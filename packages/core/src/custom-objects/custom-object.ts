import type { CustomObjectDefinition } from '@crm/db';
import type { FieldDeclaration, ObjectDeclaration } from '../objects/declaration.js';
import { type CustomField, customFieldDeclaration, isExtensible, withCustomFields, withRelationFields } from '../custom-fields/definition.js';
import { customFieldTraits } from '../custom-fields/field-types.js';

/** A custom object as the declarations read it (the live columns of `CustomObjectDefinition`). */
export interface CustomObject {
  id: string;
  name: string;
  pluralName: string;
  label: string;
  description: string | null;
}

/** The table every custom object's records share, and its column naming the object. */
export const CUSTOM_RECORD_MODEL = 'CustomRecord';
export const CUSTOM_RECORD_OBJECT_COLUMN = 'objectId';

export function customObjectOf(row: CustomObjectDefinition): CustomObject {
  return { id: row.id, name: row.name, pluralName: row.pluralName, label: row.label, description: row.description };
}

/** `Contract` → `contract`: the by-id root field, and the prefix of the object's event types (`contract.created`). */
export const singleNameOf = (object: Pick<CustomObject, 'name'>) => object.name.charAt(0).toLowerCase() + object.name.slice(1);

/** Event types of a custom object's records. */
export const recordEventType = (object: Pick<CustomObject, 'name'>, action: 'created' | 'updated' | 'deleted' | 'restored' | 'destroyed') =>
  `${singleNameOf(object)}.${action}`;

/** The fields every custom object has, whatever its definitions (their names are reserved for it). */
const systemFields: Record<string, FieldDeclaration> = {
  id: { kind: 'id', sort: true },
  ownerId: { kind: 'reference', references: 'User', nullable: true, group: true, description: 'The user the record belongs to.' },
  createdAt: { kind: 'datetime', sort: true, group: true },
  updatedAt: { kind: 'datetime', sort: true },
};

export const customObjectSystemFields: readonly string[] = Object.keys(systemFields);

/**
 * The declaration a custom object stands for: a node with a list, by-id, filter, order, aggregates and group-by like a
 * built-in object, its rows those of the shared `CustomRecord` table with its id, its fields the definitions whose
 * `object` is its id (ordered by `position`).
 */
export function customObjectDeclaration(object: CustomObject, fields: readonly CustomField[]): ObjectDeclaration {
  // Relation fields are added by `withRelationFields` (their targets may be other custom objects).
  const own = fields.filter((f) => f.object === object.id && f.type !== 'relation').sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
  return {
    name: object.name,
    model: CUSTOM_RECORD_MODEL,
    sharedTable: { column: CUSTOM_RECORD_OBJECT_COLUMN, value: object.id },
    plural: object.pluralName,
    single: singleNameOf(object),
    description: object.description ?? object.label,
    owner: 'ownerId',
    fields: { ...systemFields, ...Object.fromEntries(own.map((f) => [f.name, customFieldDeclaration(f)])) },
    relations: {},
    // Its unique text fields are the keys upserts and imports match on (each has a unique index: custom-field-indexes.ts).
    uniqueKeys: own.filter((f) => f.unique && customFieldTraits[f.type].kind === 'string').map((f) => [f.name]),
    defaultOrder: [{ field: 'createdAt', direction: 'desc' }],
  };
}

/** A workspace's run-time definitions: its custom fields (of core and custom objects) and its custom objects. */
export interface WorkspaceDefinitions {
  fields: readonly CustomField[];
  objects: readonly CustomObject[];
}

export const noDefinitions: WorkspaceDefinitions = { fields: [], objects: [] };

/**
 * The digest source of a workspace's definitions. Custom fields alone are shared between workspaces with equal ones;
 * a custom object's declaration names its own id (its rows in the shared table), so its schema is its workspace's.
 */
export function workspaceDigestSource(definitions: WorkspaceDefinitions, fieldsDigestSource: (fields: readonly CustomField[]) => string): string {
  if (!definitions.objects.length) return fieldsDigestSource(definitions.fields);
  const objects = [...definitions.objects].sort((a, b) => a.id.localeCompare(b.id));
  return JSON.stringify({ objects, fields: fieldsDigestSource(definitions.fields) });
}

/**
 * Every declaration of a workspace's schema: the built-in ones (core's and plugins') with its custom fields, its
 * custom objects, and the relations its relation fields add between them.
 */
export function workspaceDeclarations(base: readonly ObjectDeclaration[], definitions: WorkspaceDefinitions): ObjectDeclaration[] {
  const { fields, objects } = definitions;
  const custom = objects.map((object) => customObjectDeclaration(object, fields));
  const names = new Map(objects.map((o) => [o.id, o.name]));
  return withRelationFields([...withCustomFields(base, fields), ...custom], fields, (objectOrId) => (isExtensible(objectOrId) ? objectOrId : names.get(objectOrId)));
}
