// Companies written in batches (bulk writes and imports, docs/data.md "Bulk writes"): the checks, rows and events of
// createCompany, each lookup and write made once per batch (as customers-batch.ts does). Updates go through the
// declared batch writer (bulk/declared-update-batch.ts) by `companyUpdate`.
import type { CommandScope } from '../command.js';
import { type CustomValues, customValuesOfMany } from '../custom-fields/field-values.js';
import type { BatchRow } from '../objects/writer.js';
import { insertRows } from '../insert-rows.js';
import { missingInWorkspace, missingReference } from '../references.js';
import { newRowId } from '../uuid.js';
import { parseInput } from '../validation.js';
import { BatchRows } from './bulk/batch-rows.js';
import { createCompanyInput, newCompanyRow } from './companies.js';

type Input = Record<string, unknown>;

/** The owners the rows name, checked with one statement. */
async function checkOwners<T extends { input: { ownerId?: string | null } }>(scope: CommandScope, rows: BatchRows<T>): Promise<void> {
  const missing = await missingInWorkspace(scope.tx, 'user', rows.live().map(([, row]) => row.input.ownerId));
  rows.each(({ input }) => {
    if (input.ownerId && missing.has(input.ownerId)) throw missingReference('user', 'ownerId');
  });
}

/** createCompany for a batch: owners, custom values and the rows in one statement each. */
export async function createCompanyBatch(scope: CommandScope, raws: readonly Input[]): Promise<BatchRow[]> {
  type Row = { input: ReturnType<typeof createCompanyInput.parse>; customFields?: CustomValues };
  const rows = BatchRows.of<Input, Row>(raws, (raw) => ({ input: parseInput(createCompanyInput, raw) }));
  await checkOwners(scope, rows);
  const live = rows.live();
  const custom = await customValuesOfMany(scope, 'Company', live.map(([, row]) => ({ input: row.input.customFields, before: null })), scope.permissions);
  live.forEach(([index, row], i) => {
    const values = custom[i];
    if (values instanceof Error) rows.refuse(index, values);
    else row.customFields = values;
  });
  const created = rows.live().map(([index, row]) => ({ index, data: { id: newRowId(), ...newCompanyRow(scope.session.workspaceId, row.input, row.customFields) } }));
  await insertRows(scope.tx, 'Company', created.map(({ data }) => data), scope.permissions);
  for (const { index, data } of created) {
    rows.written(index, data.id);
    scope.emit('company.created', { type: 'Company', id: data.id }, { name: data.name });
  }
  return rows.answer();
}
