import type { Database } from '@crm/db';
import { ensurePGliteTemplate, openTemplateDatabase } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAffinityGroups, seedWorkspace, type SeedSummary } from '../src/demo-data/index.js';
import { buildCatalog } from '../src/demo-data/catalog.js';
import { simulatePurchases } from '../src/demo-data/purchases.js';
import { Random } from '../src/demo-data/random.js';
import { createWorkspace } from '../src/workspaces.js';

let db: Database;
beforeAll(async () => {
  db = await openTemplateDatabase(await ensurePGliteTemplate());
});
afterAll(async () => {
  await db?.close();
});

const asOf = new Date('2026-06-30T12:00:00Z');
const DAY = 86_400_000;

async function seeded(seed: number, customers = 50): Promise<{ workspaceId: string; summary: SeedSummary }> {
  const { workspaceId } = await createWorkspace(db.prisma, { name: `seed ${seed}` });
  const summary = await seedWorkspace(db.prisma, workspaceId, { customers, seed, asOf });
  return { workspaceId, summary };
}

const query = <Row>(sql: string, ...params: unknown[]) => db.sql.query<Row>(sql, params);
const distinct = async (sql: string, workspaceId: string) => (await query<{ v: string }>(sql, workspaceId)).map((r) => r.v).sort();

/** Everything but ids, in a stable order: equal for equal seeds. */
async function fingerprint(workspaceId: string) {
  return {
    customers: await query(
      `SELECT name, email, phone, "lifecycleStage"::text, "churnReason", source::text, tags, "lifetimeValue"::text, "orderCount",
              "firstOrderAt", "lastOrderAt", "createdAt", "annualWallet"::text FROM "Customer" WHERE "workspaceId" = $1 ORDER BY "externalRef"`,
      workspaceId,
    ),
    orders: await query(`SELECT "orderRef", "orderedAt", total::text, cost::text FROM "Order" WHERE "workspaceId" = $1 ORDER BY "orderRef"`, workspaceId),
    activities: await query(`SELECT subject, channel::text, "occurredAt" FROM "Activity" WHERE "workspaceId" = $1 ORDER BY "occurredAt", subject`, workspaceId),
    deals: await query(`SELECT title, amount::text, status::text, "lostReason", "createdAt" FROM "Deal" WHERE "workspaceId" = $1 ORDER BY "createdAt"`, workspaceId),
  };
}

describe('demo data', () => {
  it('is deterministic for a seed and different across seeds', async () => {
    const a = await seeded(7);
    const b = await seeded(7);
    const c = await seeded(8);
    expect(a.summary).toEqual(b.summary);
    const fa = await fingerprint(a.workspaceId);
    expect(fa.customers).toHaveLength(50);
    expect(await fingerprint(b.workspaceId)).toEqual(fa);
    expect((await fingerprint(c.workspaceId)).customers).not.toEqual(fa.customers);
  });

  it('keeps every customer’s purchase figures equal to their orders, every order to its lines, and money in cents', async () => {
    const { workspaceId, summary } = await seeded(11);
    expect(summary.orders).toBeGreaterThan(0);
    const [bad] = await query<Record<string, number>>(
      `SELECT
         (SELECT count(*)::int FROM "Customer" c LEFT JOIN LATERAL (
            SELECT sum(total) AS total, count(*) AS n, min("orderedAt") AS first, max("orderedAt") AS last FROM "Order" o WHERE o."customerId" = c.id) o ON true
          WHERE c."workspaceId" = $1 AND (c."lifetimeValue" <> COALESCE(o.total, 0) OR c."orderCount" <> o.n
            OR c."firstOrderAt" IS DISTINCT FROM o.first OR c."lastOrderAt" IS DISTINCT FROM o.last)) AS customers,
         (SELECT count(*)::int FROM "Order" o WHERE o."workspaceId" = $1
            AND (o.total <> (SELECT sum(total) FROM "OrderLine" l WHERE l."orderId" = o.id)
              OR o.cost <> (SELECT sum("unitCost" * quantity) FROM "OrderLine" l WHERE l."orderId" = o.id))) AS orders,
         (SELECT count(*)::int FROM "OrderLine" WHERE "workspaceId" = $1 AND total <> "unitPrice" * quantity) AS lines,
         (SELECT count(*)::int FROM "OrderLine" l JOIN "Product" p ON p.id = l."productId"
            WHERE l."workspaceId" = $1 AND (l."unitPrice" <> p."unitPrice" OR l.sku <> p.sku)) AS "offCatalog",
         (SELECT count(*)::int FROM "Order" WHERE "workspaceId" = $1 AND "orderedAt" > $2::timestamptz) AS "future"`,
      workspaceId,
      asOf.toISOString(),
    );
    expect(bad).toEqual({ customers: 0, orders: 0, lines: 0, offCatalog: 0, future: 0 });
  });

  it('covers every lifecycle stage (with its history), channel, deal stage and ticket status', async () => {
    const { workspaceId } = await seeded(3);
    expect(await distinct(`SELECT DISTINCT "lifecycleStage"::text AS v FROM "Customer" WHERE "workspaceId" = $1`, workspaceId)).toEqual([
      'ADVOCATE', 'CHURNED', 'CUSTOMER', 'LEAD', 'PROSPECT',
    ]);
    expect(await distinct(`SELECT DISTINCT channel::text AS v FROM "Activity" WHERE "workspaceId" = $1`, workspaceId)).toEqual([
      'CHAT', 'EMAIL', 'IN_PERSON', 'PHONE', 'SOCIAL', 'WEB',
    ]);
    // Every stage of the default pipeline holds a deal; lost deals say why, won and lost ones are closed.
    const [deals] = await query<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM "Stage" s WHERE s."workspaceId" = $1 AND NOT EXISTS (SELECT 1 FROM "Deal" d WHERE d."stageId" = s.id)) AS "emptyStages",
              (SELECT count(*)::int FROM "Deal" WHERE "workspaceId" = $1 AND status = 'LOST' AND "lostReason" IS NULL) AS "lostWithoutReason",
              (SELECT count(*)::int FROM "Deal" WHERE "workspaceId" = $1 AND ((status = 'OPEN') = ("closedAt" IS NULL)) IS NOT TRUE) AS "badClose"`,
      workspaceId,
    );
    expect(deals).toEqual({ emptyStages: 0, lostWithoutReason: 0, badClose: 0 });
    // The recorded history ends in the customer's stage and starts from nothing.
    const [history] = await query<{ wrongEnd: number; wrongStart: number }>(
      `SELECT count(*) FILTER (WHERE last."toStage" <> c."lifecycleStage")::int AS "wrongEnd",
              count(*) FILTER (WHERE first."fromStage" IS NOT NULL)::int AS "wrongStart"
         FROM "Customer" c
         JOIN LATERAL (SELECT "toStage" FROM "LifecycleChange" h WHERE h."customerId" = c.id ORDER BY "changedAt" DESC LIMIT 1) last ON true
         JOIN LATERAL (SELECT "fromStage" FROM "LifecycleChange" h WHERE h."customerId" = c.id ORDER BY "changedAt" LIMIT 1) first ON true
        WHERE c."workspaceId" = $1`,
      workspaceId,
    );
    expect(history).toEqual({ wrongEnd: 0, wrongStart: 0 });
    const [service = { ratedOpen: -1, csat: 0, nps: 0 }] = await query<{ ratedOpen: number; csat: number; nps: number }>(
      `SELECT (SELECT count(*)::int FROM "Ticket" WHERE "workspaceId" = $1 AND "satisfactionRating" IS NOT NULL AND status <> 'CLOSED') AS "ratedOpen",
              (SELECT count(*)::int FROM "SurveyResponse" WHERE "workspaceId" = $1 AND kind = 'CSAT' AND score BETWEEN 1 AND 5) AS csat,
              (SELECT count(*)::int FROM "SurveyResponse" WHERE "workspaceId" = $1 AND kind = 'NPS' AND score BETWEEN 0 AND 10) AS nps`,
      workspaceId,
    );
    expect(service.ratedOpen).toBe(0);
    expect(service.csat + service.nps).toBeGreaterThan(0);
  });

  it('merges same-day purchases into one order, with repeat buyers and bundles bought together', async () => {
    const { workspaceId } = await seeded(5, 300);
    const [orders = { repeaters: 0, sameDay: -1, buyers: 0 }] = await query<{ repeaters: number; sameDay: number; buyers: number }>(
      `SELECT (SELECT count(*)::int FROM "Customer" WHERE "workspaceId" = $1 AND "orderCount" > 1) AS repeaters,
              (SELECT count(*)::int FROM "Customer" WHERE "workspaceId" = $1 AND "orderCount" > 0) AS buyers,
              (SELECT count(*)::int FROM (SELECT 1 FROM "Order" WHERE "workspaceId" = $1
                 GROUP BY "customerId", ("orderedAt" AT TIME ZONE 'UTC')::date HAVING count(*) > 1) d) AS "sameDay"`,
      workspaceId,
    );
    expect(orders.sameDay).toBe(0);
    expect(orders.repeaters).toBeGreaterThan(orders.buyers * 0.15);
    expect(await distinct(`SELECT DISTINCT kind::text AS v FROM "CampaignResponse" WHERE "workspaceId" = $1`, workspaceId)).toEqual([
      'CLICKED', 'OPENED', 'REDEEMED', 'SENT', 'UNSUBSCRIBED',
    ]);
    // Co-purchase structure: most pairs of products in one order share an affinity group (chance alone: ~20 %).
    const pairs = await query<{ a: string; b: string }>(
      `SELECT pa.name AS a, pb.name AS b FROM "OrderLine" la JOIN "OrderLine" lb ON lb."orderId" = la."orderId" AND la.sku < lb.sku
         JOIN "Product" pa ON pa.id = la."productId" JOIN "Product" pb ON pb.id = lb."productId" WHERE la."workspaceId" = $1`,
      workspaceId,
    );
    const together = pairs.filter(({ a, b }) => demoAffinityGroups.some((g) => g.products.includes(a) && g.products.includes(b)));
    expect(pairs.length).toBeGreaterThan(100);
    expect(together.length / pairs.length).toBeGreaterThan(0.5);
  });

  it('seeds the same workspace again without collisions, reusing its team and catalog', async () => {
    const { workspaceId } = await seeded(9, 20);
    const again = await seedWorkspace(db.prisma, workspaceId, { customers: 20, seed: 9, asOf });
    expect(again).toMatchObject({ customers: 20, users: 0, products: 0 });
    const [counts] = await query<{ customers: number; refs: number; users: number; products: number }>(
      `SELECT (SELECT count(*)::int FROM "Customer" WHERE "workspaceId" = $1) AS customers,
              (SELECT count(DISTINCT "externalRef")::int FROM "Customer" WHERE "workspaceId" = $1) AS refs,
              (SELECT count(*)::int FROM "User" WHERE "workspaceId" = $1) AS users,
              (SELECT count(*)::int FROM "Product" WHERE "workspaceId" = $1) AS products`,
      workspaceId,
    );
    expect(counts).toEqual({ customers: 40, refs: 40, users: 8, products: 60 });
  });

  it('keeps every row inside its workspace', async () => {
    const { workspaceId } = await seeded(13, 30);
    const [row] = await query<{ n: number }>(
      `SELECT ((SELECT count(*) FROM "Order" o JOIN "Customer" c ON c.id = o."customerId" WHERE o."workspaceId" = $1 AND c."workspaceId" <> $1)
             + (SELECT count(*) FROM "Customer" c JOIN "User" u ON u.id = c."ownerId" WHERE c."workspaceId" = $1 AND u."workspaceId" <> $1)
             + (SELECT count(*) FROM "Customer" c JOIN "Company" k ON k.id = c."companyId" WHERE c."workspaceId" = $1 AND k."workspaceId" <> $1)
             + (SELECT count(*) FROM "OrderLine" l JOIN "Product" p ON p.id = l."productId" WHERE l."workspaceId" = $1 AND p."workspaceId" <> $1)
             + (SELECT count(*) FROM "Deal" d JOIN "Stage" s ON s.id = d."stageId" WHERE d."workspaceId" = $1 AND s."workspaceId" <> $1)
             + (SELECT count(*) FROM "Activity" a JOIN "Customer" c ON c.id = a."customerId" WHERE a."workspaceId" = $1 AND c."workspaceId" <> $1)
             + (SELECT count(*) FROM "CampaignResponse" r JOIN "Campaign" k ON k.id = r."campaignId" WHERE r."workspaceId" = $1 AND k."workspaceId" <> $1))::int AS n`,
      workspaceId,
    );
    expect(row!.n).toBe(0);
  });
});

describe('purchase simulation', () => {
  it('follows the BG/NBD story: most buyers never come back, a few buy often, and dropouts stop buying', () => {
    const random = new Random(1);
    const catalog = buildCatalog(random);
    const until = Date.UTC(2026, 0, 1);
    const histories = Array.from({ length: 2000 }, () => simulatePurchases(random, catalog, 0, until - 52 * 7 * DAY, until));
    const counts = histories.map((h) => h.orders.length);
    const oneTimers = counts.filter((n) => n === 1).length / counts.length;
    expect(oneTimers).toBeGreaterThan(0.4);
    expect(oneTimers).toBeLessThan(0.85);
    expect(Math.max(...counts)).toBeGreaterThan(8);
    for (const { orders, droppedOutAt } of histories) {
      const days = orders.map((o) => Math.floor(o.orderedAt / DAY));
      expect(new Set(days).size).toBe(days.length);
      if (droppedOutAt !== null) expect(orders[orders.length - 1]!.orderedAt).toBeLessThanOrEqual(droppedOutAt + DAY);
      expect(orders.every((o) => o.orderedAt <= until && o.lines.length > 0)).toBe(true);
    }
  });
});
