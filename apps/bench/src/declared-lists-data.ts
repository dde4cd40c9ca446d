// The data of `npm run bench:lists` (issue 14): the demo seed (`seedWorkspace`) gives 10,000 customers ~10
// activities each but only ~1.4 orders and ~3,200 deals, so bulk SQL tops the workspace up to the sizes, and a
// second workspace holds the 100,000 orders of the group-by figure. Every step runs only while its count is short,
// so a later run reuses the data; nothing is ever dropped.
import { encodeGlobalId } from '@crm/core';
import pg from 'pg';
import type { QueryContext } from './declared-lists-queries.js';

/** The sizes the benchmark promises (issue 14). */
export const listTargets = { ordersPerCustomer: 4, deals: 5_000, groupByOrders: 100_000, profileItems: 25 };

/** The customer Q3 reads (a full 360: ≥ 25 activities and orders, tickets, tasks) carries this tag. */
export const profileTag = 'bench-360';

async function count(client: pg.Client, sql: string, params: unknown[]): Promise<number> {
  return Number((await client.query<{ n: string }>(sql, params)).rows[0]!.n);
}

/**
 * `perCustomer` new orders for each customer `customers` selects (a SQL query of `id` with `$1` the workspace), each
 * with 1–3 lines of catalog products and a total equal to its lines, within the last two years; then the
 * customers' purchase figures, recomputed from their orders as the application keeps them.
 */
async function addOrders(client: pg.Client, workspaceId: string, customers: string, perCustomer: string): Promise<void> {
  await client.query(
    'CREATE TEMP TABLE bench_new_orders (id uuid, "customerId" uuid, "orderedAt" timestamptz, lines int) ON COMMIT DROP',
  );
  await client.query(
    `INSERT INTO bench_new_orders
       SELECT gen_random_uuid() AS id, c.id AS "customerId",
              date_trunc('milliseconds', now() - random() * interval '730 days') AS "orderedAt",
              1 + floor(random() * 3)::int AS lines
         FROM (${customers}) c CROSS JOIN LATERAL generate_series(1, ${perCustomer}) n`,
    [workspaceId],
  );
  await client.query(
    `INSERT INTO "Order" (id, "workspaceId", "customerId", "orderedAt", total, cost, currency, channel, "createdAt")
     SELECT o.id, $1, o."customerId", o."orderedAt", 0, 0, 'USD',
            (ARRAY['WEB','PHONE','CHAT','EMAIL','SOCIAL','IN_PERSON']::"Channel"[])[1 + floor(random() * 6)::int], o."orderedAt"
       FROM bench_new_orders o`,
    [workspaceId],
  );
  await client.query(
    `WITH catalog AS (SELECT id, sku, "unitPrice", "unitCost", row_number() OVER (ORDER BY sku) AS n, count(*) OVER () AS size
                        FROM "Product" WHERE "workspaceId" = $1)
     INSERT INTO "OrderLine" (id, "workspaceId", "orderId", "productId", sku, quantity, "unitPrice", "unitCost", total)
     SELECT gen_random_uuid(), $1, o.id, p.id, p.sku, q.quantity, p."unitPrice", p."unitCost", p."unitPrice" * q.quantity
       FROM bench_new_orders o
       CROSS JOIN LATERAL generate_series(1, o.lines) line
       CROSS JOIN LATERAL (SELECT 1 + floor(random() * 3)::int AS quantity, 1 + floor(random() * 60)::int AS pick) q
       JOIN catalog p ON p.n = 1 + (q.pick - 1) % p.size`,
    [workspaceId],
  );
  await client.query(
    `UPDATE "Order" o SET total = l.total, cost = l.cost
       FROM (SELECT "orderId", sum(total) AS total, sum(coalesce("unitCost", 0) * quantity) AS cost
               FROM "OrderLine" WHERE "orderId" IN (SELECT id FROM bench_new_orders) GROUP BY "orderId") l
      WHERE o.id = l."orderId"`,
  );
  await client.query(
    `UPDATE "Customer" c SET "orderCount" = s.n, "lifetimeValue" = s.total, "firstOrderAt" = s.first, "lastOrderAt" = s.last
       FROM (SELECT "customerId", count(*) AS n, sum(total) AS total, min("orderedAt") AS first, max("orderedAt") AS last
               FROM "Order" WHERE "customerId" IN (SELECT DISTINCT "customerId" FROM bench_new_orders) GROUP BY "customerId") s
      WHERE c.id = s."customerId"`,
  );
}

/** Deals for random customers of the workspace, in the default pipeline's stages, each with two activities. */
async function addDeals(client: pg.Client, workspaceId: string, deals: number): Promise<void> {
  await client.query(
    `CREATE TEMP TABLE bench_new_deals (id uuid, "customerId" uuid, "companyId" uuid, "ownerId" uuid, "stageId" uuid, "pipelineId" uuid,
                                        status "DealStatus", "createdAt" timestamptz) ON COMMIT DROP`,
  );
  await client.query(
    `INSERT INTO bench_new_deals
       SELECT gen_random_uuid() AS id, c.id AS "customerId", c."companyId", c."ownerId", s.id AS "stageId", s."pipelineId",
              CASE WHEN s."isWon" THEN 'WON' WHEN s."isLost" THEN 'LOST' ELSE 'OPEN' END::"DealStatus" AS status,
              date_trunc('milliseconds', now() - random() * interval '365 days') AS "createdAt"
         FROM (SELECT id, "companyId", "ownerId" FROM "Customer" WHERE "workspaceId" = $1 ORDER BY random() LIMIT $2) c
         CROSS JOIN LATERAL (SELECT s.id, s."pipelineId", s."isWon", s."isLost" FROM "Stage" s JOIN "Pipeline" p ON p.id = s."pipelineId"
                              WHERE p."workspaceId" = $1 AND p."isDefault" AND c.id IS NOT NULL ORDER BY random() LIMIT 1) s`,
    [workspaceId, deals],
  );
  await client.query(
    `INSERT INTO "Deal" (id, "workspaceId", title, amount, currency, "customerId", "companyId", "pipelineId", "stageId", "ownerId",
                         status, "closedAt", "stageChangedAt", "createdAt", "updatedAt")
     SELECT id, $1, (ARRAY['Renewal','Upgrade','New contract','Expansion','Pilot'])[1 + floor(random() * 5)::int],
            round((500 + random() * 20000)::numeric, 2), 'USD', "customerId", "companyId", "pipelineId", "stageId", "ownerId",
            status, CASE WHEN status <> 'OPEN' THEN "createdAt" + interval '30 days' END, "createdAt", "createdAt", "createdAt"
       FROM bench_new_deals`,
    [workspaceId],
  );
  await client.query(
    `INSERT INTO "Activity" (id, "workspaceId", "customerId", "dealId", type, channel, subject, "occurredAt", "createdAt")
     SELECT gen_random_uuid(), $1, d."customerId", d.id, 'CALL', 'PHONE', 'Deal call ' || n, d."createdAt" + n * interval '3 days',
            d."createdAt" + n * interval '3 days'
       FROM bench_new_deals d CROSS JOIN generate_series(1, 2) n`,
    [workspaceId],
  );
}

/** Gives the customer with the most tickets and tasks ≥ 25 activities and orders, and tags them for Q3. */
async function addProfile(client: pg.Client, workspaceId: string): Promise<void> {
  const { rows } = await client.query<{ id: string }>(
    `SELECT c.id FROM "Customer" c WHERE c."workspaceId" = $1
      ORDER BY (SELECT count(*) FROM "Ticket" t WHERE t."customerId" = c.id) + (SELECT count(*) FROM "Task" t WHERE t."customerId" = c.id) DESC, c.id
      LIMIT 1`,
    [workspaceId],
  );
  const id = rows[0]!.id;
  const activities = await count(client, `SELECT count(*) AS n FROM "Activity" WHERE "customerId" = $1`, [id]);
  await client.query(
    `INSERT INTO "Activity" (id, "workspaceId", "customerId", type, channel, subject, "occurredAt", "createdAt")
     SELECT gen_random_uuid(), $1, $2, 'EMAIL', 'EMAIL', 'Follow-up ' || n, now() - n * interval '5 days', now() - n * interval '5 days'
       FROM generate_series(1, $3::int) n`,
    [workspaceId, id, Math.max(0, listTargets.profileItems - activities)],
  );
  const orders = await count(client, `SELECT count(*) AS n FROM "Order" WHERE "customerId" = $1`, [id]);
  if (orders < listTargets.profileItems) await addOrders(client, workspaceId, `SELECT id FROM "Customer" WHERE "workspaceId" = $1 AND id = '${id}'`, String(listTargets.profileItems - orders));
  await client.query(`UPDATE "Customer" SET tags = array_append(tags, $2) WHERE id = $1`, [id, profileTag]);
}

/** Tops up the list workspace (orders, deals, the Q3 customer) and the group-by workspace's orders (`vacuum` follows). */
export async function ensureListData(url: string, lists: string, groupBy: string, log: (line: string) => void): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const step = async (what: string, run: () => Promise<void>) => {
    const started = Date.now();
    await client.query('BEGIN');
    await run();
    await client.query('COMMIT');
    log(`${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  try {
    await client.query('SELECT setseed(0.42)');
    const orderCount = (workspaceId: string) => count(client, `SELECT count(*) AS n FROM "Order" WHERE "workspaceId" = $1`, [workspaceId]);
    const customers = await count(client, `SELECT count(*) AS n FROM "Customer" WHERE "workspaceId" = $1`, [lists]);
    if ((await orderCount(lists)) < customers * (listTargets.ordersPerCustomer - 0.5)) {
      // Every customer gets up to 4 orders (those with more keep theirs).
      const short = `SELECT c.id FROM "Customer" c WHERE c."workspaceId" = $1 AND c."orderCount" < ${listTargets.ordersPerCustomer}`;
      await step('orders topped up', () => addOrders(client, lists, `SELECT id, ${listTargets.ordersPerCustomer} - "orderCount" AS missing FROM "Customer" WHERE id IN (${short})`, 'c.missing'));
    }
    const deals = await count(client, `SELECT count(*) AS n FROM "Deal" WHERE "workspaceId" = $1`, [lists]);
    if (deals < listTargets.deals * 0.95) await step('deals topped up', () => addDeals(client, lists, listTargets.deals - deals));
    if ((await count(client, `SELECT count(*) AS n FROM "Customer" WHERE "workspaceId" = $1 AND $2 = ANY(tags)`, [lists, profileTag])) === 0) {
      await step('the Q3 customer filled in', () => addProfile(client, lists));
    }
    const groupOrders = await orderCount(groupBy);
    if (groupOrders < listTargets.groupByOrders) {
      const groupCustomers = await count(client, `SELECT count(*) AS n FROM "Customer" WHERE "workspaceId" = $1`, [groupBy]);
      const perCustomer = Math.ceil((listTargets.groupByOrders - groupOrders) / groupCustomers);
      await step('group-by orders added', () => addOrders(client, groupBy, `SELECT id FROM "Customer" WHERE "workspaceId" = $1`, String(perCustomer)));
    }
    // All of a statement's CPU in the backend the benchmark reads from /proc (process-cpu.ts): parallel workers come
    // and go within a statement. With 10 requests in flight on a few cores they would not add throughput anyway.
    await client.query(`ALTER DATABASE "${new URL(url).pathname.slice(1)}" SET max_parallel_workers_per_gather = 0`);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * VACUUM ANALYZE of every table: the top-up's and the gateway's first start's updates leave dead rows behind that
 * every index scan would wade through, and the shared server runs without autovacuum (a table nothing touched since
 * its seed, such as the products Q3 looks up, would otherwise be planned without statistics).
 */
export async function vacuum(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

/** What the workspaces hold, for the summary. */
export async function listDataCounts(url: string, lists: string, groupBy: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const of = (table: string, workspaceId: string) => count(client, `SELECT count(*) AS n FROM "${table}" WHERE "workspaceId" = $1`, [workspaceId]);
    return {
      customers: await of('Customer', lists),
      activities: await of('Activity', lists),
      orders: await of('Order', lists),
      deals: await of('Deal', lists),
      groupByOrders: await of('Order', groupBy),
    };
  } finally {
    await client.end();
  }
}

/** What the queries need to know about the list workspace: Q3's customer (tagged by the data step) and Q5's industry. */
export async function benchQueryContext(url: string, workspaceId: string): Promise<QueryContext> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: found } = await client.query<{ id: string }>(`SELECT id FROM "Customer" WHERE "workspaceId" = $1 AND $2 = ANY(tags) LIMIT 1`, [workspaceId, profileTag]);
    if (!found[0]) throw new Error('the Q3 customer is missing: run without --skip-seed');
    return { workspaceId, profile: { id: encodeGlobalId('Customer', found[0].id), rowId: found[0].id }, industry: 'Retail' };
  } finally {
    await client.end();
  }
}
