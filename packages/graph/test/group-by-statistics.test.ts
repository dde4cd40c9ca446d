// The migration `group_by_statistics` gives PostgreSQL statistics on every truncation group-by groups on: it must
// follow the declarations (a new groupable date field needs its statistics, or its group-by sorts every row).
import { readFileSync } from 'node:fs';
import { coreObjects, ObjectCatalog } from '@crm/core';
import { describe, expect, it } from 'vitest';
import { groupStatisticsSql } from '../src/engine/aggregate-sql.js';

const migration = readFileSync(new URL('../../db/prisma/migrations/20261203090000_group_by_statistics/migration.sql', import.meta.url), 'utf8');

describe('group-by statistics', () => {
  it('the migration holds the statistics of every groupable date field of the core declarations, and nothing else', () => {
    const expected = [...new ObjectCatalog(coreObjects).objects].flatMap((object) => groupStatisticsSql(object));
    const statements = migration.split('\n').filter((line) => line.startsWith('CREATE STATISTICS'));
    expect(expected.length).toBeGreaterThanOrEqual(5 * 10);
    expect(statements).toEqual(expected);
  });
});
