// Activities logged in batches (bulk writes and imports, docs/data.md "Bulk writes"): logActivity's checks, row and
// event, each lookup and the insert made once per batch (a fixed number of statements).
import type { ScopedTransaction } from '@crm/db';
import type { CommandScope } from '../command.js';
import { insertRows } from '../insert-rows.js';
import type { BatchRow } from '../objects/writer.js';
import { missingInWorkspace, missingReference } from '../references.js';
import { newRowId } from '../uuid.js';
import { parseInput } from '../validation.js';
import { checkSameCustomer, emitActivityLogged, logActivityInput, newActivityRow } from './activities.js';
import { BatchRows } from './bulk/batch-rows.js';
import { refuseForbiddenCreates } from './bulk/update-rows.js';

/** The customer of each deal or ticket named (absent: not in the workspace), in one statement. */
async function customersOf(tx: ScopedTransaction, model: 'deal' | 'ticket', ids: (string | null | undefined)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (!wanted.length) return new Map();
  const args = { where: { id: { in: wanted } }, select: { id: true, customerId: true } } as const;
  const rows = model === 'deal' ? await tx.deal.findMany(args) : await tx.ticket.findMany(args);
  return new Map(rows.map((row) => [row.id, row.customerId]));
}

/** logActivity for a batch: customers, deals and tickets checked with one statement each, the rows inserted with one. */
export async function createActivityBatch(scope: CommandScope, raws: readonly Record<string, unknown>[]): Promise<BatchRow[]> {
  const rows = BatchRows.of(raws, (raw) => parseInput(logActivityInput, raw));
  const inputs = rows.live().map(([, input]) => input);
  const customers = await missingInWorkspace(scope.tx, 'customer', inputs.map((input) => input.customerId));
  const deals = await customersOf(scope.tx, 'deal', inputs.map((input) => input.dealId));
  const tickets = await customersOf(scope.tx, 'ticket', inputs.map((input) => input.ticketId));
  rows.each((input) => {
    if (customers.has(input.customerId)) throw missingReference('customer', 'customerId');
    if (input.dealId) checkSameCustomer('deal', deals.get(input.dealId), input.customerId, 'dealId');
    if (input.ticketId) checkSameCustomer('ticket', tickets.get(input.ticketId), input.customerId, 'ticketId');
  });
  const created = refuseForbiddenCreates(scope, 'Activity', rows, rows.live().map(([index, input]) => ({ index, data: { id: newRowId(), ...newActivityRow(scope.session.workspaceId, input) } })));
  await insertRows(scope.tx, 'Activity', created.map(({ data }) => data), scope.permissions);
  for (const { index, data } of created) {
    rows.written(index, data.id);
    emitActivityLogged(scope, data);
  }
  return rows.answer();
}
