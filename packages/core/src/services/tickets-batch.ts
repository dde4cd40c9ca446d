// Tickets opened in batches (bulk writes and imports, docs/data.md "Bulk writes"): createTicket's checks, row and
// event, each lookup and the insert made once per batch (a fixed number of statements).
import type { CommandScope } from '../command.js';
import { insertRows } from '../insert-rows.js';
import type { BatchRow } from '../objects/writer.js';
import { missingInWorkspace, missingReference } from '../references.js';
import { newRowId } from '../uuid.js';
import { parseInput } from '../validation.js';
import { BatchRows } from './bulk/batch-rows.js';
import { refuseForbiddenCreates } from './bulk/update-rows.js';
import { createTicketInput, emitTicketOpened, newTicketRow } from './tickets.js';

/** createTicket for a batch: the customers and assignees checked with one statement each, the rows inserted with one. */
export async function createTicketBatch(scope: CommandScope, raws: readonly Record<string, unknown>[]): Promise<BatchRow[]> {
  const rows = BatchRows.of(raws, (raw) => parseInput(createTicketInput, raw));
  const inputs = rows.live().map(([, input]) => input);
  const customers = await missingInWorkspace(scope.tx, 'customer', inputs.map((input) => input.customerId));
  const assignees = await missingInWorkspace(scope.tx, 'user', inputs.map((input) => input.assigneeId));
  rows.each((input) => {
    if (customers.has(input.customerId)) throw missingReference('customer', 'customerId');
    if (input.assigneeId && assignees.has(input.assigneeId)) throw missingReference('user', 'assigneeId');
  });
  const created = refuseForbiddenCreates(scope, 'Ticket', rows, rows.live().map(([index, input]) => ({ index, data: { id: newRowId(), ...newTicketRow(scope.session.workspaceId, input) } })));
  await insertRows(scope.tx, 'Ticket', created.map(({ data }) => data), scope.permissions);
  for (const { index, data } of created) {
    rows.written(index, data.id);
    emitTicketOpened(scope, data);
  }
  return rows.answer();
}
