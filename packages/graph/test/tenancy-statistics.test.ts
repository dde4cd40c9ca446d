// The migration `tenancy_statistics` tells PostgreSQL that a child row's workspace follows from its parent key, for
// every to-many relation of the core declarations: a new relation needs its statistics, or its nested lists are
// planned as if tenancy halved their rows (docs/performance.md, issue 14 round 5).
import { readFileSync } from 'node:fs';
import { coreObjects, ObjectCatalog } from '@crm/core';
import { describe, expect, it } from 'vitest';
import { tenancyStatisticsSql } from '@crm/core';

const migration = readFileSync(new URL('../../db/prisma/migrations/20261204160000_tenancy_statistics/migration.sql', import.meta.url), 'utf8');

describe('tenancy statistics', () => {
  it('the migration holds the statistics of every to-many relation of the core declarations, and nothing else', () => {
    const catalog = new ObjectCatalog(coreObjects);
    const expected = tenancyStatisticsSql(catalog.objects, (relation) => catalog.target(relation));
    const statements = migration.split('\n').filter((line) => line.startsWith('CREATE STATISTICS'));
    expect(expected).toContain('CREATE STATISTICS "Activity_customerId_workspace_stats" (dependencies) ON "customerId", "workspaceId" FROM "Activity";');
    expect(statements).toEqual(expected);
  });
});
