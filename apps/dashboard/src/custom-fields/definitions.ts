// The workspace's custom field definitions (`customFields`, readable by every key) and what a relation field may point
// to (`customObjects`). The definitions change at run time, so they are asked from the server each time a page opens.
import { graphql, type ResultOf, type VariablesOf } from '@crm/client';
import { titleCase } from '../data/format.js';
import { useCrmQuery } from '../data/hooks.js';

export const customFieldsQuery = graphql(`
  query CustomFieldDefinitions($object: ExtensibleObject, $customObjectId: ID, $includeArchived: Boolean) {
    customFields(object: $object, customObjectId: $customObjectId, includeArchived: $includeArchived) {
      id object name label type required unique indexed defaultValue description min max currency target position archived
      options { value label color }
    }
  }
`);

const relationTargetsQuery = graphql(`
  query RelationTargets { customObjects { id name pluralName label description fields { name type target } } }
`);

export type CustomFieldDefinition = ResultOf<typeof customFieldsQuery>['customFields'][number];
export type CustomFieldType = CustomFieldDefinition['type'];
export type ExtensibleObject = NonNullable<VariablesOf<typeof customFieldsQuery>['object']>;
export type CustomObject = ResultOf<typeof relationTargetsQuery>['customObjects'][number];

/** What has custom fields: an object the API lets a workspace extend, or one of the workspace's custom objects. */
export type FieldOwner = { object: ExtensibleObject; customObjectId?: never } | { customObjectId: string; object?: never };

/**
 * The live custom fields of `owner`, in their order (fresh from the server: another admin may have changed them); with
 * `includeArchived` (ADMIN's Fields page) the archived ones too, marked `archived`.
 */
export function useCustomFields(owner: FieldOwner | null, options: { includeArchived?: boolean } = {}) {
  return useCrmQuery(
    customFieldsQuery,
    { object: owner?.object ?? null, customObjectId: owner?.customObjectId ?? null, includeArchived: options.includeArchived ?? false },
    { requestPolicy: 'network-only', pause: !owner },
  );
}

// The objects the API lets a workspace extend (`ExtensibleObject`: Customer, Company, and whatever the gateway adds),
// asked from the schema so that the Fields page offers every one of them without a list of its own.
const fieldOwnersQuery = graphql(`
  query FieldOwners { __type(name: "ExtensibleObject") { enumValues { name } } customObjects { id name label } }
`);

/** Every owner of custom fields with a label for people: the extensible objects, then the custom objects. */
export function useFieldOwners(): { owners: { key: string; label: string; owner: FieldOwner }[]; refetch: () => void } {
  const query = useCrmQuery(fieldOwnersQuery, {});
  // gql.tada does not type introspection fields: the shape is the spec's.
  const type = query.data?.__type as { enumValues?: { name: string }[] | null } | null | undefined;
  const extensible = (type?.enumValues ?? [{ name: 'CUSTOMER' }]).map(({ name }) => ({
    key: `object:${name}`,
    label: titleCase(name),
    owner: { object: name as ExtensibleObject },
  }));
  const custom = (query.data?.customObjects ?? []).map((o) => ({ key: `custom:${o.id}`, label: `${o.label} (custom object)`, owner: { customObjectId: o.id } }));
  return { owners: [...extensible, ...custom], refetch: query.refetch };
}

/** The workspace's custom objects (relation targets besides Customer and Company); only asked when `needed`. */
export function useCustomObjects(needed: boolean): CustomObject[] {
  return useCustomObjectsQuery(needed).data?.customObjects ?? [];
}

/** The same, with the query's state (pages of custom objects tell loading and errors apart from none). */
export const useCustomObjectsQuery = (needed = true) => useCrmQuery(relationTargetsQuery, {}, { pause: !needed });

// How a relation's target names its records (`name`, else its first text field): the documents' templates say it.
export { isBuiltInTarget, labelFieldOf } from '@crm/gateway/workspace-documents';

/** Which types a value may be `unique` for (docs/custom-fields.md), and which take min/max. */
export const UNIQUE_TYPES: readonly CustomFieldType[] = ['TEXT', 'EMAIL', 'PHONE', 'URL', 'NUMBER', 'RATING', 'DATE'];
export const RANGE_TYPES: readonly CustomFieldType[] = ['NUMBER', 'MONEY', 'PERCENT', 'RATING', 'TEXT', 'LONG_TEXT'];

/** The types, as people call them, in the order the define form offers them. */
export const TYPE_LABELS: Record<CustomFieldType, string> = {
  TEXT: 'Text',
  LONG_TEXT: 'Long text',
  NUMBER: 'Number',
  MONEY: 'Money',
  PERCENT: 'Percent',
  DATE: 'Date',
  DATE_TIME: 'Date and time',
  BOOLEAN: 'Yes / no',
  SELECT: 'Select',
  MULTI_SELECT: 'Multi-select',
  EMAIL: 'Email',
  PHONE: 'Phone',
  URL: 'URL',
  RATING: 'Rating',
  RELATION: 'Relation',
};
