// Runs one single-record command per row inside one transaction and reports every row that fails, not only the first.
import type { Caller, CommandScope } from '../../command.js';
import { sqlStateOf } from '../../database-errors.js';
import { CrmError, fromPrismaError, isCrmError } from '../../errors.js';
import type { PendingEvent } from '../../events.js';

/** A refused row: its position in the call (or its file line, for imports), the field at fault, why. */
export interface RowError {
  index: number;
  field: string | null;
  message: string;
  /** The error code the single command would have answered (BAD_USER_INPUT, NOT_FOUND, CONFLICT, FORBIDDEN, …). */
  code: string;
}

/** What a row's command did: the record's id, and for upserts whether it was created. */
export interface RowOutcome {
  id: string;
  created: boolean;
}

export type RowWrite<T> = (scope: CommandScope, item: T, index: number) => Promise<RowOutcome>;

export interface RowsResult {
  /** By row: its outcome, or null when it was refused. */
  outcomes: (RowOutcome | null)[];
  errors: RowError[];
}

/** The answer to a bulk call with refused rows: BAD_USER_INPUT listing each one in `extensions.rows`. */
export function rowsRefused(errors: readonly RowError[], total: number): CrmError {
  const first = errors[0]!;
  return new CrmError(
    'BAD_USER_INPUT',
    `${errors.length} of ${total} ${total === 1 ? 'row was' : 'rows were'} refused; nothing was written (first: row ${first.index}: ${first.message})`,
    undefined,
    { rows: errors.map(({ index, field, message, code }) => ({ index, field, message, code })) },
  );
}

/** A failed row as a RowError, or null when it is not the row's fault (the whole call then fails with the error). */
function rowError(error: unknown, index: number): RowError | null {
  const mapped = isCrmError(error) ? error : fromPrismaError(error);
  // A plugin's bug (PLUGIN_FAILED: a refused write in its object's writer) is not the row's fault either.
  if (!isCrmError(mapped) || mapped.code === 'UNAUTHENTICATED' || mapped.code === 'PLUGIN_FAILED') return null;
  return { index, field: mapped.field ?? null, message: mapped.message, code: mapped.code };
}

/**
 * Runs `write` for each row in `scope`. A row's events join the command's only when the row succeeds. With
 * `isolate`, each row runs in a savepoint, so a failed row is undone (a failed statement may have aborted the
 * transaction) and the next still runs; without it (the fast path, no extra round trips) the first failure ends it.
 */
export async function runRows<T>(scope: CommandScope, items: readonly T[], write: RowWrite<T>, isolate: boolean): Promise<RowsResult> {
  const outcomes: (RowOutcome | null)[] = [];
  const errors: RowError[] = [];
  for (const [index, item] of items.entries()) {
    const events: PendingEvent[] = [];
    const rowScope: CommandScope = {
      ...scope,
      emit: (type, subject, payload) => void events.push({ type, subjectType: subject.type, subjectId: subject.id, payload } as PendingEvent),
    };
    if (isolate) await scope.tx.$executeRawUnsafe('SAVEPOINT crm_row');
    try {
      outcomes.push(await write(rowScope, item, index));
      if (isolate) await scope.tx.$executeRawUnsafe('RELEASE SAVEPOINT crm_row');
      for (const event of events) scope.emit(event.type, { type: event.subjectType, id: event.subjectId }, event.payload as never);
    } catch (error) {
      outcomes.push(null);
      const refused = rowError(error, index);
      if (!refused) throw error;
      errors.push(refused);
      if (!isolate) return { outcomes, errors };
      await scope.tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT crm_row');
    }
  }
  return { outcomes, errors };
}

/**
 * A whole batch written at once (an object's `createBatch`/`updateBatch`): by row, its outcome or the error its single
 * command would have thrown; null when these rows need the row-by-row path (a key twice in one upsert call).
 */
export type BatchWrite<T> = (scope: CommandScope, items: readonly T[]) => Promise<(RowOutcome | { error: unknown })[] | null>;

/** A batch's result; `exact` when every refused row is known (false: a statement failed, the rows at fault are not). */
type BatchResult = RowsResult & { exact: boolean };

async function runBatch<T>(scope: CommandScope, items: readonly T[], batch: BatchWrite<T>): Promise<BatchResult | null> {
  let rows: Awaited<ReturnType<BatchWrite<T>>>;
  try {
    rows = await batch(scope, items);
  } catch (error) {
    // A statement of the batch failed (a unique violation, a refused write): the transaction is aborted; the rows
    // will run one by one. Anything else (a bug, the deadline) is not the rows' fault and fails the call.
    const refused = rowError(error, 0);
    const statementFailed = sqlStateOf(error) !== undefined || (error as { code?: unknown } | null)?.code === 'P2010';
    if (!refused && !statementFailed) throw error;
    return { outcomes: [], errors: [refused ?? { index: 0, field: null, message: 'a statement of the batch failed', code: 'BAD_USER_INPUT' }], exact: false };
  }
  if (!rows) return null;
  const result: BatchResult = { outcomes: [], errors: [], exact: true };
  for (const [index, row] of rows.entries()) {
    if (!('error' in row)) {
      result.outcomes.push(row);
      continue;
    }
    const refused = rowError(row.error, index);
    if (!refused) throw row.error;
    result.outcomes.push(null);
    result.errors.push(refused);
  }
  return result;
}

class RolledBack extends Error {
  constructor(
    readonly result: RowsResult,
    /** Every refused row is known: no second, row-by-row attempt is needed. */
    readonly exact = false,
  ) {
    super('rolled back');
  }
}

export interface RowsCommandOptions<T = unknown> {
  /** Commit the rows that succeed (imports) instead of nothing when one fails (bulk calls). @default false */
  partial?: boolean;
  /** Roll everything back after reporting what would happen. @default false */
  dryRun?: boolean;
  /** Runs in the same transaction after the rows (an import's checkpoint). */
  finish?: (scope: CommandScope, result: RowsResult) => Promise<void>;
  /** Runs first in the transaction (lookups the rows need, e.g. upsert matches). */
  prepare?: (scope: CommandScope) => Promise<void>;
  /**
   * Writes all rows at once, in a few statements (the first attempt); when a statement fails, the rows are run again
   * one by one through `write`, each in a savepoint, which finds the rows at fault.
   */
  batch?: BatchWrite<T>;
}

/**
 * One command (one transaction) writing `items`, every failing row reported. Clean batches take the fast path; a
 * batch with a failing row is rolled back and run again with a savepoint per row, which reports every failure and,
 * for `partial`, commits exactly the rows that succeed.
 */
export async function rowsCommand<T>(
  caller: Caller,
  items: readonly T[] | ((scope: CommandScope) => Promise<readonly T[]>),
  write: RowWrite<T>,
  options: RowsCommandOptions<T> = {},
): Promise<RowsResult> {
  let total = 0;
  const attempt = (isolate: boolean) =>
    caller.run(async (scope) => {
      await options.prepare?.(scope);
      // Rows found inside the transaction (a filter's matches) are the rows the writes see.
      const rows = typeof items === 'function' ? await items(scope) : items;
      total = rows.length;
      const batched = !isolate && options.batch ? await runBatch(scope, rows, options.batch) : null;
      const result = batched ?? (await runRows(scope, rows, write, isolate));
      if (result.errors.length) {
        // A batch that refused rows before writing the others knows them all: a partial write commits the others.
        if (batched?.exact) {
          if (!options.partial) throw new RolledBack(result, true);
        } else if (!isolate || !options.partial) throw new RolledBack(result);
      }
      await options.finish?.(scope, result);
      if (options.dryRun) throw new RolledBack(result, true);
      return result;
    });
  try {
    return await attempt(false);
  } catch (error) {
    if (!(error instanceof RolledBack)) throw error;
    if (!error.result.errors.length) return error.result; // a dry run
    if (error.exact) {
      if (options.partial) return error.result; // a dry run of a partial write
      throw rowsRefused(error.result.errors, total);
    }
  }
  try {
    return await attempt(true);
  } catch (error) {
    if (!(error instanceof RolledBack)) throw error;
    if (options.partial) return error.result; // a dry run of a partial write
    throw rowsRefused(error.result.errors, total);
  }
}
