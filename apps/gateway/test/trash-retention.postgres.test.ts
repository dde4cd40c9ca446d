import { CommandRunner, createWorkspace } from '@crm/core';
import { type Database, openDatabase } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { TrashRetention, trashRetentionDaysFromEnv } from '../src/trash-retention.js';

// The trash retention job (docs/data.md, "Trash") on the shared retention clock: two gateway instances running it at
// once on one PostgreSQL database share the work and destroy each expired record exactly once.

const DAY = 86_400_000;

describe('trash retention on PostgreSQL, two instances at once', () => {
  let pg: TestPostgres;
  let second: Database;
  beforeAll(async () => {
    pg = await createTestPostgres();
    second = await openDatabase({ kind: 'postgres', url: pg.url, poolSize: 3 }, { migrate: false });
  });
  afterAll(async () => {
    await second?.close();
    await pg?.drop();
  });

  it('destroys exactly the records trashed before the retention, each once, with one event each', async () => {
    const { workspaceId } = await createWorkspace(pg.database.prisma, { name: 'Retention' });
    const trashed = (ageDays: number, count: number, prefix: string) =>
      pg.database.prisma.customer.createMany({
        data: Array.from({ length: count }, (_, i) => ({ workspaceId, name: `${prefix} ${i}`, deletedAt: new Date(Date.now() - ageDays * DAY), deletedBy: 'test' })),
      });
    await trashed(40, 120, 'Old'); // past a 30-day retention
    await trashed(10, 15, 'Young'); // inside it
    await pg.database.prisma.customer.create({ data: { workspaceId, name: 'Alive' } });

    const runners = [pg.database, second].map(
      (database) => new TrashRetention({ sql: database.sql, runner: new CommandRunner({ prisma: database.prisma }), logger: silentLogger, days: 30, batchSize: 10 }),
    );
    const destroyed = await Promise.all(runners.map((runner) => runner.runOnce()));

    expect(destroyed[0]! + destroyed[1]!).toBe(120);
    const left = await pg.database.prisma.customer.findMany({ where: { workspaceId }, select: { name: true } });
    expect(left.map((c) => c.name.split(' ')[0]).sort()).toEqual(['Alive', ...Array<string>(15).fill('Young')]);
    const events = await pg.database.sql.query<{ n: number; subjects: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT "subjectId")::int AS subjects FROM "Event" WHERE "workspaceId" = $1::uuid AND type = 'customer.destroyed'`,
      [workspaceId],
    );
    expect(events[0]).toEqual({ n: 120, subjects: 120 });
    expect(await runners[0]!.runOnce()).toBe(0);
  });

  it('reads TRASH_RETENTION_DAYS', () => {
    expect(trashRetentionDaysFromEnv({})).toBe(30);
    expect(trashRetentionDaysFromEnv({ TRASH_RETENTION_DAYS: '7' })).toBe(7);
    expect(trashRetentionDaysFromEnv({ TRASH_RETENTION_DAYS: 'off' })).toBeNull();
    expect(() => trashRetentionDaysFromEnv({ TRASH_RETENTION_DAYS: 'soon' })).toThrow(/TRASH_RETENTION_DAYS/);
  });
});
