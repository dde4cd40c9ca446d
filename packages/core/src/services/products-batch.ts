// Products created in batches (bulk writes and imports, docs/data.md "Bulk writes"): the checks, rows and events of
// createProduct, each lookup and write made once per batch (a fixed number of statements). Updates: the declared
// batch writer with `productUpdate` (core-writers.ts).
import type { CommandScope } from '../command.js';
import { insertRows } from '../insert-rows.js';
import type { BatchRow } from '../objects/writer.js';
import { newRowId } from '../uuid.js';
import { parseInput } from '../validation.js';
import { BatchRows } from './bulk/batch-rows.js';
import { refuseForbiddenCreates } from './bulk/update-rows.js';
import { createProductInput, newProductRow, skuConflicts } from './products.js';

type Input = Record<string, unknown>;

/** createProduct for a batch: SKUs checked and rows inserted with one statement each. */
export async function createProductBatch(scope: CommandScope, raws: readonly Input[]): Promise<BatchRow[]> {
  const rows = BatchRows.of(raws, (raw) => parseInput(createProductInput, raw));
  // A row the key may not create is refused before the rows claim their SKUs, so it takes none from another row.
  const allowed = refuseForbiddenCreates(scope, 'Product', rows, rows.live().map(([index, input]) => ({ index, input, data: { id: newRowId(), ...newProductRow(scope.session.workspaceId, input) } })));
  const conflicts = await skuConflicts(scope.tx, allowed.map(({ input }) => ({ sku: input.sku, id: null })));
  allowed.forEach(({ index }, i) => conflicts[i] && rows.refuse(index, conflicts[i]));
  const created = allowed.filter(({ index }) => rows.values[index] !== null);
  await insertRows(scope.tx, 'Product', created.map(({ data }) => data), scope.permissions);
  for (const { index, data } of created) {
    rows.written(index, data.id);
    scope.emit('product.created', { type: 'Product', id: data.id }, { sku: data.sku });
  }
  return rows.answer();
}
