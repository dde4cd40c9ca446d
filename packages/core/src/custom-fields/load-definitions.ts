import type { CustomFieldDefinition, ScopedTransaction } from '@crm/db';
import type { CustomField, SelectOption } from './definition.js';
import type { CustomFieldType } from './field-types.js';

/** A definition row as the declarations read it. */
export function customFieldOf(row: CustomFieldDefinition): CustomField {
  return {
    id: row.id,
    object: row.object,
    name: row.name,
    key: row.key,
    label: row.label,
    type: row.type as CustomFieldType,
    options: row.options as unknown as SelectOption[],
    required: row.required,
    unique: row.unique,
    indexed: row.indexed,
    defaultValue: row.defaultValue ?? null,
    description: row.description,
    min: row.min,
    max: row.max,
    currency: row.currency,
    target: row.target,
    position: row.position,
  };
}

type DefinitionReader = Pick<ScopedTransaction, 'customFieldDefinition'>;

/** The live (not archived) custom fields of the caller's workspace, of one object or all. */
export async function loadCustomFields(db: DefinitionReader, object?: string): Promise<CustomField[]> {
  const rows = await db.customFieldDefinition.findMany({
    where: { archivedAt: null, ...(object ? { object } : {}) },
    orderBy: [{ position: 'asc' }, { name: 'asc' }],
  });
  return rows.map(customFieldOf);
}

/** The live custom fields of `workspaceId`, through an unscoped client (the gateway's schema cache). */
export async function loadWorkspaceCustomFields(db: DefinitionReader, workspaceId: string): Promise<CustomField[]> {
  const rows = await db.customFieldDefinition.findMany({ where: { workspaceId, archivedAt: null }, orderBy: [{ position: 'asc' }, { name: 'asc' }] });
  return rows.map(customFieldOf);
}
