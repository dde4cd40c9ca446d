// A custom object's pages find it by its type name in the route (`#/objects/Contract`): the workspace's definitions
// say its root fields, its fields and how its records are named for people.
import { type CustomObject, labelFieldOf, useCustomObjectsQuery } from '../custom-fields/definitions.js';
import { customObjectKind, type RecordKind } from '../custom-fields/record-kinds.js';

export interface CustomObjectPageState {
  /** The object, once the definitions are in; null when the workspace has no live object of that name. */
  object: CustomObject | null | undefined;
  kind: RecordKind | undefined;
  /** Every custom object (relation targets, their label fields). */
  objects: CustomObject[];
  /** The field that names a record (its first text or email field), if it has one. */
  labelField: string | null;
  query: ReturnType<typeof useCustomObjectsQuery>;
}

export function useCustomObjectNamed(name: string): CustomObjectPageState {
  const query = useCustomObjectsQuery();
  const objects = query.data?.customObjects ?? [];
  const object = query.data ? (objects.find((o) => o.name === name) ?? null) : undefined;
  return { object, kind: object ? customObjectKind(object) : undefined, objects, labelField: object ? labelFieldOf(object.name, objects) : null, query };
}

/** A record as people name it: its label field, else its id. */
export const recordName = (record: Record<string, unknown> & { id: string }, labelField: string | null) =>
  String((labelField && record[labelField]) || record.id);

/** The plural for people: `contracts` → `Contracts`. */
export const pluralLabel = (object: Pick<CustomObject, 'pluralName'>) => object.pluralName.charAt(0).toUpperCase() + object.pluralName.slice(1);
