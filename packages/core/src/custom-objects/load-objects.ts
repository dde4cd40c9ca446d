import type { ScopedTransaction } from '@crm/db';
import { customFieldOf } from '../custom-fields/load-definitions.js';
import { type CustomObject, customObjectOf, type WorkspaceDefinitions } from './custom-object.js';

type DefinitionReader = Pick<ScopedTransaction, 'customFieldDefinition' | 'customObjectDefinition'>;

/** The live (not archived) custom objects of the caller's workspace. */
export async function loadCustomObjects(db: Pick<ScopedTransaction, 'customObjectDefinition'>): Promise<CustomObject[]> {
  const rows = await db.customObjectDefinition.findMany({ where: { archivedAt: null }, orderBy: [{ name: 'asc' }] });
  return rows.map(customObjectOf);
}

/**
 * Everything a workspace's schema is built from, through an unscoped client (the gateway's schema cache): its live
 * custom objects, and the live custom fields of core objects and of those objects (an archived object's fields are
 * left out with it).
 */
export async function loadWorkspaceDefinitions(db: DefinitionReader, workspaceId: string): Promise<WorkspaceDefinitions> {
  const [objectRows, fieldRows] = await Promise.all([
    db.customObjectDefinition.findMany({ where: { workspaceId, archivedAt: null }, orderBy: [{ name: 'asc' }] }),
    db.customFieldDefinition.findMany({ where: { workspaceId, archivedAt: null }, orderBy: [{ position: 'asc' }, { name: 'asc' }] }),
  ]);
  const objects = objectRows.map(customObjectOf);
  const live = new Set(objects.map((o) => o.id));
  const uuidLike = /^[0-9a-f]{8}-/i;
  const fields = fieldRows.map(customFieldOf).filter((f) => !uuidLike.test(f.object) || live.has(f.object));
  return { fields, objects };
}
