import { createCustomFieldIndexes, dropCustomFieldIndexes } from '@crm/core';
import type { Database } from '@crm/db';
import type { CustomFieldStorage } from '@crm/graph';

/**
 * Custom fields' expression indexes, built and dropped after their definition commits, on the unscoped client: on
 * PostgreSQL `CONCURRENTLY` (no read or write waits for the build), on the embedded database plainly (one connection).
 */
export function customFieldIndexes(database: Database): CustomFieldStorage {
  const embedded = database.kind !== 'postgres';
  return {
    defined: (workspaceId, field) => createCustomFieldIndexes(database.prisma, workspaceId, field, embedded),
    deleted: (_workspaceId, field) => dropCustomFieldIndexes(database.prisma, field, embedded),
  };
}
