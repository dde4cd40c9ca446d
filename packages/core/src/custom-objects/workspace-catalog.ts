import type { ScopedTransaction } from '@crm/db';
import type { CustomField } from '../custom-fields/definition.js';
import { CatalogError, ObjectCatalog } from '../objects/catalog.js';
import { coreCatalog } from '../objects/core-catalog.js';
import { coreObjects } from '../objects/core/index.js';
import type { ObjectDeclaration } from '../objects/declaration.js';
import { workspaceDeclarations } from './custom-object.js';
import { loadWorkspaceDefinitions } from './load-objects.js';

export interface WorkspaceCatalogOptions {
  /**
   * The installed plugins' objects (the command scope's `pluginObjects`), with their custom fields: what a plugin's
   * stored filter (a workflow's condition on `Competitor`) is parsed against. @default none: core's objects only
   */
  pluginObjects?: readonly ObjectDeclaration[];
  /**
   * An archived field to declare as if it were live: deleting it asks what still names it (a segment's filter), and a
   * filter naming it parses only with it declared. Its object must be live (an archived object's fields are not).
   */
  archivedField?: CustomField;
}

/**
 * The core objects (and the installed plugins' when given) with a workspace's custom fields, custom objects and
 * relation fields: what core's own services (saved segments, the usage check of a field) filter with. Two small
 * reads; the gateway's schemas hold their own catalog.
 */
export async function workspaceCatalog(
  db: Pick<ScopedTransaction, 'customFieldDefinition' | 'customObjectDefinition'>,
  workspaceId: string,
  options: WorkspaceCatalogOptions = {},
): Promise<ObjectCatalog> {
  const live = await loadWorkspaceDefinitions(db, workspaceId);
  const { archivedField } = options;
  const definitions = archivedField && !live.fields.some((f) => f.id === archivedField.id) ? { ...live, fields: [...live.fields, archivedField] } : live;
  const pluginObjects = options.pluginObjects ?? [];
  if (!definitions.fields.length && !definitions.objects.length && !pluginObjects.length) return coreCatalog;
  try {
    return new ObjectCatalog(workspaceDeclarations([...coreObjects, ...pluginObjects], definitions));
  } catch (error) {
    // As the gateway's schemas: definitions that do not build (they should not) are left out rather than break reads.
    if (error instanceof CatalogError) return coreCatalog;
    throw error;
  }
}
