// Tags added to and removed from customers, many at once (a workflow's tag steps of a claimed batch): each customer's
// list is read under its row lock, changed and written in the same transaction, so a concurrent change is neither
// lost nor a CONFLICT. The whole call is two statements however many items (the rows locked and read; the changed
// ones written), and each item is answered alone: a customer gone or a list over the limit fails that item only.
import type { Customer } from '@crm/db';
import type { Caller, CommandScope } from '../command.js';
import { notFound } from '../errors.js';
import { rowAccessOf } from '../permissions/write-guard.js';
import { lockAndReadMany } from '../record-lock.js';
import { fields, parseInput, z } from '../validation.js';
import { BatchRows } from './bulk/batch-rows.js';
import { boundedItems, emitterOf, type ItemActor, type ItemResult, itemResults, onlyItem } from './bulk/item-results.js';
import { updateRowsReturning } from './bulk/update-rows.js';
import { customerChanges } from './customers.js';

export const updateCustomerTagsInput = z.object({ id: fields.id, add: fields.tags.optional(), remove: fields.tags.optional() });
export type UpdateCustomerTagsInput = z.input<typeof updateCustomerTagsInput>;

const tagList = z.object({ tags: fields.tags });

/** The list after `change`: removals first, then additions not there yet, in order; over 50 tags is BAD_USER_INPUT. */
function changedTags(tags: readonly string[], change: { add?: string[]; remove?: string[] }): string[] {
  const removed = new Set(change.remove ?? []);
  const kept = tags.filter((tag) => !removed.has(tag));
  return parseInput(tagList, { tags: [...kept, ...(change.add ?? []).filter((tag) => !kept.includes(tag))] }).tags;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((tag, i) => tag === b[i]);

/**
 * Adds and removes tags of many customers (`items`, at most 1,000), answering each item: the customer as its change
 * left it, or the error `updateCustomerTags` would have thrown for it alone (NOT_FOUND, BAD_USER_INPUT for over 50 tags,
 * FORBIDDEN for a role that may not write tags). Items on the same customer apply in order. The checks and event of
 * `updateCustomer`: `customer.updated` with the tags' old and new list, one per item that changed its list (naming the
 * item's `actor` when given); no write and no event for an item that changes nothing.
 */
export async function updateCustomersTags(caller: Caller, raw: { items: readonly (UpdateCustomerTagsInput & ItemActor)[] }): Promise<ItemResult<Customer>[]> {
  const items = boundedItems(raw?.items);
  return caller.run((scope) => changeTags(scope, items));
}

/** Adds and removes tags of one customer: {@link updateCustomersTags} with one item. */
export async function updateCustomerTags(caller: Caller, raw: UpdateCustomerTagsInput): Promise<Customer> {
  // The input is checked before the transaction, as every command's.
  parseInput(updateCustomerTagsInput, raw);
  return onlyItem(await updateCustomersTags(caller, { items: [raw] }));
}

async function changeTags(scope: CommandScope, items: readonly (UpdateCustomerTagsInput & ItemActor)[]): Promise<ItemResult<Customer>[]> {
  type Row = { input: z.output<typeof updateCustomerTagsInput>; emitter: Pick<CommandScope, 'emit'>; before?: Customer; after?: Customer };
  const rows = BatchRows.of(items, (item): Row => ({ input: parseInput(updateCustomerTagsInput, item), emitter: emitterOf(scope, item.actor) }));
  // A role that may not write tags: every item is refused, before any statement (the data layer's guard, asked here).
  const permissions = scope.permissions;
  if (permissions?.restrictsRows) rows.each(() => void rowAccessOf(permissions).write('Customer', 'update', { where: {}, data: { tags: [] } }));
  const locked = await lockAndReadMany<Customer>(scope, 'Customer', rows.live().map(([, row]) => row.input.id), (ids) =>
    scope.tx.customer.findMany({ where: { id: { in: ids } } }),
  );
  // Each item changes the list the previous item on its customer left.
  const now = new Date();
  const current = new Map(locked);
  rows.each((row) => {
    const before = current.get(row.input.id);
    if (!before) throw notFound('Customer', 'id');
    const tags = changedTags(before.tags, row.input);
    const after = sameList(tags, before.tags) ? before : { ...before, tags, updatedAt: now };
    current.set(before.id, after);
    return { ...row, before, after };
  });
  const changed = [...current.values()].filter((customer) => customer !== locked.get(customer.id));
  const written = await updateRowsReturning<Customer>(
    scope,
    'Customer',
    changed.map((customer) => ({ id: customer.id, before: locked.get(customer.id)!, data: { tags: customer.tags } })),
  );
  const stored = new Map(written.map((customer) => [customer.id, customer]));
  for (const [, row] of rows.live()) {
    if (row.after === row.before) continue;
    row.emitter.emit('customer.updated', { type: 'Customer', id: row.before!.id }, customerChanges(row.before!, row.after!));
  }
  // Each item answers the customer as its own change left it (the last item on a customer: the row as written).
  return itemResults(rows, (row) => (row.after === current.get(row.input.id) ? (stored.get(row.input.id) ?? row.after!) : row.after!));
}
