import type { FieldDeclaration, ObjectDeclaration } from '../objects/declaration.js';
import { CUSTOM_VALUES_COLUMN, type CustomFieldType, customFieldTraits, extensibleObjects } from './field-types.js';

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
  position: number;
}

/** The field declaration a definition stands for: the same kinds, filters, orders and aggregates as a built-in field. */
export function customFieldDeclaration(field: CustomField): FieldDeclaration {
  const traits = customFieldTraits[field.type];
  return {
    kind: traits.kind,
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
    const own = sorted.filter((f) => f.object === declaration.name);
    if (!own.length) return declaration;
    return { ...declaration, fields: { ...declaration.fields, ...Object.fromEntries(own.map((f) => [f.name, customFieldDeclaration(f)])) } };
  });
}

export const isExtensible = (object: string): boolean => (extensibleObjects as readonly string[]).includes(object);

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
