// Products written in batches (bulk writes and imports, docs/data.md "Bulk writes"): the checks, rows and events of
// createProduct and updateProduct, each lookup and write made once per batch (a fixed number of statements).
import type { Product } from '@crm/db';
import type { CommandScope } from '../command.js';
import { insertRows } from '../insert-rows.js';
import type { BatchRow } from '../objects/writer.js';
import { newRowId } from '../uuid.js';
import { parseInput } from '../validation.js';
import { BatchRows } from './bulk/batch-rows.js';
import { lockedRecords, recordsById } from './bulk/locked-rows.js';
import { updateRows } from './bulk/update-rows.js';
import { createProductInput, newProductRow, productChange, productChanges, skuConflict, updateProductInput } from './products.js';

type Input = Record<string, unknown>;

/**
 * SKUs of the rows (`sku`) held by other products of the workspace (`id` excepted), in one statement: those rows are
 * CONFLICT, as createProduct's and updateProduct's check answers. Two rows of the batch with one SKU meet the unique
 * index, and the batch runs again row by row.
 */
async function checkSkus<T>(scope: CommandScope, rows: BatchRows<T>, skuOf: (row: T) => string | null | undefined, idOf: (row: T) => string | null) {
  const skus = [...new Set(rows.live().map(([, row]) => skuOf(row)).filter((sku): sku is string => !!sku))];
  const taken = skus.length ? await scope.tx.product.findMany({ where: { sku: { in: skus } }, select: { id: true, sku: true } }) : [];
  const holder = new Map(taken.map((product) => [product.sku, product.id]));
  rows.each((row) => {
    const sku = skuOf(row);
    const owner = sku ? holder.get(sku) : undefined;
    if (owner && owner !== idOf(row)) throw skuConflict(sku!);
  });
}

/** createProduct for a batch: SKUs checked and rows inserted with one statement each. */
export async function createProductBatch(scope: CommandScope, raws: readonly Input[]): Promise<BatchRow[]> {
  const rows = BatchRows.of(raws, (raw) => parseInput(createProductInput, raw));
  await checkSkus(scope, rows, (input) => input.sku, () => null);
  const created = rows.live().map(([index, input]) => ({ index, data: { id: newRowId(), ...newProductRow(scope.session.workspaceId, input) } }));
  await insertRows(scope.tx, 'Product', created.map(({ data }) => data), scope.permissions);
  for (const { index, data } of created) {
    rows.written(index, data.id);
    scope.emit('product.created', { type: 'Product', id: data.id }, { sku: data.sku });
  }
  return rows.answer();
}

/** updateProduct for a batch of distinct products: locked, read, checked, written and read back with one statement each. */
export async function updateProductBatch(scope: CommandScope, items: readonly { id: string; patch: Input }[]): Promise<BatchRow[]> {
  type Row = { input: ReturnType<typeof updateProductInput.parse>; before?: Product; data?: Record<string, unknown> };
  const rows = BatchRows.of<{ id: string; patch: Input }, Row>(items, ({ id, patch }) => ({ input: parseInput(updateProductInput, { ...patch, id }) }));
  const befores = await lockedRecords<Product, Row>(scope, 'Product', rows);
  rows.each((row) => ({ ...row, before: befores.get(row.input.id)!, data: productChange(row.input) as Record<string, unknown> }));
  await checkSkus(scope, rows, (row) => row.input.sku, (row) => row.input.id);
  const changed = rows.live();
  await updateRows(scope, 'Product', changed.map(([, row]) => ({ id: row.input.id, before: row.before!, data: row.data! })));
  const afters = await recordsById<Product>(scope, 'Product', changed.map(([, row]) => row.input.id));
  for (const [index, row] of changed) {
    const after = afters.get(row.input.id)!;
    rows.written(index, after.id);
    const changes = productChanges(row.before!, after);
    if (changes.changed.length) scope.emit('product.updated', { type: 'Product', id: after.id }, changes);
  }
  return rows.answer();
}
