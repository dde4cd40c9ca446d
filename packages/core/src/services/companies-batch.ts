// Companies written in batches (bulk writes and imports, docs/data.md "Bulk writes"): the checks, rows and events of
// createCompany, each lookup and write made once per batch (as customers-batch.ts does). Updates go through the
// declared batch writer (bulk/declared-update-batch.ts) by `companyUpdate`.
import type { CommandScope } from '../command.js';
import { type CustomValues, uncheckedCustomValuesOfMany } from '../custom-fields/field-values.js';
import type { BatchRow } from '../objects/writer.js';
import { insertRows } from '../insert-rows.js';
import { missingInWorkspace, missingReference } from '../references.js';
import { newRowId } from '../uuid.js';
import { parseInput } from '../validation.js';
import { BatchRows } from './bulk/batch-rows.js';
import { refuseForbiddenCreates } from './bulk/update-rows.js';
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
  const custom = await uncheckedCustomValuesOfMany(scope, 'Company', live.map(([, row]) => ({ input: row.input.customFields, before: null })), scope.permissions);
  live.forEach(([index, row], i) => {
    const values = custom.values[i];
    if (values instanceof Error) rows.refuse(index, values);
    else row.customFields = values;
  });
  // A row the key may not create (an own-records key creating for another owner) is refused first, claiming nothing.
  const allowed = refuseForbiddenCreates(scope, 'Company', rows, rows.live().map(([index, row]) => ({ index, data: { id: newRowId(), ...newCompanyRow(scope.session.workspaceId, row.input, row.customFields) } })));
  for (const [i, error] of await custom.claim((i) => rows.values[live[i]![0]] !== null)) rows.refuse(live[i]![0], error);
  const created = allowed.filter(({ index }) => rows.values[index] !== null);
  await insertRows(scope.tx, 'Company', created.map(({ data }) => data), scope.permissions);
  for (const { index, data } of created) {
    rows.written(index, data.id);
    scope.emit('company.created', { type: 'Company', id: data.id }, { name: data.name });
  }
  return rows.answer();
}
