import { createCustomFieldIndexes, dropCustomFieldIndexes } from '@crm/core';
import type { Database } from '@crm/db';
import { type CustomFieldStorage, customObjectSearchIndexPrefix } from '@crm/graph';

/**
 * Custom fields' expression indexes and custom objects' search indexes, built and dropped after their definition
 * commits, on the unscoped client: on PostgreSQL `CONCURRENTLY` (no read or write waits for the build), on the embedded
 * database plainly (one connection).
 */
export function customFieldIndexes(database: Database): CustomFieldStorage {
  const embedded = database.kind !== 'postgres';
  const how = embedded ? 'INDEX' : 'INDEX CONCURRENTLY';
  return {
    defined: (workspaceId, field) => createCustomFieldIndexes(database.prisma, workspaceId, field, embedded),
    deleted: (_workspaceId, field) => dropCustomFieldIndexes(database.prisma, field, embedded),
    async searchIndexes(objectId, indexes) {
      const existing = await database.prisma.$queryRawUnsafe<{ name: string }[]>(
        `SELECT indexname AS name FROM pg_indexes WHERE tablename = 'CustomRecord' AND starts_with(indexname, $1)`,
        customObjectSearchIndexPrefix(objectId),
      );
      const present = new Set(existing.map((row) => row.name));
      for (const [name, definition] of indexes) if (!present.has(name)) await database.prisma.$executeRawUnsafe(`CREATE ${how} IF NOT EXISTS "${name}" ${definition}`);
      for (const name of present) if (!indexes.has(name)) await database.prisma.$executeRawUnsafe(`DROP ${how} IF EXISTS "${name}"`);
    },
  };
}
