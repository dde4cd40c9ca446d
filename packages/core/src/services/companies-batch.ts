// Companies written in batches (bulk writes and imports, docs/data.md "Bulk writes"): the checks, rows and events of
// createCompany and updateCompany, each lookup and write made once per batch (as customers-batch.ts does).
import type { Company } from '@crm/db';
import type { CommandScope } from '../command.js';
import { type CustomValues, customValuesOfMany } from '../custom-fields/field-values.js';
import type { BatchRow } from '../objects/writer.js';
import { insertRows } from '../insert-rows.js';
import { missingInWorkspace, missingReference } from '../references.js';
import { newRowId } from '../uuid.js';
import { parseInput } from '../validation.js';
import { BatchRows } from './bulk/batch-rows.js';
import { lockedRecords, recordsById } from './bulk/locked-rows.js';
import { updateRows } from './bulk/update-rows.js';
import { companyChange, companyChanges, createCompanyInput, newCompanyRow, updateCompanyInput } from './companies.js';

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

/** updateCompany for a batch of distinct companies: locked, read, written and read back with one statement each. */
export async function updateCompanyBatch(scope: CommandScope, items: readonly { id: string; patch: Input }[]): Promise<BatchRow[]> {
  type Row = { input: ReturnType<typeof updateCompanyInput.parse>; before?: Company; data?: Record<string, unknown> };
  const rows = BatchRows.of<{ id: string; patch: Input }, Row>(items, ({ id, patch }) => ({ input: parseInput(updateCompanyInput, { ...patch, id }) }));
  const befores = await lockedRecords<Company, Row>(scope, 'Company', rows);
  rows.each((row) => ({ ...row, before: befores.get(row.input.id)! }));
  await checkOwners(scope, rows);
  const live = rows.live();
  const custom = await customValuesOfMany(
    scope,
    'Company',
    live.map(([, row]) => ({ input: row.input.customFields, before: { id: row.before!.id, values: row.before!.customFields as CustomValues } })),
    scope.permissions,
  );
  live.forEach(([index, row], i) => {
    const values = custom[i];
    if (values instanceof Error) rows.refuse(index, values);
    else row.data = companyChange(row.input, values) as Record<string, unknown>;
  });
  const changed = rows.live();
  await updateRows(scope, 'Company', changed.map(([, row]) => ({ id: row.input.id, before: row.before!, data: row.data! })));
  const afters = await recordsById<Company>(scope, 'Company', changed.map(([, row]) => row.input.id));
  for (const [index, row] of changed) {
    const after = afters.get(row.input.id)!;
    rows.written(index, after.id);
    const changes = companyChanges(row.before!, after);
    if (changes.changed.length) scope.emit('company.updated', { type: 'Company', id: after.id }, changes);
  }
  return rows.answer();
}
