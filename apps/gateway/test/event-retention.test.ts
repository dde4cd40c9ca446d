import { randomUUID } from 'node:crypto';
import { createWorkspace } from '@crm/core';
import { type Database, openDatabase } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRetention, retentionDaysFromEnv } from '../src/live/event-retention.js';
import { silentLogger } from '../src/logger.js';
import { startTestGateway } from '../src/testing/index.js';

const DAY = 86_400_000;

/** Writes `count` events of `workspaceId`, `ageDays` old, at seq positions from `firstSeq`. */
async function writeEvents(database: Database, workspaceId: string, count: number, ageDays: number, firstSeq: number): Promise<void> {
  await database.prisma.event.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      workspaceId,
      seq: BigInt(firstSeq + i),
      type: 'customer.updated',
      subjectType: 'Customer',
      subjectId: randomUUID(),
      actor: 'system',
      payload: { changed: ['name'] },
      occurredAt: new Date(Date.now() - ageDays * DAY),
    })),
  });
}

describe('event retention on PostgreSQL, two instances at once', () => {
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

  it('deletes exactly the events past the window, in batches, sharing the work', async () => {
    const { workspaceId } = await createWorkspace(pg.database.prisma, { name: 'Retention' });
    await writeEvents(pg.database, workspaceId, 1500, 40, 1_000_000); // past a 30-day window
    await writeEvents(pg.database, workspaceId, 50, 29, 2_000_000); // inside it
    const before = await pg.database.prisma.event.count({ where: { workspaceId } });

    const runners = [pg.database, second].map((database) => new EventRetention({ sql: database.sql, logger: silentLogger, days: 30, batchSize: 100 }));
    const deleted = await Promise.all(runners.map((runner) => runner.runOnce()));

    expect(deleted[0]! + deleted[1]!).toBe(1500); // each row deleted once, by one of them
    const left = await pg.database.prisma.event.findMany({ where: { workspaceId }, select: { occurredAt: true } });
    expect(left).toHaveLength(before - 1500);
    expect(left.every((event) => event.occurredAt.getTime() > Date.now() - 30 * DAY)).toBe(true);
    expect(await runners[0]!.runOnce()).toBe(0);
  });
});

describe('event retention on the embedded database', () => {
  it('runs in the gateway and leaves the audit log without the expired events', async () => {
    const t = await startTestGateway({ retention: { days: 7 } });
    try {
      const ws = t.workspace;
      await writeEvents(t.database, ws.workspaceId, 30, 8, 1_000_000);
      await ws.client.query(`mutation { createCustomer(input: { name: "Recent" }) { customer { id } } }`);
      const before = await ws.client.query(`{ events(first: 100) { totalCount } }`);
      expect(before.events.totalCount).toBeGreaterThanOrEqual(32);
      expect(await t.gateway.retention.runOnce()).toBe(30);
      const after = await ws.client.query(`{ events(first: 100) { totalCount edges { node { type } } } }`);
      expect(after.events.totalCount).toBe(before.events.totalCount - 30);
      expect(after.events.edges.map((e: { node: { type: string } }) => e.node.type)).toContain('customer.created');
    } finally {
      await t.close();
    }
  });
});

describe('EVENT_RETENTION_DAYS', () => {
  it('defaults to a year, accepts days or 0 for forever, and rejects anything else', () => {
    expect(retentionDaysFromEnv({})).toBe(365);
    expect(retentionDaysFromEnv({ EVENT_RETENTION_DAYS: '90' })).toBe(90);
    expect(retentionDaysFromEnv({ EVENT_RETENTION_DAYS: '0' })).toBeNull();
    expect(retentionDaysFromEnv({ EVENT_RETENTION_DAYS: 'forever' })).toBeNull();
    expect(() => retentionDaysFromEnv({ EVENT_RETENTION_DAYS: '1.5' })).toThrow(/EVENT_RETENTION_DAYS/);
    expect(() => retentionDaysFromEnv({ EVENT_RETENTION_DAYS: 'soon' })).toThrow(/EVENT_RETENTION_DAYS/);
  });
});
