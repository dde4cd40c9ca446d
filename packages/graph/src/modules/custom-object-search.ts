import { coreObjects, isExtensible, loadWorkspaceDefinitions, ObjectCatalog, workspaceDeclarations } from '@crm/core';
import { customObjectSearchIndexes } from '../engine/search-sql.js';
import type { CustomFieldStorage } from './custom-fields.js';

/**
 * A custom object's search indexes made to match its searchable fields now: after a change of its fields committed
 * (built before the mutation answers, like custom fields' indexes), and by `crm custom-fields reindex`. An archived
 * object keeps its indexes for when it comes back; a deleted one loses them (`storage.searchIndexes(id, new Map())`).
 * Core objects' indexes are migrations.
 */
export async function syncCustomObjectSearch(
  db: Parameters<typeof loadWorkspaceDefinitions>[0],
  workspaceId: string,
  storage: CustomFieldStorage | undefined,
  objectId: string,
): Promise<void> {
  if (!storage || isExtensible(objectId)) return;
  const definitions = await loadWorkspaceDefinitions(db, workspaceId);
  const object = definitions.objects.find((o) => o.id === objectId);
  if (!object) return;
  const catalog = new ObjectCatalog(workspaceDeclarations(coreObjects, definitions));
  await storage.searchIndexes(objectId, customObjectSearchIndexes(catalog.get(object.name)));
}
