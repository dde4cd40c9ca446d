// The first and last steps of every batch update (customers-, companies-, products-batch.ts): the rows' records locked
// and read before the checks, and read back after the write, one statement each.
import type { CommandScope } from '../../command.js';
import { isCrmError, notFound } from '../../errors.js';
import { type LockableModel, lockManyForUpdate } from '../../record-lock.js';
import type { BatchRows } from './batch-rows.js';

type Delegate<R> = { findMany(args: object): Promise<R[]> };
const delegateOf = <R>(scope: CommandScope, model: string) => (scope.tx as unknown as Record<string, Delegate<R>>)[model.charAt(0).toLowerCase() + model.slice(1)]!;

/** The records of `ids`, by id, read with one statement (none: no statement). */
export async function recordsById<R extends { id: string }>(scope: CommandScope, model: LockableModel, ids: readonly string[]): Promise<Map<string, R>> {
  const records = ids.length ? await delegateOf<R>(scope, model).findMany({ where: { id: { in: [...ids] } } }) : [];
  return new Map(records.map((record) => [record.id, record]));
}

/**
 * Locks the records the rows update (in id order, `expectedUpdatedAt` checked), refuses the rows whose lock failed or
 * whose record the caller cannot read (NOT_FOUND, as the single update answers), and returns the records as they are
 * under the lock, by id.
 */
export async function lockedRecords<R extends { id: string }, T extends { input: { id: string; expectedUpdatedAt?: Date | null } }>(
  scope: CommandScope,
  model: LockableModel,
  rows: BatchRows<T>,
  /** The object NOT_FOUND names. @default the model */
  name: string = model,
): Promise<Map<string, R>> {
  const locks = await lockManyForUpdate(scope, model, rows.live().map(([, row]) => ({ id: row.input.id, expectedUpdatedAt: row.input.expectedUpdatedAt })));
  rows.each(({ input }) => {
    const error = locks.get(input.id);
    // Not found in the table: named as the object (a custom object's records share theirs).
    if (error) throw isCrmError(error) && error.code === 'NOT_FOUND' ? notFound(name, 'id') : error;
  });
  const befores = await recordsById<R>(scope, model, rows.live().map(([, row]) => row.input.id));
  rows.each(({ input }) => {
    if (!befores.has(input.id)) throw notFound(name, 'id');
  });
  return befores;
}
