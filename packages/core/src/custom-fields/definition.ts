import type { FieldDeclaration, ObjectDeclaration } from '../objects/declaration.js';
import { isUuid } from '../uuid.js';
import { CUSTOM_VALUES_COLUMN, type CustomFieldType, customFieldTraits } from './field-types.js';

/** One select option, in the order the field lists them. */
export interface SelectOption {
  value: string;
  label: string;
  /** A CSS hex colour (`#22c55e`). */
  color: string | null;
}

/** A custom field as the declarations read it (the live columns of `CustomFieldDefinition`). */
export interface CustomField {
  id: string;
  object: string;
  name: string;
  key: string;
  label: string;
  type: CustomFieldType;
  options: SelectOption[];
  required: boolean;
  unique: boolean;
  indexed: boolean;
  defaultValue: unknown;
  description: string | null;
  min: number | null;
  max: number | null;
  currency: string | null;
  /** `relation`: the object it points to (an extensible object's name, or a custom object's id). */
  target: string | null;
  position: number;
}

/** The field declaration a definition stands for: the same kinds, filters, orders and aggregates as a built-in field. */
export function customFieldDeclaration(field: CustomField, references?: string): FieldDeclaration {
  const traits = customFieldTraits[field.type];
  return {
    kind: traits.kind,
    ...(references ? { references } : {}),
    stored: { json: CUSTOM_VALUES_COLUMN, key: field.key },
    // A multi-select is a list, empty when unset; every other value may be unset (required is checked on writes,
    // and rows created before the field was defined have none).
    nullable: traits.kind !== 'stringList',
    sort: traits.sort,
    group: traits.group,
    description: field.description ?? field.label,
  };
}

/**
 * The declarations with a workspace's custom fields added to the objects they extend (ordered by `position`). The
 * result is what that workspace's schema, filters and read engine are built from.
 */
export function withCustomFields(declarations: readonly ObjectDeclaration[], fields: readonly CustomField[]): ObjectDeclaration[] {
  if (!fields.length) return [...declarations];
  const sorted = [...fields].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
  return declarations.map((declaration) => {
    // Relation fields are added by `withRelationFields`, once every object (custom ones too) is declared.
    const own = sorted.filter((f) => f.object === declaration.name && f.type !== 'relation');
    if (!own.length) return declaration;
    return { ...declaration, fields: { ...declaration.fields, ...Object.fromEntries(own.map((f) => [f.name, customFieldDeclaration(f)])) } };
  });
}

/** The hidden reference field a relation field `customer` keeps its id in (`customerId`; filters take it too). */
export const relationKeyName = (field: Pick<CustomField, 'name'>) => `${field.name}Id`;

/**
 * The name of a relation field's reverse connection on its target: the source object's plural (`Customer.contracts`
 * for `Contract.customer`) when the field is named after the target, else the plural followed by the field's name
 * (`Customer.contractsAsGuarantor` for `Contract.guarantor`).
 */
export function reverseRelationName(field: Pick<CustomField, 'name'>, sourcePlural: string, targetName: string): string {
  const named = field.name === targetName.charAt(0).toLowerCase() + targetName.slice(1);
  return named ? sourcePlural : `${sourcePlural}As${field.name.charAt(0).toUpperCase()}${field.name.slice(1)}`;
}

/**
 * Adds the workspace's relation fields to the declarations: on the source object a hidden stored reference
 * (`customerId`) and the to-one relation (`customer`), on the target the reverse connection (`contracts`). `objectName`
 * turns a definition's `object`/`target` (a name, or a custom object's id) into the declared name; a relation whose
 * source or target is not declared (archived, deleted) is left out.
 */
export function withRelationFields(
  declarations: readonly ObjectDeclaration[],
  fields: readonly CustomField[],
  objectName: (objectOrId: string) => string | undefined,
): ObjectDeclaration[] {
  const relations = fields.filter((f) => f.type === 'relation' && f.target);
  if (!relations.length) return [...declarations];
  const byName = new Map(declarations.map((d) => [d.name, { ...d, fields: { ...d.fields }, relations: { ...(d.relations ?? {}) } }]));
  for (const field of [...relations].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name))) {
    const source = byName.get(objectName(field.object) ?? '');
    const target = byName.get(objectName(field.target!) ?? '');
    if (!source || !target || !source.plural) continue;
    const key = relationKeyName(field);
    source.fields[key] = customFieldDeclaration(field, target.name);
    source.relations[field.name] = { kind: 'toOne', target: target.name, key, nullable: true, custom: true, description: field.description ?? field.label };
    target.relations[reverseRelationName(field, source.plural, target.name)] = {
      kind: 'toMany',
      target: source.name,
      key,
      custom: true,
      description: `The ${source.name} records whose ${field.name} is this ${target.name}.`,
    };
  }
  return declarations.map((d) => byName.get(d.name)!);
}

/**
 * Whether a definition's `object` names a declared object (`Customer`, a plugin's `Competitor`: its own table, named
 * as the object) rather than a custom object (by its id, in the shared `CustomRecord` table). Which declared objects
 * may take fields is their declaration's `customFields` (checked when a field is defined).
 */
export const isExtensible = (object: string): boolean => !isUuid(object);

/**
 * A stable digest of a workspace's live definitions: workspaces whose definitions are equal (same names, types and
 * rules, whatever their ids) share one schema.
 */
export function definitionsDigestSource(fields: readonly CustomField[]): string {
  const shape = [...fields]
    .map(({ id: _id, ...rest }) => rest)
    .sort((a, b) => a.object.localeCompare(b.object) || a.position - b.position || a.name.localeCompare(b.name));
  return JSON.stringify(shape);
}
