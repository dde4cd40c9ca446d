import { coreObjects, loadWorkspaceCustomFields, ObjectCatalog, type ObjectDeclaration, withCustomFields } from '@crm/core';
import type { Database } from '@crm/db';

/**
 * The objects as one workspace's schema has them: core's and the plugins', with the workspace's custom fields, so the
 * CLI's imports and exports take the same columns as its GraphQL import and `GET /export`.
 */
export async function workspaceCatalog(database: Database, workspaceId: string, pluginObjects: readonly ObjectDeclaration[]): Promise<ObjectCatalog> {
  const customFields = await loadWorkspaceCustomFields(database.prisma, workspaceId);
  return new ObjectCatalog(withCustomFields([...coreObjects, ...pluginObjects], customFields));
}
