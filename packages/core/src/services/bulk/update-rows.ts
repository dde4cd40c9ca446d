// One UPDATE statement for many rows of a model, each with its own values (bulk writes): Prisma's updateMany sets the
// same data on every row, so a batch of different changes would be one statement per row.
import { executeRawIn, getDatamodel, queryRawIn, workspaceFilter } from '@crm/db';
import type { CommandScope } from '../../command.js';
import { type CrmError, isCrmError } from '../../errors.js';
import { jsonValue } from '../../insert-rows.js';
import { rowAccessOf } from '../../permissions/write-guard.js';
import type { BatchRows } from './batch-rows.js';

/** A row to change: its id, the row as read under its lock, and its changes (undefined: unchanged). */
export interface RowChange {
  id: string;
  before: Record<string, unknown>;
  data: Record<string, unknown>;
}

const COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const models = getDatamodel().datamodel.models;
/** Whether the model keeps Prisma's `@updatedAt` (set to now on every update, as Prisma does). */
const stamped = (model: string) => models[model]?.fields.some((field) => field.name === 'updatedAt' && field.isUpdatedAt) ?? false;

/**
 * Writes `rows` of `model` (locked and read by the caller in this transaction) with one statement, setting each
 * changed column to the row's new value (plain column values, as Prisma's `data` takes them; no `{ increment }`) and
 * `updatedAt` to now where the model has Prisma's `@updatedAt`. The key's write permissions are checked first
 * ({@link refusedChanges}): a refused row throws its FORBIDDEN, so a batch writer answering per row leaves those out.
 */
export async function updateRows(scope: CommandScope, model: string, rows: readonly RowChange[]): Promise<void> {
  await writeRows(scope, model, rows, false);
}

/** {@link updateRows}, answering the rows as written (whole, in Prisma's types; in no particular order). */
export function updateRowsReturning<R>(scope: CommandScope, model: string, rows: readonly RowChange[]): Promise<R[]> {
  return writeRows<R>(scope, model, rows, true);
}

/**
 * By row index, the refusal the data layer's guard (`restrictRows`) gives its change, as it checks a single update's
 * `data` (or a single create's, with `createMany`; FORBIDDEN naming the field), without a statement (a restricted client's would send one). Every row's: a
 * value may be refused where another row's same column is not (an own-records key's owner: its user's own id passes,
 * another's is FORBIDDEN). A batch writer refuses these rows in place before {@link updateRows}, which throws the first.
 */
export function refusedChanges(scope: CommandScope, model: string, rows: readonly Pick<RowChange, 'data'>[], operation: 'updateMany' | 'createMany' = 'updateMany'): Map<number, CrmError> {
  const refused = new Map<number, CrmError>();
  if (!scope.permissions?.restrictsRows) return refused;
  const access = rowAccessOf(scope.permissions);
  rows.forEach((row, index) => {
    try {
      access.write(model, operation, operation === 'createMany' ? { data: [row.data] } : { where: {}, data: row.data });
    } catch (error) {
      if (!isCrmError(error)) throw error;
      refused.set(index, error);
    }
  });
  return refused;
}

/** What a batch writer refuses a row through: its rows ({@link BatchRows}). */
type Refusing = Pick<BatchRows<unknown>, 'refuse'>;

/**
 * The rows of `changing` (a batch's rows still standing, with each one's change) the key's rights refuse
 * ({@link refusedChanges}: an own-records key handing a record over) refused in place; answers the others. A batch
 * writer runs it before its rows claim anything (unique custom values), so a refused row claims nothing.
 */
export function refuseForbidden<T>(
  scope: CommandScope,
  model: string,
  rows: Refusing,
  changing: readonly [number, T][],
  change: (value: T) => Pick<RowChange, 'data'>,
  operation: 'updateMany' | 'createMany' = 'updateMany',
): [number, T][] {
  const refused = refusedChanges(scope, model, changing.map(([, value]) => change(value)), operation);
  for (const [at, error] of refused) rows.refuse(changing[at]![0], error);
  return changing.filter((_, at) => !refused.has(at));
}

/**
 * {@link refuseForbidden} for a batch's new rows (each its row's index and data): a row the key may not create (an
 * own-records key creating for another owner, a field it may not write) refused in place, as the single create
 * refuses it, instead of the batch's insert failing whole. Answers the others, to insert.
 */
export function refuseForbiddenCreates<C extends { index: number; data: Record<string, unknown> }>(scope: CommandScope, model: string, rows: Refusing, created: readonly C[]): C[] {
  return refuseForbidden(scope, model, rows, created.map((row) => [row.index, row] as [number, C]), (row) => row, 'createMany').map(([, row]) => row);
}

/** {@link updateRows} for a batch's rows still standing: those the key's rights refuse ({@link refuseForbidden}) refused in place, the others written in one statement. Answers those written. */
export async function updateBatchRows<T>(scope: CommandScope, model: string, rows: BatchRows<T>, changing: readonly [number, T][], change: (value: T) => RowChange): Promise<[number, T][]> {
  const standing = refuseForbidden(scope, model, rows, changing, change);
  await updateRows(scope, model, standing.map(([, value]) => change(value)));
  return standing;
}

async function writeRows<R>(scope: CommandScope, model: string, rows: readonly RowChange[], returning: boolean): Promise<R[]> {
  if (!rows.length) return [];
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row.data).filter((column) => row.data[column] !== undefined)))];
  for (const column of columns) if (!COLUMN.test(column)) throw new Error(`updateRows: not a column name: ${column}`);
  const [refusal] = refusedChanges(scope, model, rows).values();
  if (refusal) throw refusal;
  const now = new Date().toISOString();
  const touched = stamped(model) ? ['updatedAt'] : [];
  const values = rows.map((row) => ({
    id: row.id,
    ...(touched.length ? { updatedAt: now } : {}),
    ...Object.fromEntries(columns.map((column) => [column, jsonValue(row.data[column] !== undefined ? row.data[column] : row.before[column])])),
  }));
  if (!columns.length && !touched.length) return [];
  const set = [...columns, ...touched].map((column) => `"${column}" = v."${column}"`).join(', ');
  // Raw SQL, so the workspace condition is written here (the rows were read through the scoped client already).
  // The ids again as an array ($3) and the workspace as a filter: the rows are found by their key whatever the table's
  // statistics say (the join alone hashed the workspace's whole table when a fresh table had none, and a plain
  // workspace condition walked the workspace's entries of an index led by it).
  const sql = `UPDATE "${model}" AS t SET ${set} FROM jsonb_populate_recordset(NULL::"${model}", $1::jsonb) AS v WHERE t."id" = ANY($3::uuid[]) AND t."id" = v."id" AND ${workspaceFilter('t."workspaceId"', '$2::uuid')}`;
  const ids = rows.map((row) => row.id);
  if (returning) return queryRawIn<R>(scope.tx, `${sql} RETURNING t.*`, JSON.stringify(values), scope.session.workspaceId, ids);
  await executeRawIn(scope.tx, sql, JSON.stringify(values), scope.session.workspaceId, ids);
  return [];
}
