// Commands over many items that answer item by item (`updateCustomersTags`, `createTasks`): an item whose record is
// gone or whose input is refused fails alone, with the error its single command would have thrown, and the others are
// written. The single command is the bulk one with one item (`onlyItem`).
import type { CommandScope } from '../../command.js';
import { badInput, type CrmError, fromPrismaError, isCrmError } from '../../errors.js';
import { BULK_LIMIT } from './bulk-limit.js';
import type { BatchRows } from './batch-rows.js';

/** One item's answer: what its single command returns, or the error it throws. */
export type ItemResult<T> = { value: T } | { error: CrmError };

/** What every item of a per-item command may carry besides its input. */
export interface ItemActor {
  /**
   * Who caused this item's change: its events name this actor instead of the transaction's (the transaction acting as
   * it: `CommandScope.actingAs`; a plugin's queue transaction prefixes it with the plugin's id). Refused
   * (BAD_USER_INPUT) where the transaction offers no other actor.
   */
  actor?: string | null;
}

/** The call's items, refused whole when there are more than one bulk call writes (`BULK_LIMIT`). */
export function boundedItems<T>(items: readonly T[] | undefined): readonly T[] {
  if (!Array.isArray(items)) throw badInput('items: a list of items', 'items');
  if (items.length > BULK_LIMIT) throw badInput(`items: at most ${BULK_LIMIT} in one call (got ${items.length})`, 'items');
  return items;
}

/** The scope whose events name the item's actor (the call's own without one). */
export function emitterOf(scope: CommandScope, actor: string | null | undefined): Pick<CommandScope, 'emit'> {
  if (!actor) return scope;
  if (!scope.actingAs) throw badInput('actor: this transaction acts as no other actor', 'actor');
  return scope.actingAs(actor);
}

/** The answers of a batch's rows: each live row's value, each refused row's error as its single command's. */
export function itemResults<T, V>(rows: BatchRows<T>, valueOf: (row: T, index: number) => V): ItemResult<V>[] {
  return rows.values.map((row, index) => {
    if (row !== null) return { value: valueOf(row, index) };
    const error = (rows.results[index] as { error: unknown } | null)?.error;
    const mapped = isCrmError(error) ? error : fromPrismaError(error);
    // Only the item's own faults are answered item by item; anything else (a bug, a plugin's included) fails the whole call.
    if (!isCrmError(mapped) || mapped.code === 'PLUGIN_FAILED') throw error;
    return { error: mapped };
  });
}

/** The single command's answer from its bulk form's one item: the value, or its error thrown. */
export function onlyItem<T>(results: readonly ItemResult<T>[]): T {
  const result = results[0]!;
  if ('error' in result) throw result.error;
  return result.value;
}
