import type { ScopedTransaction } from '@crm/db';
import { CatalogError, ObjectCatalog } from '../objects/catalog.js';
import { coreCatalog } from '../objects/core-catalog.js';
import { coreObjects } from '../objects/core/index.js';
import { workspaceDeclarations } from './custom-object.js';
import { loadWorkspaceDefinitions } from './load-objects.js';

/**
 * The core objects with a workspace's custom fields, custom objects and relation fields: what core's own services
 * (saved segments) filter with. Two small reads; the gateway's schemas hold their own catalog, with plugins' objects.
 */
export async function workspaceCatalog(db: Pick<ScopedTransaction, 'customFieldDefinition' | 'customObjectDefinition'>, workspaceId: string): Promise<ObjectCatalog> {
  const definitions = await loadWorkspaceDefinitions(db, workspaceId);
  if (!definitions.fields.length && !definitions.objects.length) return coreCatalog;
  try {
    return new ObjectCatalog(workspaceDeclarations(coreObjects, definitions));
  } catch (error) {
    // As the gateway's schemas: definitions that do not build (they should not) are left out rather than break reads.
    if (error instanceof CatalogError) return coreCatalog;
    throw error;
  }
}
