import type { FieldKind } from '../objects/declaration.js';

/** The types of value a workspace can give a custom field (docs/custom-fields.md, "Types"). */
export const customFieldTypes = [
  'text',
  'longText',
  'number',
  'money',
  'percent',
  'date',
  'dateTime',
  'boolean',
  'select',
  'multiSelect',
  'email',
  'phone',
  'url',
  'rating',
] as const;

/**
 * Every type a custom field can have: the value types above, and `relation`, a to-one link to a record of a core or
 * custom object (its id in the values; the declaration adds the relation and its reverse connection on the target).
 */
export const allCustomFieldTypes = [...customFieldTypes, 'relation'] as const;

export type CustomFieldType = (typeof allCustomFieldTypes)[number];

interface TypeTraits {
  /** How every surface sees it: the declared field kind (GraphQL scalar, filter operators, SQL). */
  kind: FieldKind;
  /** Sorting makes sense on it. */
  sort: boolean;
  /** It can be a group-by key. */
  group: boolean;
}

/** What each type is as a declared field. One table: the declaration, the schema and the engine follow it. */
export const customFieldTraits: Record<CustomFieldType, TypeTraits> = {
  text: { kind: 'string', sort: true, group: true },
  longText: { kind: 'string', sort: false, group: false },
  email: { kind: 'string', sort: true, group: false },
  phone: { kind: 'string', sort: true, group: false },
  url: { kind: 'string', sort: true, group: false },
  select: { kind: 'string', sort: true, group: true },
  multiSelect: { kind: 'stringList', sort: false, group: false },
  number: { kind: 'float', sort: true, group: false },
  percent: { kind: 'float', sort: true, group: false },
  rating: { kind: 'int', sort: true, group: true },
  money: { kind: 'decimal', sort: true, group: false },
  date: { kind: 'date', sort: true, group: true },
  dateTime: { kind: 'datetime', sort: true, group: false },
  boolean: { kind: 'boolean', sort: true, group: true },
  relation: { kind: 'reference', sort: false, group: false },
};

/**
 * The objects a relation field may point to, besides the workspace's custom objects. (Which objects take custom fields
 * is said by their declarations, `customFields: true`: `ObjectCatalog.extensible`, core's and the plugins'.)
 */
export const relationTargets = ['Customer', 'Company'] as const;

/** The JSONB column holding an extensible object's custom values. */
export const CUSTOM_VALUES_COLUMN = 'customFields';
