import type { CustomFieldDefinition, ScopedTransaction } from '@crm/db';
import type { Caller } from '../command.js';
import { requireRole } from '../session.js';
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
  return (await definitionRows(db, object, false)).map(customFieldOf);
}

/** A definition as the metadata API lists it: whether it is archived (out of the schema, values kept, restorable). */
export type ListedCustomField = CustomField & { archived: boolean };

/**
 * The custom fields of the caller's workspace (of one object or all) for the metadata API: the live ones, and with
 * `includeArchived` the archived ones too, in the same order. Only ADMIN keys may ask for archived ones (they restore
 * them); FORBIDDEN for others.
 */
export async function listCustomFields(caller: Caller, object: string | undefined, options: { includeArchived?: boolean } = {}): Promise<ListedCustomField[]> {
  const includeArchived = options.includeArchived ?? false;
  if (includeArchived) requireRole(caller.session, 'ADMIN');
  return (await definitionRows(caller.db, object, includeArchived)).map((row) => ({ ...customFieldOf(row), archived: row.archivedAt !== null }));
}

function definitionRows(db: DefinitionReader, object: string | undefined, includeArchived: boolean) {
  return db.customFieldDefinition.findMany({
    where: { ...(includeArchived ? {} : { archivedAt: null }), ...(object ? { object } : {}) },
    orderBy: [{ position: 'asc' }, { name: 'asc' }],
  });
}

/** The live custom fields of `workspaceId`, through an unscoped client (the gateway's schema cache). */
export async function loadWorkspaceCustomFields(db: DefinitionReader, workspaceId: string): Promise<CustomField[]> {
  const rows = await db.customFieldDefinition.findMany({ where: { workspaceId, archivedAt: null }, orderBy: [{ position: 'asc' }, { name: 'asc' }] });
  return rows.map(customFieldOf);
}
