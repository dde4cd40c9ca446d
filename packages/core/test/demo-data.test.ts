import type { Database } from '@crm/db';
import { ensurePGliteTemplate, openTemplateDatabase } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../src/workspaces.js';
import { seedWorkspace } from '../src/demo-data/index.js';

let db: Database;
beforeAll(async () => {
  db = await openTemplateDatabase(await ensurePGliteTemplate());
});
afterAll(async () => {
  await db?.close();
});

const asOf = new Date('2026-06-30T12:00:00Z');

async function seeded(seed: number, customers = 60) {
  const { workspaceId } = await createWorkspace(db.prisma, { name: `seed ${seed}` });
  const summary = await seedWorkspace(db.prisma, workspaceId, { customers, seed, asOf });
  return { workspaceId, summary };
}

describe('demo data', () => {
  it('is deterministic for a seed and different across seeds', async () => {
    const shape = async (workspaceId: string) =>
      db.sql.query(
        `SELECT name, "lifecycleStage"::text, "lifetimeValue"::text, "orderCount" FROM "Customer" WHERE "workspaceId" = $1 ORDER BY "externalRef"`,
        [workspaceId],
      );
    const a = await seeded(7);
    const b = await seeded(7);
    const c = await seeded(8);
    expect(a.summary).toEqual(b.summary);
    expect(await shape(a.workspaceId)).toEqual(await shape(b.workspaceId));
    expect(await shape(a.workspaceId)).not.toEqual(await shape(c.workspaceId));
  });

  it('keeps every customer’s purchase figures equal to their orders, and every order to its lines', async () => {
    const { workspaceId } = await seeded(11);
    const [bad] = await db.sql.query<{ customers: number; orders: number }>(
      `SELECT
         (SELECT count(*)::int FROM "Customer" c WHERE c."workspaceId" = $1 AND (
            c."lifetimeValue" <> COALESCE((SELECT sum(total) FROM "Order" o WHERE o."customerId" = c.id), 0)
            OR c."orderCount" <> (SELECT count(*) FROM "Order" o WHERE o."customerId" = c.id)
            OR c."lastOrderAt" IS DISTINCT FROM (SELECT max("orderedAt") FROM "Order" o WHERE o."customerId" = c.id))) AS customers,
         (SELECT count(*)::int FROM "Order" o WHERE o."workspaceId" = $1 AND o.total <> (SELECT sum(total) FROM "OrderLine" l WHERE l."orderId" = o.id)) AS orders`,
      [workspaceId],
    );
    expect(bad).toEqual({ customers: 0, orders: 0 });
  });

  it('covers the lifecycle, every channel, repeat buying on distinct days, and only the workspace’s own rows', async () => {
    const { workspaceId } = await seeded(3, 250);
    const stages = await db.sql.query<{ s: string }>(`SELECT DISTINCT "lifecycleStage"::text AS s FROM "Customer" WHERE "workspaceId" = $1`, [workspaceId]);
    expect(stages.map((r) => r.s).sort()).toEqual(['ADVOCATE', 'CHURNED', 'CUSTOMER', 'LEAD', 'PROSPECT']);
    const channels = await db.sql.query<{ c: string }>(`SELECT DISTINCT channel::text AS c FROM "Activity" WHERE "workspaceId" = $1`, [workspaceId]);
    expect(channels.map((r) => r.c).sort()).toEqual(['CHAT', 'EMAIL', 'IN_PERSON', 'PHONE', 'SOCIAL', 'WEB']);
    const [repeat] = await db.sql.query<{ repeaters: number; sameDay: number }>(
      `SELECT (SELECT count(*)::int FROM "Customer" WHERE "workspaceId" = $1 AND "orderCount" > 1) AS repeaters,
              (SELECT count(*)::int FROM (SELECT "customerId", date_trunc('day', "orderedAt") FROM "Order" WHERE "workspaceId" = $1
                 GROUP BY 1, 2 HAVING count(*) > 1) d) AS "sameDay"`,
      [workspaceId],
    );
    expect(repeat!.repeaters).toBeGreaterThan(0);
    expect(repeat!.sameDay).toBe(0);
    const [foreign] = await db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "Order" o JOIN "Customer" c ON c.id = o."customerId" WHERE o."workspaceId" = $1 AND c."workspaceId" <> $1`,
      [workspaceId],
    );
    expect(foreign!.n).toBe(0);
  });
});
