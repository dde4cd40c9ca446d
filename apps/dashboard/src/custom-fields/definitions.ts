// The workspace's custom field definitions (`customFields`, readable by every key) and what a relation field may point
// to (`customObjects`). The definitions change at run time, so they are asked from the server each time a page opens.
import { graphql, type ResultOf, type VariablesOf } from '@crm/client';
import { useCrmQuery } from '../data/hooks.js';

export const customFieldsQuery = graphql(`
  query CustomFieldDefinitions($object: ExtensibleObject) {
    customFields(object: $object) {
      id object name label type required unique indexed defaultValue description min max currency target position
      options { value label color }
    }
  }
`);

const relationTargetsQuery = graphql(`
  query RelationTargets { customObjects { id name pluralName label fields { name type } } }
`);

export type CustomFieldDefinition = ResultOf<typeof customFieldsQuery>['customFields'][number];
export type CustomFieldType = CustomFieldDefinition['type'];
export type ExtensibleObject = NonNullable<VariablesOf<typeof customFieldsQuery>['object']>;
export type CustomObject = ResultOf<typeof relationTargetsQuery>['customObjects'][number];

/** The live custom fields of `object`, in their order (fresh from the server: another admin may have changed them). */
export function useCustomFields(object: ExtensibleObject) {
  return useCrmQuery(customFieldsQuery, { object }, { requestPolicy: 'network-only' });
}

/** The workspace's custom objects (relation targets besides Customer and Company); only asked when `needed`. */
export function useCustomObjects(needed: boolean): CustomObject[] {
  const query = useCrmQuery(relationTargetsQuery, {}, { pause: !needed });
  return query.data?.customObjects ?? [];
}

const BUILT_IN_TARGETS = new Set(['Customer', 'Company']);
export const isBuiltInTarget = (target: string | null | undefined) => BUILT_IN_TARGETS.has(target ?? '');

/** How a record of a relation's target is named for people: `name` for customers and companies, else its first text field. */
export function labelFieldOf(target: string | null | undefined, objects: readonly CustomObject[]): string | null {
  if (isBuiltInTarget(target)) return 'name';
  const object = objects.find((o) => o.name === target);
  return object?.fields.find((f) => f.type === 'TEXT' || f.type === 'EMAIL')?.name ?? null;
}

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
