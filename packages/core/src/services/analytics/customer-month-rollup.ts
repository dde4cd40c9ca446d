import type { CommandScope } from '../../command.js';

/**
 * Re-costs the workspace's `CustomerMonth` rollup after its margin changed: the product cost of an order without a
 * recorded cost is round(total × (1 − margin), 2) per order, which cannot be re-derived from monthly sums, so each
 * month's product cost is summed again from the orders (one statement). The database triggers that maintain the
 * rollup read the margin from the workspace row; the caller holds that row FOR UPDATE, so no order is costed at the
 * old margin after this ran (the triggers take a key-share lock on the row first).
 */
export async function recostCustomerMonths(scope: Pick<CommandScope, 'tx'>, workspaceId: string): Promise<void> {
  await scope.tx.$executeRawUnsafe(
    `UPDATE "CustomerMonth" m SET "productCost" = o.cost
       FROM (SELECT o."customerId", date_trunc('month', o."orderedAt" AT TIME ZONE 'UTC')::date AS month,
                    sum(coalesce(o.cost, round(o.total * (1 - crm_analytics_margin(w.settings)), 2))) AS cost
               FROM "Order" o JOIN "Workspace" w ON w.id = o."workspaceId"
              WHERE o."workspaceId" = $1::uuid GROUP BY 1, 2) o
      WHERE m."workspaceId" = $1::uuid AND m."customerId" = o."customerId" AND m.month = o.month AND m."productCost" <> o.cost`,
    workspaceId,
  );
}
