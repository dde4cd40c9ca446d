import type { Caller, CommandScope } from '../../command.js';
import { customDefaultsOf } from '../../custom-fields/field-values.js';
import { isCrmError } from '../../errors.js';
import { requireRole } from '../../session.js';
import { uuid7 } from './ids.js';
import { type ImportOrder, type ImportRowError, readOrderFile } from './order-rows.js';

export interface ImportOrdersOptions {
  /**
   * Data rows per transaction. Each batch is written completely or not at all; a batch with a bad row is not
   * written. `Infinity` makes the whole file one transaction (the GraphQL mutation). @default 5000
   */
  batchSize?: number;
  /** Called after each batch with the rows handled so far. */
  onProgress?: (progress: { rowsDone: number; rows: number }) => void;
}

export interface ImportOrdersSummary {
  /** Orders written. */
  imported: number;
  customersCreated: number;
  /** Orders whose orderRef the workspace already had (a re-run): left as they are. */
  skipped: number;
  /** Orders not written because their batch had a bad row. */
  rejected: number;
  rows: number;
  /** Bad rows by line (at most {@link MAX_REPORTED_ERRORS}; `errorCount` has the total). */
  errors: ImportRowError[];
  errorCount: number;
}

export const MAX_REPORTED_ERRORS = 100;
/** Orders imported from which the tables' statistics are refreshed. */
const ANALYZE_AFTER = 5000;

/**
 * Imports purchase history from CSV (header `customer,orderedAt,total[,sku,quantity,orderRef]`). Customers are
 * matched by email or by their external reference and created when unknown. Idempotent: an order whose orderRef the
 * workspace has is skipped, so a re-run changes nothing. Bulk SQL (one statement per table and batch); per batch
 * one `orders.imported` event, not one `order.recorded` per order (a backfill of history is not news to react to
 * one order at a time). Customers' denormalised purchase figures are updated in the same transaction. Needs ADMIN.
 */
export async function importOrders(caller: Caller, csv: string, options: ImportOrdersOptions = {}): Promise<ImportOrdersSummary> {
  // Refuse a non-admin before reading anything.
  requireRole(caller.session, 'ADMIN');
  const file = readOrderFile(csv);
  const batchSize = Math.max(1, options.batchSize ?? 5000);
  const summary: ImportOrdersSummary = {
    imported: 0, customersCreated: 0, skipped: 0, rejected: 0, rows: file.rows,
    errors: file.errors.slice(0, MAX_REPORTED_ERRORS), errorCount: file.errors.length,
  };
  const batches = new Map<number, ImportOrder[]>();
  for (const order of file.orders) {
    const batch = Number.isFinite(batchSize) ? Math.floor(order.row / batchSize) : 0;
    batches.get(batch)?.push(order) ?? batches.set(batch, [order]);
  }
  const badBatches = new Set([...file.badRows].map((row) => (Number.isFinite(batchSize) ? Math.floor(row / batchSize) : 0)));
  const importId = uuid7();
  const batchCount = Number.isFinite(batchSize) ? Math.ceil(file.rows / batchSize) : 1;
  for (let batch = 0; batch < batchCount; batch++) {
    const orders = batches.get(batch) ?? [];
    if (badBatches.has(batch)) summary.rejected += orders.length;
    else if (orders.length) {
      try {
        const written = await caller.run((scope) => writeBatch(scope, importId, batch, orders), { role: 'ADMIN' });
        summary.imported += written.imported;
        summary.customersCreated += written.customersCreated;
        summary.skipped += written.skipped;
      } catch (error) {
        // A rule of the data (e.g. a CONFLICT) fails the batch, reported at its first line; anything else stops.
        if (!isCrmError(error)) throw error;
        summary.rejected += orders.length;
        summary.errorCount++;
        if (summary.errors.length < MAX_REPORTED_ERRORS) summary.errors.push({ line: orders[0]!.line, message: `batch not written: ${error.message}` });
      }
    }
    options.onProgress?.({ rowsDone: Math.min(file.rows, (batch + 1) * (Number.isFinite(batchSize) ? batchSize : file.rows)), rows: file.rows });
  }
  summary.errors.sort((x, y) => x.line - y.line);
  // Fresh statistics after a bulk load: a planner that still believes the workspace is small picks nested loops
  // for the lists and analytics that follow (as after `seedWorkspace`).
  if (summary.imported >= ANALYZE_AFTER) await caller.db.$executeRawUnsafe('ANALYZE "Customer", "Order", "OrderLine", "LifecycleChange"');
  return summary;
}

interface BatchResult {
  imported: number;
  customersCreated: number;
  skipped: number;
}

async function writeBatch(scope: CommandScope, importId: string, batch: number, orders: ImportOrder[]): Promise<BatchResult> {
  const { tx } = scope;
  const workspaceId = scope.session.workspaceId;
  const { customerIds, created } = await resolveCustomers(scope, orders);

  const skus = [...new Set(orders.flatMap((o) => o.lines.map((l) => l.sku)))];
  const products = skus.length
    ? await tx.$queryRawUnsafe<{ id: string; sku: string; unitCost: string | null }[]>(
        `SELECT id, sku, "unitCost"::text AS "unitCost" FROM "Product" WHERE "workspaceId" = $1::uuid AND sku = ANY($2::text[])`,
        workspaceId,
        skus,
      )
    : [];
  const bySku = new Map(products.map((p) => [p.sku, p]));
  const costCents = (order: ImportOrder) => {
    const costed = order.lines.filter((l) => bySku.get(l.sku)?.unitCost != null);
    return costed.length ? costed.reduce((sum, l) => sum + Math.round(Number(bySku.get(l.sku)!.unitCost) * 100) * l.quantity, 0) : null;
  };

  const ids = orders.map((o) => uuid7(o.orderedAt.getTime()));
  const inserted = await tx.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO "Order" (id, "workspaceId", "customerId", "orderRef", "orderedAt", total, cost, "createdAt")
     SELECT u.id, $1::uuid, u.customer, u.ref, u.at, u.total, u.cost, now()
       FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::numeric[], $7::numeric[]) AS u(id, customer, ref, at, total, cost)
     ON CONFLICT ("workspaceId", "orderRef") DO NOTHING
     RETURNING id`,
    workspaceId,
    ids,
    orders.map((o) => customerIds.get(customerKey(o))!),
    orders.map((o) => o.orderRef),
    orders.map((o) => o.orderedAt.toISOString()),
    orders.map((o) => money(o.totalCents)),
    orders.map((o) => {
      const cost = costCents(o);
      return cost === null ? null : money(cost);
    }),
  );
  const insertedIds = new Set(inserted.map((row) => row.id));
  const written = orders.map((order, i) => ({ order, id: ids[i]! })).filter(({ id }) => insertedIds.has(id));

  const lines = written.flatMap(({ order, id }) => order.lines.map((line) => ({ orderId: id, line, product: bySku.get(line.sku) })));
  if (lines.length) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "OrderLine" (id, "workspaceId", "orderId", "productId", sku, quantity, "unitPrice", "unitCost", total)
       SELECT u.id, $1::uuid, u.order_id, u.product, u.sku, u.quantity, u.price, u.cost, u.total
         FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::int[], $7::numeric[], $8::numeric[], $9::numeric[])
           AS u(id, order_id, product, sku, quantity, price, cost, total)`,
      workspaceId,
      lines.map(() => uuid7()),
      lines.map((l) => l.orderId),
      lines.map((l) => l.product?.id ?? null),
      lines.map((l) => l.line.sku),
      lines.map((l) => l.line.quantity),
      lines.map((l) => money(Math.round(l.line.totalCents / l.line.quantity))),
      lines.map((l) => l.product?.unitCost ?? null),
      lines.map((l) => money(l.line.totalCents)),
    );
  }
  if (written.length) await updatePurchaseFigures(scope, written.map((w) => w.id));
  const result = { imported: written.length, customersCreated: created, skipped: orders.length - written.length };
  if (result.imported || result.customersCreated) {
    const total = written.reduce((sum, { order }) => sum + order.totalCents, 0);
    const times = written.map(({ order }) => order.orderedAt.getTime());
    scope.emit('orders.imported', { type: 'OrderImport', id: importId }, {
      importId,
      batch: batch + 1,
      orders: result.imported,
      customersCreated: result.customersCreated,
      skipped: result.skipped,
      total: money(total),
      firstOrderedAt: times.length ? new Date(Math.min(...times)).toISOString() : null,
      lastOrderedAt: times.length ? new Date(Math.max(...times)).toISOString() : null,
    });
  }
  return result;
}

const customerKey = (order: ImportOrder) => (order.customer.email !== undefined ? `e:${order.customer.email}` : `r:${order.customer.externalRef}`);

const money = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/** Finds the batch's customers by email or external reference, creating the unknown ones (as CUSTOMER). */
async function resolveCustomers(scope: CommandScope, orders: ImportOrder[]) {
  const { tx } = scope;
  const workspaceId = scope.session.workspaceId;
  const emails = [...new Set(orders.flatMap((o) => (o.customer.email !== undefined ? [o.customer.email] : [])))];
  const refs = [...new Set(orders.flatMap((o) => (o.customer.externalRef !== undefined ? [o.customer.externalRef] : [])))];
  const customerIds = new Map<string, string>();
  const remember = (rows: { id: string; email: string | null; externalRef: string | null }[]) => {
    for (const row of rows) {
      if (row.email !== null) customerIds.set(`e:${row.email.toLowerCase()}`, row.id);
      if (row.externalRef !== null) customerIds.set(`r:${row.externalRef}`, row.id);
    }
  };
  const find = async (emails: string[], refs: string[]) =>
    remember(
      await tx.$queryRawUnsafe(
        `SELECT id, email, "externalRef" FROM "Customer"
          WHERE "workspaceId" = $1::uuid AND (email = ANY($2::text[]) OR "externalRef" = ANY($3::text[]))`,
        workspaceId,
        emails,
        refs,
      ),
    );
  await find(emails, refs);
  const missingEmails = emails.filter((e) => !customerIds.has(`e:${e}`));
  const missingRefs = refs.filter((r) => !customerIds.has(`r:${r}`));
  const newCustomers = [...missingEmails.map((email) => ({ email, ref: null as string | null })), ...missingRefs.map((ref) => ({ email: null as string | null, ref }))];
  let created = 0;
  if (newCustomers.length) {
    const rows = await tx.$queryRawUnsafe<{ id: string; email: string | null; externalRef: string | null }[]>(
      `INSERT INTO "Customer" (id, "workspaceId", name, email, "externalRef", "lifecycleStage", "stageChangedAt", "createdAt", "updatedAt", "customFields")
       SELECT u.id, $1::uuid, u.name, u.email, u.ref, 'CUSTOMER'::"LifecycleStage", now(), now(), now(), $6::jsonb
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS u(id, name, email, ref)
       ON CONFLICT DO NOTHING
       RETURNING id, email, "externalRef"`,
      workspaceId,
      newCustomers.map(() => uuid7()),
      newCustomers.map((c) => c.email ?? c.ref),
      newCustomers.map((c) => c.email),
      newCustomers.map((c) => c.ref),
      // Custom fields' defaults (custom-fields/field-values.ts); the import carries no custom values.
      JSON.stringify(await customDefaultsOf(tx, 'Customer')),
    );
    created = rows.length;
    remember(rows);
    await tx.$executeRawUnsafe(
      `INSERT INTO "LifecycleChange" (id, "workspaceId", "customerId", "fromStage", "toStage", reason, "actorId", "changedAt")
       SELECT u.id, $1::uuid, u.customer, NULL, 'CUSTOMER'::"LifecycleStage", 'Imported purchase history', $3, now()
         FROM unnest($2::uuid[], $4::uuid[]) AS u(customer, id)`,
      workspaceId,
      rows.map((r) => r.id),
      scope.session.actor,
      rows.map(() => uuid7()),
    );
    // Created meanwhile by another writer (the conflict skipped them): look them up again.
    if (rows.length < newCustomers.length) await find(missingEmails, missingRefs);
  }
  return { customerIds, created };
}

/**
 * Keeps the customers' purchase figures equal to the sums of their orders (lifetimeValue, orderCount, first and
 * last order), and moves prospects and leads who bought to CUSTOMER with a stage-history row, as `recordOrder` does.
 */
async function updatePurchaseFigures(scope: CommandScope, orderIds: string[]): Promise<void> {
  const { tx } = scope;
  const workspaceId = scope.session.workspaceId;
  const converted = await tx.$queryRawUnsafe<{ id: string; stage: string }[]>(
    `UPDATE "Customer" c
        SET "lifetimeValue" = c."lifetimeValue" + s.total, "orderCount" = c."orderCount" + s.n,
            "firstOrderAt" = LEAST(c."firstOrderAt", s.first), "lastOrderAt" = GREATEST(c."lastOrderAt", s.last),
            "lifecycleStage" = CASE WHEN c."lifecycleStage" IN ('PROSPECT', 'LEAD') THEN 'CUSTOMER'::"LifecycleStage" ELSE c."lifecycleStage" END,
            "stageChangedAt" = CASE WHEN c."lifecycleStage" IN ('PROSPECT', 'LEAD') THEN now() ELSE c."stageChangedAt" END,
            "updatedAt" = now()
       FROM (SELECT "customerId", sum(total) AS total, count(*)::int AS n, min("orderedAt") AS first, max("orderedAt") AS last
               FROM "Order" WHERE "workspaceId" = $1::uuid AND id = ANY($2::uuid[]) GROUP BY "customerId") s
       -- A self-join sees the row as it was before this statement: the stage the customer is converted from.
       JOIN "Customer" before ON before.id = s."customerId"
      WHERE c.id = s."customerId" AND c."workspaceId" = $1::uuid
      RETURNING c.id, before."lifecycleStage"::text AS stage`,
    workspaceId,
    orderIds,
  );
  const promoted = converted.filter((row) => row.stage === 'PROSPECT' || row.stage === 'LEAD');
  if (!promoted.length) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO "LifecycleChange" (id, "workspaceId", "customerId", "fromStage", "toStage", reason, "actorId", "changedAt")
     SELECT u.id, $1::uuid, u.customer, u.stage::"LifecycleStage", 'CUSTOMER'::"LifecycleStage", 'Imported purchase', $5, now()
       FROM unnest($2::uuid[], $3::uuid[], $4::text[]) AS u(id, customer, stage)`,
    workspaceId,
    promoted.map(() => uuid7()),
    promoted.map((r) => r.id),
    promoted.map((r) => r.stage),
    scope.session.actor,
  );
}
