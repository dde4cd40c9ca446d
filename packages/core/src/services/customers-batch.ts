// Customers written in batches (bulk writes and imports, docs/data.md "Bulk writes"): the checks, rows and events of
// createCustomer and updateCustomer, with each lookup and each write made once per batch instead of once per row, so
// a batch of N rows costs a fixed number of statements (proved by apps/gateway/test/bulk-statements.test.ts).
import type { Customer, LifecycleStage } from '@crm/db';
import type { CommandScope } from '../command.js';
import { type CustomValues, uncheckedCustomValuesOfMany } from '../custom-fields/field-values.js';
import type { BatchRow } from '../objects/writer.js';
import { insertRows } from '../insert-rows.js';
import { missingInWorkspace, missingReference } from '../references.js';
import { newRowId } from '../uuid.js';
import { parseInput } from '../validation.js';
import { BatchRows as Rows } from './bulk/batch-rows.js';
import { lockedRecords, recordsById } from './bulk/locked-rows.js';
import { refuseForbidden, refuseForbiddenCreates, updateBatchRows } from './bulk/update-rows.js';
import {
  createCustomerInput,
  customerChange,
  customerChanges,
  newCustomerRow,
  newCustomerStage,
  updateCustomerInput,
} from './customers.js';

type Input = Record<string, unknown>;

/** The company and owner references of the rows, checked with one statement per referenced table. */
async function checkReferences<T extends { input: { companyId?: string | null; ownerId?: string | null } }>(scope: CommandScope, rows: Rows<T>): Promise<void> {
  const live = rows.live().map(([, row]) => row.input);
  const companies = await missingInWorkspace(scope.tx, 'company', live.map((input) => input.companyId));
  const owners = await missingInWorkspace(scope.tx, 'user', live.map((input) => input.ownerId));
  rows.each(({ input }) => {
    if (input.companyId && companies.has(input.companyId)) throw missingReference('company', 'companyId');
    if (input.ownerId && owners.has(input.ownerId)) throw missingReference('user', 'ownerId');
  });
}

/** Stage changes of a batch (history rows and events), as recordStageChange records one, in two statements. */
async function recordStageChanges(
  scope: CommandScope,
  changes: readonly { customerId: string; from: LifecycleStage | null; to: LifecycleStage; reason: string | null }[],
): Promise<void> {
  if (!changes.length) return;
  const known = changes.filter((change) => change.from !== null).map((change) => change.customerId);
  const latest = known.length
    ? await scope.tx.lifecycleChange.groupBy({ by: ['customerId'], where: { customerId: { in: known } }, _max: { changedAt: true } })
    : [];
  const previous = new Map(latest.map((row) => [row.customerId, row._max.changedAt]));
  const now = new Date();
  await insertRows(
    scope.tx,
    'LifecycleChange',
    changes.map(({ customerId, from, to, reason }) => {
      const last = previous.get(customerId);
      // After the previous change even within one millisecond: the history reads as a chain.
      const changedAt = last && last >= now ? new Date(last.getTime() + 1) : now;
      return { workspaceId: scope.session.workspaceId, customerId, fromStage: from, toStage: to, reason, actorId: scope.session.actor, changedAt };
    }),
  );
  for (const { customerId, from, to, reason } of changes) scope.emit('customer.stage_changed', { type: 'Customer', id: customerId }, { from, to, reason });
}

/** createCustomer for a batch: references, custom values, the rows and their first stage-history rows in one statement each. */
export async function createCustomerBatch(scope: CommandScope, raws: readonly Input[]): Promise<BatchRow[]> {
  type Row = { input: ReturnType<typeof createCustomerInput.parse>; stage?: LifecycleStage; customFields?: CustomValues };
  const rows = Rows.of<Input, Row>(raws, (raw) => ({ input: parseInput(createCustomerInput, raw) }));
  await checkReferences(scope, rows);
  rows.each((row) => ({ ...row, stage: newCustomerStage(row.input) }));
  const live = rows.live();
  const custom = await uncheckedCustomValuesOfMany(scope, 'Customer', live.map(([, row]) => ({ input: row.input.customFields, before: null })), scope.permissions);
  live.forEach(([index, row], i) => {
    const values = custom.values[i];
    if (values instanceof Error) rows.refuse(index, values);
    else row.customFields = values;
  });
  // A row the key may not create (an own-records key creating for another owner) is refused first, claiming nothing.
  const allowed = refuseForbiddenCreates(scope, 'Customer', rows, rows.live().map(([index, row]) => ({ index, row, data: { id: newRowId(), ...newCustomerRow(scope.session.workspaceId, row.input, row.stage!, row.customFields) } })));
  for (const [i, error] of await custom.claim((i) => rows.values[live[i]![0]] !== null)) rows.refuse(live[i]![0], error);
  const created = allowed.filter(({ index }) => rows.values[index] !== null);
  await insertRows(scope.tx, 'Customer', created.map(({ data }) => data), scope.permissions);
  for (const { index, data } of created) {
    rows.written(index, data.id);
    scope.emit('customer.created', { type: 'Customer', id: data.id }, { name: data.name, lifecycleStage: data.lifecycleStage });
  }
  await recordStageChanges(scope, created.map(({ data, row }) => ({ customerId: data.id, from: null, to: data.lifecycleStage, reason: row.input.churnReason ?? null })));
  return rows.answer();
}

/** updateCustomer for a batch of distinct customers: locked, read, written and read back with one statement each. */
export async function updateCustomerBatch(scope: CommandScope, items: readonly { id: string; patch: Input }[]): Promise<BatchRow[]> {
  type Row = { input: ReturnType<typeof updateCustomerInput.parse>; before?: Customer; change?: ReturnType<typeof customerChange> };
  const rows = Rows.of<{ id: string; patch: Input }, Row>(items, ({ id, patch }) => ({ input: parseInput(updateCustomerInput, { ...patch, id }) }));
  const befores = await lockedRecords<Customer, Row>(scope, 'Customer', rows);
  rows.each((row) => ({ ...row, before: befores.get(row.input.id)! }));
  await checkReferences(scope, rows);
  const live = rows.live();
  const custom = await uncheckedCustomValuesOfMany(
    scope,
    'Customer',
    live.map(([, row]) => ({ input: row.input.customFields, before: { id: row.before!.id, values: row.before!.customFields as CustomValues } })),
    scope.permissions,
  );
  live.forEach(([index, row], i) => {
    const values = custom.values[i];
    if (values instanceof Error) rows.refuse(index, values);
    else {
      try {
        row.change = customerChange(row.input, row.before!, values);
      } catch (error) {
        rows.refuse(index, error);
      }
    }
  });
  // A row the key's rights refuse (an own-records key handing a customer over) is refused first, so it claims no
  // unique value another row of the batch may then take; the others claim theirs, and are written.
  const changeOf = (row: Row) => ({ id: row.input.id, before: row.before!, data: row.change!.data as Record<string, unknown> });
  refuseForbidden(scope, 'Customer', rows, rows.live(), changeOf);
  for (const [i, error] of await custom.claim((i) => rows.values[live[i]![0]] !== null)) rows.refuse(live[i]![0], error);
  const changed = await updateBatchRows(scope, 'Customer', rows, rows.live(), changeOf);
  const afters = await recordsById<Customer>(scope, 'Customer', changed.map(([, row]) => row.input.id));
  const stageChanges: Parameters<typeof recordStageChanges>[1][number][] = [];
  for (const [index, row] of changed) {
    const after = afters.get(row.input.id)!;
    rows.written(index, after.id);
    const changes = customerChanges(row.before!, after);
    if (changes.changed.length) scope.emit('customer.updated', { type: 'Customer', id: after.id }, changes);
    if (row.change!.stageChanged) stageChanges.push({ customerId: after.id, from: row.before!.lifecycleStage, to: row.change!.stage, reason: row.input.churnReason ?? null });
  }
  await recordStageChanges(scope, stageChanges);
  return rows.answer();
}
