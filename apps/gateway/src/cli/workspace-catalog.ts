import { coreObjects, loadWorkspaceDefinitions, ObjectCatalog, type ObjectDeclaration, workspaceDeclarations } from '@crm/core';
import type { Database } from '@crm/db';

/**
 * The objects as one workspace's schema has them: core's and the plugins', with the workspace's custom fields and
 * custom objects, so the CLI's imports and exports take the same objects and columns as its GraphQL import and
 * `GET /export`.
 */
export async function workspaceCatalog(database: Database, workspaceId: string, pluginObjects: readonly ObjectDeclaration[]): Promise<ObjectCatalog> {
  const definitions = await loadWorkspaceDefinitions(database.prisma, workspaceId);
  return new ObjectCatalog(workspaceDeclarations([...coreObjects, ...pluginObjects], definitions));
}
