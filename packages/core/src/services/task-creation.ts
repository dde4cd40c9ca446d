// Tasks created, one or many at once (a workflow's task steps of a claimed batch): the references of all items checked
// with one statement per referenced table, the tasks inserted with one, whatever their number; each item answered
// alone (a customer gone fails that item only). `createTask` is the call with one item.
import type { ScopedTransaction, Task } from '@crm/db';
import type { Caller, CommandScope } from '../command.js';
import { notFound } from '../errors.js';
import { insertRowsIfReferenced, insertRowsReturning } from '../insert-rows.js';
import { rowAccessOf } from '../permissions/write-guard.js';
import { missingInWorkspace, missingReference } from '../references.js';
import { newRowId } from '../uuid.js';
import { fields, parseInput, z } from '../validation.js';
import { checkSameCustomer } from './activities.js';
import { BatchRows } from './bulk/batch-rows.js';
import { boundedItems, emitterOf, type ItemActor, type ItemResult, itemResults, onlyItem } from './bulk/item-results.js';

export const createTaskInput = z.object({
  title: fields.title,
  notes: fields.text.nullish(),
  dueAt: fields.date.nullish(),
  assigneeId: fields.id.nullish(),
  customerId: fields.id.nullish(),
  dealId: fields.id.nullish(),
});

export type CreateTaskInput = z.input<typeof createTaskInput>;

/** The customer of each deal named (absent: not in the workspace, or not visible), in one statement. */
async function customersOfDeals(tx: ScopedTransaction, ids: readonly (string | null | undefined)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (!wanted.length) return new Map();
  const deals = await tx.deal.findMany({ where: { id: { in: wanted } }, select: { id: true, customerId: true } });
  return new Map(deals.map((deal) => [deal.id, deal.customerId]));
}

/**
 * Creates tasks (`items`, at most 1,000), answering each item: the task, or the error `createTask` would have thrown
 * for it alone (NOT_FOUND for a customer, deal or assignee not in the workspace, BAD_USER_INPUT, FORBIDDEN). A task
 * with only a deal also joins that deal's customer (it shows on their tasks). One `task.created` per task (naming the
 * item's `actor` when given).
 */
export async function createTasks(caller: Caller, raw: { items: readonly (CreateTaskInput & ItemActor)[] }): Promise<ItemResult<Task>[]> {
  const items = boundedItems(raw?.items);
  return caller.run((scope) => insertTasks(scope, items));
}

/** Creates a task: {@link createTasks} with one item. */
export async function createTask(caller: Caller, raw: CreateTaskInput): Promise<Task> {
  // The input is checked before the transaction, as every command's.
  parseInput(createTaskInput, raw);
  return onlyItem(await createTasks(caller, { items: [raw] }));
}

async function insertTasks(scope: CommandScope, items: readonly (CreateTaskInput & ItemActor)[]): Promise<ItemResult<Task>[]> {
  const { tx } = scope;
  type Row = { input: z.output<typeof createTaskInput>; emitter: Pick<CommandScope, 'emit'>; data?: Record<string, unknown>; task?: Task };
  const rows = BatchRows.of(items, (item): Row => ({ input: parseInput(createTaskInput, item), emitter: emitterOf(scope, item.actor) }));
  const inputs = rows.live().map(([, row]) => row.input);
  const permissions = scope.permissions;
  // The customers named are checked by the insert itself (one statement, each looked up by its key) unless a custom
  // role restricts the caller's reads (its row conditions apply through the scoped client) or a task names a deal (its
  // customer is compared with the deal's first: a customer that does not exist answers NOT_FOUND on `customerId`, not
  // "another customer's deal").
  const checkedByInsert = !permissions?.restrictsRows && inputs.every((input) => !input.dealId);
  const users = await missingInWorkspace(tx, 'user', inputs.map((input) => input.assigneeId));
  const customers = checkedByInsert ? new Set<string>() : await missingInWorkspace(tx, 'customer', inputs.map((input) => input.customerId));
  const deals = await customersOfDeals(tx, inputs.map((input) => input.dealId));
  rows.each((row) => {
    const { input } = row;
    if (input.assigneeId && users.has(input.assigneeId)) throw missingReference('user', 'assigneeId');
    if (input.customerId && customers.has(input.customerId)) throw missingReference('customer', 'customerId');
    let customerId = input.customerId ?? null;
    if (input.dealId) {
      if (customerId) checkSameCustomer('deal', deals.get(input.dealId), customerId, 'dealId');
      else if (!deals.has(input.dealId)) throw notFound('Deal', 'dealId');
      else customerId = deals.get(input.dealId)!;
    }
    const data = {
      id: newRowId(),
      workspaceId: scope.session.workspaceId,
      title: input.title,
      notes: input.notes ?? null,
      dueAt: input.dueAt ?? null,
      assigneeId: input.assigneeId ?? null,
      customerId,
      dealId: input.dealId ?? null,
    };
    // A role that may not create tasks (or these fields): this item is refused before any statement (the data layer's guard).
    if (permissions?.restrictsRows) rowAccessOf(permissions).write('Task', 'create', { data });
    return { ...row, data };
  });
  const live = rows.live();
  const data = live.map(([, row]) => row.data!);
  const tasks = checkedByInsert
    ? await insertRowsIfReferenced<Task>(tx, 'Task', data, { column: 'customerId', model: 'Customer' })
    : await insertRowsReturning<Task>(tx, 'Task', data, permissions);
  live.forEach(([index, row], i) => {
    const task = tasks[i];
    if (!task) return rows.refuse(index, missingReference('customer', 'customerId'));
    row.task = task;
    row.emitter.emit('task.created', { type: 'Task', id: task.id }, { title: task.title });
  });
  return itemResults(rows, (row) => row.task!);
}
